"""The charity dashboard, the donations list, and report downloads for one cause."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from fundraiser.countries import locale_of
from fundraiser.extensions import db
from fundraiser.models import Cause, DonationStatus, ReportJobStatus, ReportKind
from fundraiser.pages.lookups import find_cause
from fundraiser.params import int_arg
from fundraiser.permissions import can_admin_cause_of, or_404, signed_in_user
from fundraiser.receipts import returns
from fundraiser.receipts.emails import failed_receipt_emails
from fundraiser.receipts.links import download_token
from fundraiser.reports import claim_files, pdf, tasks
from fundraiser.reports import csv as report_csv
from fundraiser.reports.claim import ClaimOptions, claim_options, schedule_lines, schedules
from fundraiser.reports.figures import build_report
from fundraiser.reports.forms import DonationFilterForm, PeriodForm
from fundraiser.reports.ledger import DonationFilters, cause_events, donations_page
from fundraiser.reports.periods import Period, PeriodError, parse_period

bp = Blueprint("reports", __name__)

EVENT_REASON = "'event' must be one of this cause's events."


def _period_or_400(cause: Cause) -> Period:
    try:
        return parse_period(request.args, cause.timezone)
    except PeriodError as error:
        abort(400, description=str(error))


def cause_values(cause: Cause) -> dict:
    return {
        "slug": cause.slug,
        "name": cause.name,
        "country": cause.country,
        "timezone": cause.timezone,
        "locale": locale_of(cause.country),
    }


@bp.get("/causes/<slug>/dashboard")
@login_required
def dashboard(slug: str) -> ResponseReturnValue:
    cause = or_404(find_cause(db.session, slug), check=can_admin_cause_of)
    form = PeriodForm(request.args)
    try:
        period = parse_period(request.args, cause.timezone)
    except PeriodError as error:
        form.from_.errors = [str(error)]
        return render_template(
            "reports/dashboard.html", cause=cause_values(cause), form=form, report=None
        ), 400
    report = build_report(db.session, cause, period)
    return render_template(
        "reports/dashboard.html",
        cause=cause_values(cause),
        form=form,
        report=report,
        params=period.as_params(),
        failed_emails=failed_receipt_emails(db.session, cause.id),
        returned_gifts=returns.returned_gifts_to_report(db.session, cause),
        what_to_file=returns.WHAT_TO_FILE,
        receipts_on_hold=returns.receipts_on_hold(db.session, cause.id),
        jobs=[tasks.job_values(job) for job in tasks.recent_jobs(db.session, cause.id)],
    )


def _donation_filters(cause: Cause, events: list[tuple[int, str]]) -> DonationFilters:
    """Read the list's filters, or 400 with what is wrong."""
    args = request.args
    status = args.get("status", "")
    if status and status not in tuple(DonationStatus):
        abort(400, description=f"'status' must be one of {', '.join(DonationStatus)}.")
    event_id = int_arg(args, "event", EVENT_REASON)
    if event_id is not None and event_id not in {e[0] for e in events}:
        abort(400, description=EVENT_REASON)
    period = None
    if args.get("from") or args.get("to"):
        try:
            period = parse_period(
                {"period": "custom", "from": args.get("from", ""), "to": args.get("to", "")}, cause.timezone
            )
        except PeriodError as error:
            abort(400, description=str(error))
    search = args.get("q", "").strip()
    if len(search) > 120:
        abort(400, description="Search for at most 120 characters.")
    return DonationFilters(status=status, event_id=event_id, period=period, search=search)


@bp.get("/causes/<slug>/donations")
@login_required
def donations(slug: str) -> ResponseReturnValue:
    cause = or_404(find_cause(db.session, slug), check=can_admin_cause_of)
    events = cause_events(db.session, cause.id)
    filters = _donation_filters(cause, events)
    before = int_arg(request.args, "before", "'before' must be a donation position from the Next link.")
    rows, next_before = donations_page(db.session, cause.id, filters, before)
    form = DonationFilterForm(request.args)
    form.event.choices = [SelectChoice("", "Any event")] + [SelectChoice(str(i), name) for i, name in events]
    kept_args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template(
        "reports/donations.html",
        cause=cause_values(cause),
        form=form,
        rows=[_donation_row(row) for row in rows],
        next_url=url_for("reports.donations", slug=slug, before=next_before, **kept_args)
        if next_before
        else None,
        first_url=url_for("reports.donations", slug=slug, **kept_args) if before is not None else None,
    )


def _donation_row(row) -> dict:
    values = dict(row._mapping)
    values["receipt_url"] = (
        url_for("receipts.download", token=download_token(row.receipt_id))
        if row.receipt_id is not None
        else None
    )
    values["refund_url"] = url_for("refunds.refund", public_id=row.public_id)
    values["advantage_url"] = url_for("receipts.record_advantage", public_id=row.public_id)
    values["refundable"] = (
        row.status == DonationStatus.PAID and row.refunded_amount < row.amount + row.fee_cover_amount
    )
    return values


def _start_job_or_none(
    cause: Cause, kind: ReportKind, period: Period, options: dict[str, str] | None = None
) -> Response | None:
    """Big reports are made in the background; the page that follows them shows progress."""
    if not tasks.is_big(db.session, cause.id, period, current_app.config["REPORT_BACKGROUND_ROWS"]):
        return None
    user = signed_in_user()
    job = tasks.create_job(db.session, cause.id, kind, period, user.id if user else None, options)
    db.session.commit()
    tasks.start(job.id)
    return redirect(url_for("reports.job", slug=cause.slug, public_id=job.public_id), 303)


def _csv_response(rows, name: str) -> Response:
    response = Response(stream_with_context(rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/causes/<slug>/reports/donations.csv")
@login_required
def donations_csv(slug: str) -> ResponseReturnValue:
    cause = or_404(find_cause(db.session, slug), check=can_admin_cause_of)
    period = _period_or_400(cause)
    started = _start_job_or_none(cause, ReportKind.DONATIONS_CSV, period)
    if started:
        return started
    rows = report_csv.ledger_csv(db.session, cause, period)
    return _csv_response(rows, tasks.file_name(cause.slug, ReportKind.DONATIONS_CSV, period))


@bp.get("/causes/<slug>/reports/summary.csv")
@login_required
def summary_csv(slug: str) -> ResponseReturnValue:
    cause = or_404(find_cause(db.session, slug), check=can_admin_cause_of)
    period = _period_or_400(cause)
    report = build_report(db.session, cause, period)
    return _csv_response(
        report_csv.summary_csv(report), tasks.file_name(cause.slug, ReportKind.SUMMARY_CSV, period)
    )


def _gift_aid_cause_or_404(slug: str) -> Cause:
    cause = or_404(find_cause(db.session, slug), check=can_admin_cause_of)
    if cause.country != "GB":
        abort(404, description="Gift Aid claims are for UK causes only.")
    return cause


def _claim_options_or_400() -> ClaimOptions:
    try:
        return claim_options(request.args)
    except ValueError as error:
        abort(400, description=str(error))


@bp.get("/causes/<slug>/reports/gift-aid.csv")
@login_required
def gift_aid_csv(slug: str) -> ResponseReturnValue:
    """One schedule of the claim (`schedule`, from 1), ready to paste into HMRC's spreadsheet."""
    cause = _gift_aid_cause_or_404(slug)
    period = _period_or_400(cause)
    options = _claim_options_or_400()
    number = request.args.get("schedule", "1")
    if not number.isdigit() or int(number) < 1:
        abort(400, description="'schedule' must be a schedule number: 1, 2, ...")
    started = _start_job_or_none(cause, ReportKind.GIFT_AID_CSV, period, options.as_params())
    if started:
        return started
    parts = schedules(schedule_lines(db.session, cause.id, period, options))
    if int(number) > len(parts):
        abort(
            400,
            description=f"This claim has {len(parts)} schedule(s) of at most 1,000 lines; choose 1 to {len(parts)}.",
        )
    stem = tasks.file_name(cause.slug, ReportKind.GIFT_AID_CSV, period).removesuffix(".zip")
    return _csv_response(
        claim_files.schedule_csv(parts[int(number) - 1]), f"{stem}-schedule-{int(number):02d}.csv"
    )


@bp.get("/causes/<slug>/reports/gift-aid.zip")
@login_required
def gift_aid_zip(slug: str) -> ResponseReturnValue:
    """The whole claim: every schedule, the gifts left out and why, and the totals."""
    cause = _gift_aid_cause_or_404(slug)
    period = _period_or_400(cause)
    options = _claim_options_or_400()
    started = _start_job_or_none(cause, ReportKind.GIFT_AID_CSV, period, options.as_params())
    if started:
        return started
    response = Response(claim_files.claim_zip(db.session, cause, period, options), mimetype="application/zip")
    name = tasks.file_name(cause.slug, ReportKind.GIFT_AID_CSV, period)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/causes/<slug>/reports/gift-aid-excluded.csv")
@login_required
def gift_aid_excluded_csv(slug: str) -> ResponseReturnValue:
    """The declared gifts the claim leaves out, each with the reason."""
    cause = _gift_aid_cause_or_404(slug)
    period = _period_or_400(cause)
    rows = claim_files.excluded_csv(db.session, cause, period)
    stem = tasks.file_name(cause.slug, ReportKind.GIFT_AID_CSV, period).removesuffix(".zip")
    return _csv_response(rows, f"{stem}-excluded.csv")


@bp.get("/causes/<slug>/reports/impact.pdf")
@login_required
def impact_pdf(slug: str) -> ResponseReturnValue:
    cause = or_404(find_cause(db.session, slug), check=can_admin_cause_of)
    period = _period_or_400(cause)
    started = _start_job_or_none(cause, ReportKind.IMPACT_PDF, period)
    if started:
        return started
    document = pdf.impact_pdf(db.session, cause, period)
    response = Response(document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="{tasks.file_name(cause.slug, ReportKind.IMPACT_PDF, period)}"'
    )
    return response


@bp.get("/causes/<slug>/reports/jobs/<public_id>")
@login_required
def job(slug: str, public_id: str) -> ResponseReturnValue:
    cause = or_404(find_cause(db.session, slug), check=can_admin_cause_of)
    job = or_404(tasks.find_job(db.session, cause.id, public_id))
    return render_template("reports/job.html", cause=cause_values(cause), job=tasks.job_values(job))


@bp.get("/causes/<slug>/reports/jobs/<public_id>/download")
@login_required
def job_download(slug: str, public_id: str) -> ResponseReturnValue:
    cause = or_404(find_cause(db.session, slug), check=can_admin_cause_of)
    job = or_404(tasks.find_job(db.session, cause.id, public_id))
    if job.status != ReportJobStatus.DONE:
        abort(404, description="This report is not ready yet.")
    path = Path(current_app.config["REPORT_FOLDER"]) / job.file_path
    if not path.is_file():
        abort(404, description="This report's file is no longer kept.")
    mimetype = tasks.MIMETYPES[tasks.KINDS[job.kind][1]]
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=job.file_path)
