"""Big reports (a period over a year, or over 100,000 gifts) are made in the background:
a ReportJob row records the request, its progress and the file it wrote under
REPORT_FOLDER, where the file is kept for download."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fundraiser.extensions import db
from fundraiser.jobs import enqueue
from fundraiser.models import Cause, ReportJob, ReportJobStatus, ReportKind
from fundraiser.reports import claim_files, pdf
from fundraiser.reports import csv as report_csv
from fundraiser.reports.claim import claim_options
from fundraiser.reports.figures import build_report, count_paid_up_to
from fundraiser.reports.periods import Period, make_period

log = logging.getLogger(__name__)

PROGRESS_EVERY = 5_000
# Per kind: the file name's stem and extension, and the title the pages show.
KINDS: dict[ReportKind, tuple[str, str, str]] = {
    ReportKind.DONATIONS_CSV: ("donations", "csv", "Donations ledger (CSV)"),
    ReportKind.SUMMARY_CSV: ("summary", "csv", "Summary (CSV)"),
    # Kept under its first name: the claim became a ZIP of schedules (issue 13).
    ReportKind.GIFT_AID_CSV: ("gift-aid", "zip", "Gift Aid claim (ZIP of schedules)"),
    ReportKind.IMPACT_PDF: ("impact", "pdf", "Impact report (PDF)"),
}
MIMETYPES = {"csv": "text/csv", "zip": "application/zip", "pdf": "application/pdf"}


def is_big(session: Session, cause_id: int, period: Period, rows: int) -> bool:
    """Over a year, or more than `rows` gifts (counted no further than that)."""
    return period.is_long or count_paid_up_to(session, cause_id, period, rows + 1) > rows


def file_name(slug: str, kind: ReportKind, period: Period) -> str:
    stem, extension, _title = KINDS[kind]
    return f"{slug}-{stem}-{period.first.isoformat()}-to-{period.last.isoformat()}.{extension}"


def create_job(
    session: Session,
    cause_id: int,
    kind: ReportKind,
    period: Period,
    user_id: int | None,
    options: dict[str, str] | None = None,
) -> ReportJob:
    """A job for the period; `options` are the report's own choices (the Gift Aid claim's)."""
    params = period.as_params() | (options or {})
    job = ReportJob(cause_id=cause_id, kind=kind, params=params, requested_by_id=user_id)
    session.add(job)
    session.flush()
    return job


def find_job(session: Session, cause_id: int, public_id: str) -> ReportJob | None:
    return session.scalar(
        select(ReportJob).where(ReportJob.public_id == public_id, ReportJob.cause_id == cause_id)
    )


def recent_jobs(session: Session, cause_id: int, limit: int = 10) -> list[ReportJob]:
    """The cause's latest report jobs, newest first, for the dashboard."""
    return list(
        session.scalars(
            select(ReportJob)
            .where(ReportJob.cause_id == cause_id)
            .order_by(ReportJob.created_at.desc())
            .limit(limit)
        )
    )


def start(job_id: int) -> None:
    enqueue(make_report, job_id)


def job_values(job: ReportJob) -> dict:
    return {
        "public_id": job.public_id,
        "kind": job.kind,
        "title": KINDS[job.kind][2],
        "period": f"{job.params.get('from')} to {job.params.get('to')}",
        "status": job.status,
        "progress": job.progress,
        "rows_written": job.rows_written,
        "error": job.error,
        "created_at": job.created_at,
        "ready": job.status == ReportJobStatus.DONE,
    }


def _record_progress(job_id: int, rows: int, expected: int) -> None:
    """Written on a connection of its own so the page can show it while the job reads. SQLite
    would block that write behind the job's own open read, so there progress jumps at the end."""
    if db.engine.dialect.name == "sqlite":
        return
    percent = min(99, rows * 100 // expected) if expected else 50
    with db.engine.begin() as conn:
        conn.execute(
            update(ReportJob).where(ReportJob.id == job_id).values(progress=percent, rows_written=rows)
        )


def _chunks(job: ReportJob, cause: Cause, period: Period) -> Iterator[str | bytes]:
    session = db.session
    expected = count_paid_up_to(session, cause.id, period, 10**9)

    def on_row(count: int) -> None:
        if count % PROGRESS_EVERY == 0:
            _record_progress(job.id, count, expected)

    if job.kind == ReportKind.DONATIONS_CSV:
        yield from report_csv.ledger_csv(session, cause, period, on_row)
    elif job.kind == ReportKind.GIFT_AID_CSV:
        yield claim_files.claim_zip(session, cause, period, claim_options(job.params))
    elif job.kind == ReportKind.SUMMARY_CSV:
        yield from report_csv.summary_csv(build_report(session, cause, period))
    else:
        yield pdf.impact_pdf(session, cause, period)


def make_report(job_id: int) -> None:
    """The job: write the file, then mark the row done (or failed, with the reason)."""
    session = db.session
    job = session.get(ReportJob, job_id)
    if job is None or job.status == ReportJobStatus.DONE:
        return
    cause = session.get(Cause, job.cause_id)
    job.status, job.progress = ReportJobStatus.RUNNING, 0
    session.commit()
    name = f"{job.public_id}-{file_name(cause.slug, job.kind, _period_of(job, cause))}"
    target = Path(current_app.config["REPORT_FOLDER"]) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with open(target.with_suffix(".part"), "wb") as handle:
            for chunk in _chunks(job, cause, _period_of(job, cause)):
                data = chunk.encode() if isinstance(chunk, str) else chunk
                handle.write(data)
                written += data.count(b"\r\n") if KINDS[job.kind][1] == "csv" else 0
        target.with_suffix(".part").replace(target)
    except Exception as error:
        session.rollback()
        log.exception("Report job %s failed", job_id)
        job = session.get(ReportJob, job_id)
        job.status, job.error, job.finished_at = (
            ReportJobStatus.FAILED,
            f"{type(error).__name__}: {error}",
            datetime.now(UTC),
        )
        session.commit()
        return
    job = session.get(ReportJob, job_id)
    job.status, job.progress, job.file_path = ReportJobStatus.DONE, 100, name
    job.rows_written = max(0, written - 1)
    job.finished_at = datetime.now(UTC)
    session.commit()


def _period_of(job: ReportJob, cause: Cause) -> Period:
    return make_period(
        "custom", date.fromisoformat(job.params["from"]), date.fromisoformat(job.params["to"]), cause.timezone
    )
