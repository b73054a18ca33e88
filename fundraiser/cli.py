"""`flask` commands. Each command commits once."""

from __future__ import annotations

import click
from flask import Flask, current_app

from fundraiser.accounts.cli import create_admin
from fundraiser.demo import load_demo_data
from fundraiser.extensions import db
from fundraiser.payments.cli import donations_cli, stripe_sync
from fundraiser.receipts.cli import receipts_cli


def register(app: Flask) -> None:
    for command in (create_admin, seed_demo, stripe_sync, donations_cli, receipts_cli):
        app.cli.add_command(command)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load demo causes, events, runners and pages, unless the database already has causes.
    Never in production: the demo's platform admin has a password the README publishes."""
    if current_app.config.get("PRODUCTION"):
        raise click.ClickException(
            "seed-demo refuses to run in production: its accounts (a platform admin among them) "
            "have a published password. Create the first admin with `flask create-admin`."
        )

    created = load_demo_data(db.session)
    db.session.commit()
    click.echo("Loaded demo data." if created else "Demo data already present; nothing to do.")
