"""`flask` commands. Each command commits once."""

from __future__ import annotations

import click
from flask import Flask

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
    """Load demo causes, events, runners and pages, unless the database already has causes."""
    created = load_demo_data(db.session)
    db.session.commit()
    click.echo("Loaded demo data." if created else "Demo data already present; nothing to do.")
