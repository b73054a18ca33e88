"""`flask stripe-sync --since YYYY-MM-DD`: repair donations the webhooks missed."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from fundraiser.extensions import db
from fundraiser.payments.connect import accounts_to_sync
from fundraiser.payments.gateway import PaymentGatewayError, get_gateway
from fundraiser.payments.handlers import queue_receipt_jobs
from fundraiser.payments.sync import SyncReport, sync_with_stripe


@click.command("stripe-sync")
@click.option("--since", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD (UTC)")
def stripe_sync(since: datetime) -> None:
    """List PaymentIntents and refunds created since a date and apply what we missed
    (on the platform's account and, in connect mode, on every cause's connected account)."""
    report = SyncReport()
    try:
        accounts = accounts_to_sync(db.session)
        sync_with_stripe(db.session, get_gateway(), since.replace(tzinfo=UTC), report, accounts)
    except PaymentGatewayError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    finally:
        queue_receipt_jobs(report.paid_donation_ids, report.refunded_donation_ids)
        for change in report.changes:
            click.echo(change)
    click.echo(f"{len(report.changes)} change(s).")
