"""`flask stripe-sync --since YYYY-MM-DD`: repair donations the webhooks missed.
`flask donations abandon-stale`: cancel gifts nobody paid within a day (README: from cron)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask.cli import AppGroup

from fundraiser.extensions import db
from fundraiser.payments.connect import accounts_to_sync
from fundraiser.payments.gateway import PaymentGatewayError, get_gateway
from fundraiser.payments.handlers import queue_receipt_jobs
from fundraiser.payments.stale import AbandonReport, abandon_stale_donations
from fundraiser.payments.sync import SyncReport, sync_with_stripe


@click.command("stripe-sync")
@click.option("--since", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD (UTC)")
def stripe_sync(since: datetime) -> None:
    """List PaymentIntents, refunds and disputes created since a date and apply what we missed
    (on the platform's account and, in connect mode, on every cause's connected account)."""
    report = SyncReport()
    try:
        accounts = accounts_to_sync(db.session())
        sync_with_stripe(db.session(), get_gateway(), since.replace(tzinfo=UTC), report, accounts)
    except PaymentGatewayError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    finally:
        queue_receipt_jobs(report.paid_donation_ids, report.refunded_donation_ids)
        for change in report.changes:
            click.echo(change)
    click.echo(f"{len(report.changes)} change(s).")


donations_cli = AppGroup("donations", help="Donations: gifts nobody paid.")


@donations_cli.command("abandon-stale")
@click.option(
    "--older-than-hours",
    default=24,
    show_default=True,
    type=click.IntRange(min=1),
    help="abandon gifts waiting for payment longer than this",
)
def abandon_stale(older_than_hours: int) -> None:
    """Cancel at Stripe, and mark abandoned, gifts still unpaid after a day."""
    report = AbandonReport()
    created_before = datetime.now(UTC) - timedelta(hours=older_than_hours)
    try:
        gateway = get_gateway()
    except PaymentGatewayError as error:
        raise click.ClickException(error.message) from error
    abandon_stale_donations(db.session(), gateway, created_before, report)
    for line in report.abandoned + report.left:
        click.echo(line)
    click.echo(f"{len(report.abandoned)} abandoned, {len(report.left)} left alone.")
