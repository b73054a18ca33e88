"""`flask create-admin`: the first platform admin, made from the command line."""

from __future__ import annotations

import click

from fundraiser.accounts import services
from fundraiser.accounts.addresses import address_problem
from fundraiser.extensions import db


@click.command("create-admin")
@click.option("--email", prompt=True, help="The admin's email; an existing account is promoted.")
@click.option("--name", prompt=True, help="Their name, used only for a new account.")
@click.password_option(help="Their password, used only for a new account.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create the first platform admin (or make an existing account one). Safe to repeat."""
    user = services.find_user_by_email(db.session, email)
    if user is None:
        problem = address_problem(email)
        if problem is not None:
            raise click.ClickException(f"That email does not look right: {problem}")
        try:
            user = services.create_user(db.session, email=email, name=name, password=password)
            # The operator running the command vouches for the address.
            services.mark_email_confirmed(user)
        except services.AccountError as error:
            raise click.ClickException(str(error)) from error
    user.is_platform_admin = True
    db.session.commit()
    click.echo(f"{user.email} is a platform admin.")
