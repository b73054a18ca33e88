"""Every route that reads or changes an object, tried by an anonymous visitor, by the wrong
signed-in person and by the right one.

The table below is the single list of expected outcomes. `test_every_route_is_in_the_table`
reads app.url_map, so a route added later without a row here fails the suite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from fundraiser.accounts import services as accounts
from fundraiser.extensions import db
from fundraiser.receipts.links import download_token
from tests.world import STORED_PHOTO, World, build_world, request_as

SIGNIN = "sent to sign in"
OK = "succeeds"
ALLOWED = "gets past the permission check"  # for actions whose success needs more than a form
DENIED = "403 or 404"  # drafts may be hidden (404) rather than refused (403)
NOT_SHOWN = "succeeds without the owner's data"
BACK_TO_RESET = "sent back to ask for a new reset link"
BACK_TO_DASHBOARD = "sent to the dashboard to ask for a new confirmation link"
NO_EFFECT = "sent back, nothing changed"  # receipts' own confirmation link, opened by someone else

# Routes that touch no object and need nobody signed in (forms that create an account or a
# session, the public lists). The Stripe webhook checks its signature and has its own tests.
PUBLIC = {
    ("health.healthz", "GET"),
    ("pages.home", "GET"),
    ("pages.events", "GET"),
    ("pages.causes", "GET"),
    ("accounts.signup", "GET"),
    ("accounts.signup", "POST"),
    ("accounts.signin", "GET"),
    ("accounts.signin", "POST"),
    ("accounts.signout", "POST"),
    ("accounts.reset_request", "GET"),
    ("accounts.reset_request", "POST"),
    ("payments.stripe_webhook", "POST"),
}


@dataclass(frozen=True)
class Case:
    """One route tried by each person in `expect`, in order (the right person last).
    `path` and `data` values are format strings over the world (`{w.page.slug}`)."""

    endpoint: str
    method: str
    path: str
    expect: dict[str, object]
    data: dict[str, str] = field(default_factory=dict)
    missing: str | None = None  # the same route for an object that does not exist
    missing_outcome: object = 404
    secret: str = ""  # text of the owner's that a NOT_SHOWN answer must not contain
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.endpoint}:{self.method}{':' + self.label if self.label else ''}"


def page_form(slug: str) -> dict[str, str]:
    return {"title": "A better title", "slug": slug, "story": "New *story*", "target": "300"}


EVENT_FORM = {
    "name": "Leeds Half",
    "slug": "leeds-half",
    "starts_on": (date.today() + timedelta(days=60)).isoformat(),
    "place": "Leeds",
    "distance_km": "21.1",
    "description": "",
    "is_open": "y",
}
CAUSE_FORM = {
    "name": "Warm Coats",
    "slug": "warm-coats",
    "legal_name": "Warm Coats Trust",
    "country": "GB",
    "registration_number": "7654321",
    "default_currency": "GBP",
    "address": "1 High Street, York YO1 1AA",
    "timezone": "Europe/London",
    "website": "",
    "description": "Coats for winter.",
    "signatory_name": "Pat Treasurer",
}
# Nearly a gift, but the email is wrong: the form refuses it before any payment starts.
DONATE_FORM = {
    "amount_choice": "other",
    "other_amount": "10",
    "donor_name": "Dee Donor",
    "donor_email": "not-an-email",
}
TEAM_FORM = {"name": "Harriers", "slug": "harriers", "description": "", "target": "2000", "currency": "GBP"}

EVERYONE_ELSE_403 = {"owner": 403, "charity_admin": 403, "organiser": 403}

CASES = [
    # Pledge pages
    Case(
        "pages.dashboard",
        "GET",
        "/me",
        {"anonymous": SIGNIN, "stranger": NOT_SHOWN, "owner": OK},
        secret="{w.page.title}",
    ),
    Case(
        "pages.upload",
        "GET",
        f"/uploads/{STORED_PHOTO}",
        {"anonymous": OK},
        missing="/uploads/ffffffffffffffffffffffffffffffff.jpg",
    ),
    Case("pages.new_page", "GET", "/pages/new", {"anonymous": SIGNIN, "stranger": OK}),
    Case(
        "pages.new_page",
        "POST",
        "/pages/new",
        {"anonymous": SIGNIN, "stranger": OK},
        data={
            "event_id": "{w.page.event_id}",
            "cause_id": "{w.page.cause_id}",
            "status": "published",
            **page_form("sam-second"),
        },
    ),
    Case(
        "pages.show_page",
        "GET",
        "/{w.page.slug}",
        {"anonymous": OK, "stranger": OK},
        missing="/no-such-page",
        label="published",
    ),
    Case(
        "pages.show_page",
        "GET",
        "/{w.draft.slug}",
        {"anonymous": 404, "stranger": 404, "charity_admin": 404, "platform_admin": OK, "owner": OK},
        label="draft",
    ),
    Case(
        "pages.edit_page",
        "GET",
        "/{w.page.slug}/edit",
        {"anonymous": SIGNIN, "stranger": 403, "owner": OK},
        missing="/no-such-page/edit",
    ),
    Case(
        "pages.edit_page",
        "GET",
        "/{w.draft.slug}/edit",
        {"anonymous": SIGNIN, "stranger": DENIED, "owner": OK},
        label="draft",
    ),
    Case(
        "pages.edit_page",
        "POST",
        "/{w.page.slug}/edit",
        {"anonymous": SIGNIN, "stranger": 403, "captain": 403, "owner": OK},
        data=page_form("{w.page.slug}"),
        missing="/no-such-page/edit",
    ),
    Case(
        "pages.publish_page",
        "POST",
        "/{w.draft.slug}/publish",
        {"anonymous": SIGNIN, "stranger": DENIED, "owner": OK},
        missing="/no-such-page/publish",
    ),
    Case(
        "pages.show_page",
        "GET",
        "/{w.held.slug}",
        {"anonymous": 404, "other_charity_admin": 404, "owner": 404, "charity_admin": OK, "stranger": OK},
        label="awaiting approval",
    ),
    Case(
        "pages.approve_page",
        "POST",
        "/{w.held.slug}/approve",
        {"anonymous": SIGNIN, "stranger": 403, "owner": 403, "other_charity_admin": 403, "charity_admin": OK},
        missing="/no-such-page/approve",
    ),
    Case(
        "pages.unpublish_page",
        "POST",
        "/{w.page.slug}/unpublish",
        {"anonymous": SIGNIN, "stranger": 403, "owner": OK},
        missing="/no-such-page/unpublish",
    ),
    Case(
        "pages.post_update",
        "POST",
        "/{w.page.slug}/updates",
        {"anonymous": SIGNIN, "stranger": 403, "owner": OK},
        data={"body": "Week 3: 15K done"},
        missing="/no-such-page/updates",
    ),
    # Causes
    Case(
        "pages.show_cause",
        "GET",
        "/causes/{w.ids[cause]}",
        {"anonymous": OK},
        missing="/causes/no-such-cause",
    ),
    Case(
        "pages.new_cause",
        "GET",
        "/causes/new",
        {"anonymous": SIGNIN, **EVERYONE_ELSE_403, "platform_admin": OK},
    ),
    Case(
        "pages.new_cause",
        "POST",
        "/causes/new",
        {"anonymous": SIGNIN, **EVERYONE_ELSE_403, "platform_admin": OK},
        data=CAUSE_FORM,
    ),
    Case(
        "pages.edit_cause",
        "GET",
        "/causes/{w.ids[cause]}/edit",
        {"anonymous": SIGNIN, "owner": 403, "other_charity_admin": 403, "charity_admin": OK},
        missing="/causes/no-such-cause/edit",
    ),
    Case(
        "pages.edit_cause",
        "POST",
        "/causes/{w.ids[cause]}/edit",
        {"anonymous": SIGNIN, "owner": 403, "other_charity_admin": 403, "charity_admin": OK},
        data={**CAUSE_FORM, "slug": "{w.ids[cause]}"},
        missing="/causes/no-such-cause/edit",
    ),
    Case(
        "pages.benefits",
        "GET",
        "/causes/{w.ids[cause]}/benefits",
        {"anonymous": SIGNIN, "owner": 403, "other_charity_admin": 403, "charity_admin": OK},
        missing="/causes/no-such-cause/benefits",
    ),
    Case(
        "pages.benefits",
        "POST",
        "/causes/{w.ids[cause]}/benefits",
        {"anonymous": SIGNIN, "owner": 403, "other_charity_admin": 403, "charity_admin": OK},
        data={
            "description": "Dinner entry",
            "fair_market_value": "40",
            "min_gift_amount": "100",
            "event_id": "",
        },
        missing="/causes/no-such-cause/benefits",
    ),
    Case(
        "pages.withdraw_benefit_offer",
        "POST",
        "/causes/{w.ids[cause]}/benefits/{w.ids[benefit]}/withdraw",
        {"anonymous": SIGNIN, "owner": 403, "other_charity_admin": 403, "charity_admin": OK},
        missing="/causes/{w.ids[cause]}/benefits/999999/withdraw",
    ),
    Case(
        "pages.add_cause_admin",
        "POST",
        "/causes/{w.ids[cause]}/admins",
        {"anonymous": SIGNIN, "charity_admin": 403, "owner": 403, "platform_admin": OK},
        data={"email": "{w.stranger.email}"},
        missing="/causes/no-such-cause/admins",
    ),
    # Events
    Case(
        "pages.show_event",
        "GET",
        "/events/{w.ids[event]}",
        {"anonymous": OK},
        missing="/events/no-such-event",
    ),
    Case(
        "pages.new_event",
        "GET",
        "/events/new",
        {"anonymous": SIGNIN, "owner": 403, "charity_admin": 403, "organiser": OK},
    ),
    Case(
        "pages.new_event",
        "POST",
        "/events/new",
        {"anonymous": SIGNIN, "owner": 403, "charity_admin": 403, "organiser": OK},
        data={**EVENT_FORM, "cause_ids": "{w.page.cause_id}"},
    ),
    Case(
        "pages.edit_event",
        "GET",
        "/events/{w.ids[event]}/edit",
        {"anonymous": SIGNIN, "owner": 403, "other_organiser": 403, "organiser": OK},
        missing="/events/no-such-event/edit",
    ),
    Case(
        "pages.edit_event",
        "POST",
        "/events/{w.ids[event]}/edit",
        {"anonymous": SIGNIN, "owner": 403, "other_organiser": 403, "platform_admin": OK},
        data={**EVENT_FORM, "slug": "{w.ids[event]}", "cause_ids": "{w.page.cause_id}"},
        missing="/events/no-such-event/edit",
    ),
    # Teams
    Case("pages.new_team", "GET", "/teams/new", {"anonymous": SIGNIN, "owner": OK}),
    Case("pages.new_team", "POST", "/teams/new", {"anonymous": SIGNIN, "owner": OK}, data=TEAM_FORM),
    Case("pages.show_team", "GET", "/teams/{w.team.slug}", {"anonymous": OK}, missing="/teams/no-such-team"),
    Case(
        "pages.edit_team",
        "GET",
        "/teams/{w.team.slug}/edit",
        {"anonymous": SIGNIN, "owner": 403, "captain": OK},
        missing="/teams/no-such-team/edit",
    ),
    Case(
        "pages.edit_team",
        "POST",
        "/teams/{w.team.slug}/edit",
        {"anonymous": SIGNIN, "owner": 403, "captain": OK},
        data={**TEAM_FORM, "slug": "{w.team.slug}"},
        missing="/teams/no-such-team/edit",
    ),
    Case(
        "pages.join_team",
        "POST",
        "/teams/{w.team.slug}/join",
        {"anonymous": SIGNIN, "stranger": 403, "captain": 403, "owner": OK},
        data={"page_id": "{w.page.id}"},
        missing="/teams/no-such-team/join",
    ),
    Case(
        "pages.leave_team",
        "POST",
        "/teams/{w.team.slug}/leave",
        {"anonymous": SIGNIN, "stranger": 403, "owner": OK},
        data={"page_id": "{w.team_page.id}"},
        missing="/teams/no-such-team/leave",
    ),
    # Platform admin
    Case(
        "admin.users",
        "GET",
        "/admin",
        {"anonymous": SIGNIN, "owner": 403, "organiser": 403, "charity_admin": 403, "platform_admin": OK},
    ),
    Case(
        "admin.set_role",
        "POST",
        "/admin/users/{w.stranger.id}/roles",
        {"anonymous": SIGNIN, "owner": 403, "organiser": 403, "charity_admin": 403, "platform_admin": OK},
        data={"role": "event_organiser", "granted": "yes"},
        missing="/admin/users/999999/roles",
    ),
    # The code step of a two-factor sign-in: only after the password step, in the same session
    Case("accounts.signin_code", "GET", "/signin/code", {"anonymous": SIGNIN}),
    Case("accounts.signin_code", "POST", "/signin/code", {"anonymous": SIGNIN}, data={"code": "123456"}),
    # Two-factor sign-in: for the admins of a cause and platform admins, about themselves only
    Case(
        "accounts.two_factor_setup",
        "GET",
        "/account/two-factor",
        {"anonymous": SIGNIN, "owner": 403, "organiser": 403, "charity_admin": OK},
    ),
    Case(
        "accounts.two_factor_setup",
        "POST",
        "/account/two-factor",
        {"anonymous": SIGNIN, "owner": 403, "organiser": 403, "charity_admin": ALLOWED},
        data={"code": "000000"},
    ),
    # Accounts: the emailed token is the capability
    Case(
        "accounts.reset_password",
        "GET",
        "/reset/{token}",
        {"anonymous": OK, "stranger": OK},
        missing="/reset/not-a-token",
        missing_outcome=BACK_TO_RESET,
    ),
    Case(
        "accounts.reset_password",
        "POST",
        "/reset/{token}",
        {"anonymous": OK},
        data={"password": "a-new-long-password", "confirm": "a-new-long-password"},
        missing="/reset/not-a-token",
        missing_outcome=BACK_TO_RESET,
    ),
    Case(
        "accounts.confirm_email",
        "GET",
        "/confirm/{confirm_token}",
        {"anonymous": OK, "stranger": OK},
        missing="/confirm/not-a-token",
        missing_outcome=BACK_TO_DASHBOARD,
    ),
    Case("accounts.resend_confirmation", "POST", "/confirm/again", {"anonymous": SIGNIN, "owner": OK}),
    # Donations: published pages take gifts from anyone; the public id is the donor's capability
    Case(
        "donations.donate", "GET", "/{w.page.slug}/donate", {"anonymous": OK}, missing="/no-such-page/donate"
    ),
    Case(
        "donations.donate", "GET", "/{w.draft.slug}/donate", {"anonymous": 404, "owner": 404}, label="draft"
    ),
    Case(
        "donations.donate",
        "POST",
        "/{w.page.slug}/donate",
        {"anonymous": ALLOWED},
        data=DONATE_FORM,
        missing="/no-such-page/donate",
    ),
    Case(
        "donations.donate",
        "POST",
        "/{w.draft.slug}/donate",
        {"anonymous": 404, "owner": 404},
        data=DONATE_FORM,
        label="draft",
    ),
    Case(
        "donations.fee_estimate",
        "GET",
        "/{w.page.slug}/donate/fee?amount=10",
        {"anonymous": OK},
        missing="/no-such-page/donate/fee?amount=10",
    ),
    Case(
        "donations.fee_estimate",
        "GET",
        "/{w.draft.slug}/donate/fee?amount=10",
        {"anonymous": 404, "owner": 404},
        label="draft",
    ),
    Case(
        "donations.thank_you",
        "GET",
        "/thank-you/{w.donation.public_id}",
        {"anonymous": OK},
        missing="/thank-you/" + "0" * 32,
    ),
    Case(
        "donations.status",
        "GET",
        "/donations/{w.donation.public_id}/status",
        {"anonymous": OK},
        missing="/donations/" + "0" * 32 + "/status",
    ),
    # The card step: JSON from Stripe.js; the donation's public id is the capability
    Case(
        "donations.pay",
        "POST",
        "/donations/{w.donation.public_id}/pay",
        {"anonymous": ALLOWED},
        missing="/donations/" + "0" * 32 + "/pay",
    ),
    # Refunds: the cause's charity admins only
    Case(
        "receipts.record_advantage",
        "GET",
        "/donations/{w.donation.public_id}/advantage",
        {"anonymous": SIGNIN, "owner": 403, "donor": 403, "other_charity_admin": 403, "charity_admin": OK},
        missing="/donations/" + "0" * 32 + "/advantage",
    ),
    Case(
        "receipts.record_advantage",
        "POST",
        "/donations/{w.donation.public_id}/advantage",
        {"anonymous": SIGNIN, "owner": 403, "donor": 403, "other_charity_admin": 403, "charity_admin": OK},
        data={"description": "Race T-shirt", "amount": "8"},
        missing="/donations/" + "0" * 32 + "/advantage",
    ),
    Case(
        "refunds.refund",
        "GET",
        "/donations/{w.donation.public_id}/refund",
        {"anonymous": SIGNIN, "owner": 403, "donor": 403, "other_charity_admin": 403, "charity_admin": OK},
        missing="/donations/" + "0" * 32 + "/refund",
    ),
    Case(
        "refunds.refund",
        "POST",
        "/donations/{w.donation.public_id}/refund",
        {
            "anonymous": SIGNIN,
            "owner": 403,
            "donor": 403,
            "other_charity_admin": 403,
            "charity_admin": ALLOWED,
        },
        data={"amount": "", "reason": ""},
        missing="/donations/" + "0" * 32 + "/refund",
    ),
    # Receipts: a signed link is the capability; the donor's own list needs them signed in
    Case(
        "receipts.download",
        "GET",
        "/receipts/{receipt_token}.pdf",
        {"anonymous": OK},
        missing="/receipts/not-a-token.pdf",
    ),
    Case(
        "receipts.my_receipts",
        "GET",
        "/me/receipts",
        {"anonymous": SIGNIN, "stranger": NOT_SHOWN, "donor": OK},
        secret="{w.receipt.display_number}",
    ),
    Case(
        "receipts.make_annual",
        "POST",
        "/me/receipts/annual",
        {"anonymous": SIGNIN, "stranger": 404, "donor": ALLOWED},
        data={"cause_id": "{w.page.cause_id}", "tax_year": "{w.receipt.gift_tax_year}"},
    ),
    # How a cause is paid: its charity admins see it and connect it (single mode here: the
    # connect routes send them back to the page); platform admins set terms and payouts.
    *[
        Case(
            f"pages.{name}",
            method,
            "/causes/{w.ids[cause]}" + suffix,
            {"anonymous": SIGNIN, "owner": 403, "other_charity_admin": 403, "charity_admin": OK},
            missing="/causes/no-such-cause" + suffix,
        )
        for name, method, suffix in [
            ("cause_payments", "GET", "/payments"),
            ("connect_cause", "POST", "/payments/connect"),
            ("connect_refresh", "GET", "/payments/refresh"),
            ("connect_return", "GET", "/payments/return"),
        ]
    ],
    Case(
        "pages.set_cause_payments",
        "POST",
        "/causes/{w.ids[cause]}/payments",
        {"anonymous": SIGNIN, "owner": 403, "charity_admin": 403, "platform_admin": OK},
        data={"platform_fee_bps": "150", "collected_by_agent": "y"},
        missing="/causes/no-such-cause/payments",
    ),
    Case(
        "pages.record_agent_payout",
        "POST",
        "/causes/{w.ids[cause]}/payouts",
        {"anonymous": SIGNIN, "owner": 403, "charity_admin": 403, "platform_admin": OK},
        data={"paid_on": date.today().isoformat(), "amount": "120.50", "bank_reference": "BACS 0042"},
        missing="/causes/no-such-cause/payouts",
    ),
    # Reports: the cause's charity admins (and platform admins)
    *[
        Case(
            f"reports.{name}",
            "GET",
            "/causes/{w.ids[cause]}" + suffix,
            {"anonymous": SIGNIN, "owner": 403, "other_charity_admin": 403, "charity_admin": OK},
            missing="/causes/no-such-cause" + suffix,
        )
        for name, suffix in [
            ("dashboard", "/dashboard"),
            ("donations", "/donations"),
            ("donations_csv", "/reports/donations.csv"),
            ("summary_csv", "/reports/summary.csv"),
            ("gift_aid_csv", "/reports/gift-aid.csv"),
            ("gift_aid_zip", "/reports/gift-aid.zip"),
            ("gift_aid_excluded_csv", "/reports/gift-aid-excluded.csv"),
            ("impact_pdf", "/reports/impact.pdf"),
        ]
    ],
    Case(
        "reports.job",
        "GET",
        "/causes/{w.ids[cause]}/reports/jobs/{w.report_job.public_id}",
        {"anonymous": SIGNIN, "owner": 403, "other_charity_admin": 403, "charity_admin": OK},
        missing="/causes/{w.ids[cause]}/reports/jobs/" + "0" * 32,
    ),
    Case(
        "reports.job_download",
        "GET",
        "/causes/{w.ids[cause]}/reports/jobs/{w.report_job.public_id}/download",
        {
            "anonymous": SIGNIN,
            "owner": 403,
            "other_charity_admin": 403,
            "platform_admin": OK,
            "charity_admin": OK,
        },
        missing="/causes/{w.ids[cause]}/reports/jobs/" + "0" * 32 + "/download",
    ),
]


def fill(template: str, world: World, tokens: dict[str, str]) -> str:
    return template.format(w=world, **tokens)


def tokens_for(world: World) -> dict[str, str]:
    """The capabilities a person would hold: tokens from emailed links."""
    return {
        "token": accounts.make_reset_token(world.owner),
        "receipt_token": download_token(world.receipt.id),
        "confirm_token": accounts.make_confirm_token(world.owner),
    }


def snapshot() -> dict[str, list]:
    """Every row of every table, so a refused request can be shown to have written nothing."""
    tables = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).all()
            tables[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return tables


def check(response, outcome, case: Case, who: str, secret: str) -> None:
    status, where = response.status_code, response.headers.get("Location", "")
    said = f"{case.id} as {who}: {status} {where}"
    if outcome == SIGNIN:
        assert status in (302, 303) and "/signin" in where, said
    elif outcome == DENIED:
        assert status in (403, 404), said
    elif outcome == NO_EFFECT:
        assert status in (302, 303) and "/signin" not in where, said
    elif isinstance(outcome, int):
        assert status == outcome, said
    elif outcome == ALLOWED:
        assert status < 500 and status not in (401, 403, 404) and "/signin" not in where, said
    else:
        assert status < 400 and "/signin" not in where and "/reset" not in where, said
        if outcome == NOT_SHOWN:
            assert secret not in response.get_data(as_text=True), said


@pytest.fixture
def world(factories, app) -> World:
    return build_world(app, factories)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_route_refuses_the_wrong_people_and_serves_the_right_one(app, world, case: Case):
    tokens = tokens_for(world)
    path = fill(case.path, world, tokens)
    data = {key: fill(value, world, tokens) for key, value in case.data.items()}
    secret = fill(case.secret, world, tokens)
    *others, (right, right_outcome) = case.expect.items()
    for who, outcome in others:
        before = snapshot()
        response = request_as(app, world.person(who), path, case.method, data=data)
        check(response, outcome, case, who, secret)
        if outcome != OK:
            assert snapshot() == before, f"{case.id} as {who} was refused but changed data"
    response = request_as(app, world.person(right), path, case.method, data=data)
    check(response, right_outcome, case, right, secret)
    if case.missing:
        check_unknown_object(app, world, case, tokens)


def check_unknown_object(app, world: World, case: Case, tokens: dict[str, str]) -> None:
    """The same route for an object that does not exist is a 404 even for the right person."""
    right = list(case.expect)[-1]
    path = fill(case.missing, world, tokens)
    data = {key: fill(value, world, tokens) for key, value in case.data.items()}
    response = request_as(app, world.person(right), path, case.method, data=data)
    if case.missing_outcome == BACK_TO_RESET:
        assert response.status_code == 302 and response.headers["Location"].endswith("/reset")
    elif case.missing_outcome == BACK_TO_DASHBOARD:
        assert response.status_code == 302 and response.headers["Location"].endswith("/me")
    else:
        assert response.status_code == case.missing_outcome, f"{case.id} unknown: {response.status_code}"


@pytest.mark.parametrize("endpoint", sorted(endpoint for endpoint, method in PUBLIC if method == "GET"))
def test_public_pages_answer_an_anonymous_visitor(client, endpoint):
    rule = next(rule for rule in client.application.url_map.iter_rules() if rule.endpoint == endpoint)
    assert client.get(rule.rule).status_code == 200


def test_every_route_is_in_the_table(app):
    tabled = {(case.endpoint, case.method) for case in CASES}
    missing, wrongly_public = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            key = (rule.endpoint, method)
            if key in PUBLIC:
                if rule.arguments:
                    wrongly_public.append(f"{method} {rule.rule}")
            elif key not in tabled:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not wrongly_public, f"routes with an object cannot be simply public: {wrongly_public}"
    assert not missing, f"add these routes to CASES in {__name__}: {missing}"


def test_the_table_names_only_routes_that_exist(app):
    existing = {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods}
    tabled = {(case.endpoint, case.method) for case in CASES}
    assert not (tabled | PUBLIC) - existing
