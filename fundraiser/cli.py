"""`flask` commands. Each command commits once."""

from __future__ import annotations

import click
from flask import Flask

from fundraiser.extensions import db


def register(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin(email: str, name: str, password: str) -> None:
    """Create the first platform admin (or make an existing account one)."""
    from fundraiser.accounts import services

    user = services.find_user_by_email(db.session, email)
    if user is None:
        try:
            user = services.create_user(db.session, email=email, name=name, password=password)
        except services.AccountError as error:
            raise click.ClickException(str(error)) from error
    user.is_platform_admin = True
    db.session.commit()
    click.echo(f"{user.email} is a platform admin.")


@click.command("seed-demo")
def seed_demo() -> None:
    """Load demo causes, events, runners and pages, unless the database already has causes."""
    from fundraiser.demo import load_demo_data

    created = load_demo_data(db.session)
    db.session.commit()
    click.echo("Loaded demo data." if created else "Demo data already present; nothing to do.")
