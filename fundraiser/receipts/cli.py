"""`flask receipts ...`: year-end receipts in bulk, the owed receipt work a lost job left
(`sweep-owed`, every minute), receipts paid without any record of being owed
(`issue-missing`), and retrying receipt emails.

`annual` can be stopped at any point and run again: a year-end receipt is numbered and
recorded in one short transaction, then drawn and stored in a second; a rerun first draws
any recorded but undrawn ones, then does the donors still without one.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from fundraiser.extensions import db
from fundraiser.models import Cause, Receipt
from fundraiser.receipts import annual as annual_module
from fundraiser.receipts import signing, tasks
from fundraiser.receipts.annual import annual_donors_to_do, annual_receipts_undrawn, reserve_annual_receipt
from fundraiser.receipts.emails import receipt_emails_due, send_receipt_email
from fundraiser.receipts.issuing import donations_owed_a_receipt, draw_pdf
from fundraiser.receipts.render import renderer
from fundraiser.receipts.values import settings

receipts_cli = AppGroup("receipts", help="Receipts: year-end receipts, missing receipts and email retries.")

_worker_app = None


@receipts_cli.command("annual")
@click.option("--cause", "cause_slug", required=True, help="The cause's slug.")
@click.option("--year", type=int, required=True, help="The tax year (UK: the year it starts in April).")
@click.option("--workers", type=click.IntRange(1, 32), default=1, show_default=True)
def annual(cause_slug: str, year: int, workers: int) -> None:
    """Make one year-end receipt per donor of a cause for a tax year, skipping those made."""
    cause = db.session.scalar(db.select(Cause).where(Cause.slug == cause_slug))
    if cause is None:
        raise click.ClickException(f"No cause with the slug {cause_slug!r}.")
    if not annual_module.tax_year_is_over(cause, year):
        raise click.ClickException(annual_module.year_not_over_message(cause, year))
    cause_id, cause_name = cause.id, cause.name
    undrawn = annual_receipts_undrawn(db.session, cause_id, year)
    donors = annual_donors_to_do(db.session, cause_id, year)
    db.session.rollback()
    tasks = [("draw", cause_id, year, receipt_id) for receipt_id in undrawn]
    tasks += [("make", cause_id, year, email) for email in donors]
    made = 0
    with click.progressbar(length=len(tasks), label=f"Year-end receipts {year}") as bar:
        for outcome in run_tasks(tasks, workers):
            made += outcome
            bar.update(1)
    click.echo(f"{made} year-end receipts made for {cause_name} ({len(tasks) - made} skipped).")


def run_tasks(tasks: list[tuple], workers: int) -> Iterator[int]:
    if workers == 1 or len(tasks) < 2:
        yield from (annual_task(task) for task in tasks)
        return
    global _worker_app
    _worker_app = current_app._get_current_object()
    renderer(current_app.config["UPLOAD_FOLDER"]).warm()  # children inherit the loaded fonts
    db.engine.dispose()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start_worker) as pool:
        yield from pool.imap_unordered(annual_task, tasks, chunksize=_chunk(tasks, workers))


def _chunk(tasks: Iterable, workers: int) -> int:
    return max(1, min(8, len(list(tasks)) // (workers * 8)))


def _start_worker() -> None:
    """In a forked worker: its own app context and its own database connections."""
    _worker_app.app_context().push()
    db.engine.dispose(close=False)


def annual_task(task: tuple) -> int:
    """One unit of work, committed on its own; returns 1 when a receipt was finished."""
    action, cause_id, year, target = task
    config = settings()
    try:
        if action == "draw":
            receipt = db.session.get(Receipt, target)
        else:
            cause = db.session.get(Cause, cause_id)
            try:
                receipt = reserve_annual_receipt(db.session, cause, year, target)
                db.session.commit()  # the number is taken; release the counter lock before drawing
            except IntegrityError:  # the donor made it from their receipts page meanwhile
                db.session.rollback()
                return 0
        if receipt is None or receipt.pdf_sha256:
            return 0
        draw_pdf(receipt, config)
        db.session.commit()
        return 1
    except Exception:
        db.session.rollback()
        raise


@receipts_cli.command("dev-certificate")
def dev_certificate() -> None:
    """Make the self-signed certificate receipts are signed with when RECEIPT_SIGNING_CERT and
    RECEIPT_SIGNING_KEY are unset (development only; production refuses to start without them)."""
    files = signing.signing_files()
    click.echo(f"Receipts are signed with {files.cert} (key {files.key}).")


@receipts_cli.command("retry-emails")
@click.option("--all", "everything", is_flag=True, help="Retry every failed email now, ignoring back-off.")
def retry_emails(everything: bool) -> None:
    """Send again the receipt emails that failed, once their back-off has passed."""
    due = receipt_emails_due(db.session, everything=everything)
    sent = 0
    for receipt_id in due:
        sent += send_receipt_email(db.session, receipt_id)
        db.session.commit()
    click.echo(f"{sent} of {len(due)} receipt emails sent.")


@receipts_cli.command("sweep-owed")
@click.option(
    "--older-than",
    type=click.IntRange(0),
    default=int(tasks.SWEEP_AFTER.total_seconds()),
    show_default=True,
    help="Seconds: younger owed work may still have its job on the way.",
)
def sweep_owed(older_than: int) -> None:
    """Issue and email the receipts whose job was lost (a process killed after the payment's
    commit): run it every minute from cron. Safe to overlap with the jobs and with itself."""
    due = tasks.sweep_owed_work(older_than=timedelta(seconds=older_than))
    click.echo(f"{due} piece(s) of owed receipt work done or retried.")


@receipts_cli.command("issue-missing")
@click.option(
    "--since",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="YYYY-MM-DD (UTC): donations paid since then.",
)
def issue_missing(since: datetime) -> None:
    """Issue (and email) the receipts of paid donations that have none: safe to run from cron,
    since a donation with a receipt or a recorded refusal is left alone."""
    owed = donations_owed_a_receipt(db.session, since.replace(tzinfo=UTC))
    db.session.rollback()
    for donation_id in owed:
        tasks.issue_receipt_for_donation(donation_id)
    click.echo(f"{len(owed)} donation(s) owed a receipt; receipts issued or refusals recorded for each.")
