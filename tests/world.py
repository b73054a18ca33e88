"""A small world with one of every object and one of every kind of person, for the
route-by-route permission and garbage tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from flask.testing import FlaskClient

from fundraiser.accounts import services as accounts
from fundraiser.accounts.sessions import stamp
from fundraiser.countries import tax_year_of
from fundraiser.extensions import db
from fundraiser.models import Benefit, Donation, PledgePage, Receipt, ReceiptCounter, ReportJob, Team, User
from fundraiser.receipts.values import settings, single_receipt_data

STORED_PHOTO = "0123456789abcdef0123456789abcdef.jpg"


@dataclass
class World:
    owner: User
    stranger: User
    organiser: User
    other_organiser: User
    charity_admin: User
    other_charity_admin: User
    platform_admin: User
    captain: User
    donor: User
    page: PledgePage
    draft: PledgePage
    stranger_page: PledgePage
    team_page: PledgePage
    held: PledgePage
    team: Team
    donation: Donation
    receipt: Receipt
    report_job: ReportJob
    ids: dict

    def person(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


def build_world(app, factories) -> World:
    """Everything committed, so requests through other sessions see it."""
    photos = Path(app.config["UPLOAD_FOLDER"])
    photos.mkdir(parents=True, exist_ok=True)
    (photos / STORED_PHOTO).write_bytes(b"\xff\xd8\xff\xe0 a stored photo")
    user = factories.user
    confirmed = datetime.now(UTC)
    owner = user(name="Olu Owner", email_confirmed_at=confirmed)
    stranger = user(name="Sam Stranger", email_confirmed_at=confirmed)
    organiser = user(name="Orla Organiser", is_event_organiser=True)
    other_organiser = user(name="Otto Organiser", is_event_organiser=True)
    charity_admin = user(name="Cara Charity")
    other_charity_admin = user(name="Carl Charity")
    platform_admin = user(name="Ada Admin", is_platform_admin=True)
    captain = user(name="Cal Captain")
    donor = user(name="Dee Donor", email="dee@example.com")
    accounts.mark_email_confirmed(donor)

    cause = factories.cause(country="GB", admins=(charity_admin,), slug="hot-meals")
    other_cause = factories.cause(country="US", admins=(other_charity_admin,), slug="clean-water")
    event = factories.event(causes=(cause, other_cause), organiser=organiser, slug="leeds-10k")
    factories.event(causes=(other_cause,), organiser=other_organiser, slug="portland-5k")

    page = factories.page(runner=owner, event=event, cause=cause, slug="olu-runs", title="Olu runs for meals")
    draft = factories.page(runner=owner, event=event, cause=cause, slug="olu-draft", status="draft")
    stranger_page = factories.page(runner=stranger, event=event, cause=cause, slug="sam-runs")
    team = factories.team(captain=captain, slug="leeds-striders", currency="GBP")
    team_page = factories.page(runner=owner, event=event, cause=cause, slug="olu-in-team", team=team)
    held = factories.page(runner=stranger, event=event, cause=cause, slug="sam-held", status="awaiting")

    donation = Donation(
        page_id=page.id,
        cause_id=cause.id,
        event_id=event.id,
        currency="GBP",
        amount=2500,
        fee_cover_amount=0,
        charged_amount=2500,
        status="paid",
        donor_name="Dee Donor",
        donor_email="dee@example.com",
        donor_user_id=donor.id,
        stripe_payment_intent_id="pi_world_1",
        stripe_charge_id="ch_world_1",
        paid_at=datetime.now(UTC),
    )
    db.session.add(donation)
    db.session.flush()
    receipt = Receipt(
        cause_id=cause.id,
        number=1,
        display_number="WORLD-RECEIPT-0001",
        donation_id=donation.id,
        donor_email=donation.donor_email,
        amount=donation.amount,
        currency="GBP",
        pdf=b"%PDF-1.7 world receipt",
        donor_user_id=donor.id,
        gift_tax_year=tax_year_of("GB", date.today()),
        pdf_sha256="0" * 64,
        data=single_receipt_data(
            cause,
            donation,
            amount=donation.amount,
            number="WORLD-RECEIPT-0001",
            replaces_number=None,
            issued_at=datetime.now(UTC),
            config=settings(),
        ),
    )
    reports = Path(app.config["REPORT_FOLDER"])
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "world-summary.csv").write_text("cause,total\n")
    report_job = ReportJob(
        cause_id=cause.id, kind="summary_csv", status="done", progress=100, file_path="world-summary.csv"
    )
    # The counter says number 1 is taken, as issuing would have left it.
    counter = ReceiptCounter(cause_id=cause.id, series="single", last_number=receipt.number)
    db.session.add_all([receipt, report_job, counter])
    db.session.flush()
    benefit = Benefit(
        cause_id=cause.id,
        description="Race T-shirt",
        currency="GBP",
        fair_market_value=800,
        min_gift_amount=2500,
    )
    db.session.add(benefit)
    db.session.commit()
    ids = {"cause": cause.slug, "other_cause": other_cause.slug, "event": event.slug, "benefit": benefit.id}
    db.session.commit()
    return World(
        owner=owner,
        stranger=stranger,
        organiser=organiser,
        other_organiser=other_organiser,
        charity_admin=charity_admin,
        other_charity_admin=other_charity_admin,
        platform_admin=platform_admin,
        captain=captain,
        donor=donor,
        page=page,
        draft=draft,
        stranger_page=stranger_page,
        team_page=team_page,
        held=held,
        team=team,
        donation=donation,
        receipt=receipt,
        report_job=report_job,
        ids=ids,
    )


def request_as(app, user: User | None, path: str, method: str = "GET", **kwargs):
    """One request by `user` (None: anonymous) from a fresh client in a fresh app context.
    Tests run inside an app context and Flask reuses it for requests, so without a fresh
    one `g` (and the signed-in user Flask-Login keeps there) would leak between requests.
    A streamed answer (the CSV reports) is read to its end inside that context, which it needs."""
    with app.app_context():
        response = client_for(app, user).open(path, method=method, **kwargs)
        response.get_data()
        response.close()
        return response


def client_for(app, user: User | None) -> FlaskClient:
    """A client signed in as `user` through Flask-Login's own session keys (the sign-in
    form and its password hashing are tested in tests/functional/accounts)."""
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session.update(stamp(app.config["SESSION_IDLE_ADMIN_MINUTES"] * 60))
    return client
