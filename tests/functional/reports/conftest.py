"""A known set of donations for the reports tests, with every figure worked out by hand in
the tests that use it. Period: 1 February to 31 March 2026 in Europe/London."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from fundraiser.extensions import db
from fundraiser.models import Dispute, Donation, GiftAidDeclaration, ImpactUnit, Receipt, Refund

PERIOD = {"from": "2026-02-01", "to": "2026-03-31"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_donation(
    page, amount: int, paid_at: str | None, *, status: str | None = None, fee_cover: int = 0, **fields
):
    """A donation on `page`; `paid_at` None means never paid (give a status, and created_at)."""
    paid = at(paid_at) if paid_at else None
    fields.setdefault("created_at", (paid - timedelta(minutes=1)) if paid else at("2026-03-15T12:00:00"))
    fields.setdefault("donor_name", "A Donor")
    fields.setdefault("donor_email", f"donor{amount}@example.test")
    donation = Donation(
        page_id=page.id,
        cause_id=page.cause_id,
        event_id=page.event_id,
        team_id=page.team_id,
        currency=page.currency,
        amount=amount,
        fee_cover_amount=fee_cover,
        charged_amount=amount + fee_cover,
        status=status or ("paid" if paid else "pending"),
        paid_at=paid,
        **fields,
    )
    db.session.add(donation)
    db.session.flush()
    return donation


def declare(donation, first="Dan", last="Donor", house="12", postcode="LS1 4AP", title="Mr", **fields):
    db.session.add(
        GiftAidDeclaration(
            **fields,
            donation_id=donation.id,
            title=title,
            first_name=first,
            last_name=last,
            house_name_or_number=house,
            address=f"{house} Kitchen Lane, Leeds",
            postcode=postcode,
            wording="I want Gift Aid to be claimed.",
        )
    )
    db.session.flush()


@pytest.fixture
def known(factories):
    """Two currencies, every status, refunds, disputes, Gift Aid and its exclusions."""
    f = factories
    admin = f.user(name="Charity Admin", email="charity@example.test")
    cause = f.cause("GB", admins=(admin,), name="Hot Meals", slug="hot-meals")
    cause.impact_units.append(
        ImpactUnit(amount=2500, currency="GBP", singular="night in a shelter", plural="nights in a shelter")
    )
    cause.impact_units.append(ImpactUnit(amount=1000, currency="EUR", singular="tree", plural="trees"))
    e1 = f.event(causes=(cause,), name="City 10K", distance_m=10_000)
    # Runners of the Half Marathon get a benefit for their fundraising (HMRC Chapter 3.38):
    # their own gifts are not claimable there; Alice's on the City 10K are.
    e2 = f.event(causes=(cause,), name="Half Marathon", distance_m=21_097, participant_benefit=True)
    e3 = f.event(causes=(cause,), name="Dublin Fun Run", distance_m=None)
    alice = f.user(name="Alice Runner", email="alice@example.test")
    bob = f.user(name="Bob Runner", email="bob@example.test")
    carol = f.user(name="Carol Runner", email="carol@example.test")
    team = f.team(captain=alice, name="Leeds Harriers")
    page_a = f.page(runner=alice, event=e1, cause=cause, title="Alice runs the City 10K", team=team)
    page_b = f.page(runner=bob, event=e2, cause=cause, title="Bob runs a half", show_in_listings=False)
    page_c = f.page(runner=carol, event=e3, cause=cause, title="Carol runs in Dublin", currency="EUR")
    d = SimpleNamespace()
    d.d1 = make_donation(
        page_a,
        2000,
        "2026-03-02T10:00:00",
        fee_cover=50,
        donor_name="Dan Donor",
        donor_email="dan@example.test",
        message="Go Alice!",
    )
    declare(d.d1)
    d.d2 = make_donation(
        page_a,
        5000,
        "2026-03-05T10:00:00",
        status="refunded",
        refunded_amount=5000,
        donor_email="eve@example.test",
    )
    declare(d.d2, first="Eve")
    db.session.add(Refund(donation_id=d.d2.id, stripe_refund_id="re_full", amount=5000, reason="asked"))
    d.d3 = make_donation(
        page_a, 3000, "2026-03-10T10:00:00", refunded_amount=1000, donor_email="frank@example.test"
    )
    declare(d.d3, first="Frank")
    db.session.add(Refund(donation_id=d.d3.id, stripe_refund_id="re_part", amount=1000, reason="typo"))
    d.d4 = make_donation(page_b, 60000, "2026-03-12T10:00:00", donor_email="grace@example.test")
    declare(d.d4, first="Grace")
    d.d5 = make_donation(
        page_b, 50000, "2026-03-12T11:00:00", donor_email="henry@example.test", donor_name="Henry Big"
    )
    declare(d.d5, first="Henry", last="Big", house="Rose Cottage", postcode="yo1 7hh", title="Dr")
    d.d6 = make_donation(
        page_a, 1500, "2026-03-13T10:00:00", donor_user_id=alice.id, donor_email="alice@example.test"
    )
    declare(d.d6, first="Alice")
    d.d7 = make_donation(page_b, 2500, "2026-03-14T10:00:00", donor_email="BOB@example.test")
    declare(d.d7, first="Bob")
    d.d8 = make_donation(
        page_a, 10000, "2026-03-15T10:00:00", is_company=True, donor_email="acme@example.test"
    )
    declare(d.d8, first="Acme")
    d.d9 = make_donation(
        page_b, 4000, "2026-03-16T10:00:00", disputed_amount=4000, donor_email="ivan@example.test"
    )
    declare(d.d9, first="Ivan")
    db.session.add(Dispute(donation_id=d.d9.id, stripe_dispute_id="dp_open", amount=4000, status="open"))
    d.d10 = make_donation(page_b, 3500, "2026-03-17T10:00:00", donor_email="judy@example.test")
    declare(d.d10, first="Judy")
    db.session.add(Dispute(donation_id=d.d10.id, stripe_dispute_id="dp_won", amount=3500, status="won"))
    d.d11 = make_donation(
        page_a, 1200, "2026-03-18T10:00:00", disputed_amount=1200, donor_email="ken@example.test"
    )
    db.session.add(Dispute(donation_id=d.d11.id, stripe_dispute_id="dp_lost", amount=1200, status="lost"))
    d.d12 = make_donation(
        page_a,
        800,
        "2026-03-19T10:00:00",
        is_anonymous=True,
        donor_name="Secret Sam",
        donor_email="sam@example.test",
        message="Anon message",
    )
    d.d13 = make_donation(
        page_a, 2000, "2026-03-20T10:00:00", donor_name="Dan Donor", donor_email="Dan@Example.test"
    )
    d.d14 = make_donation(page_a, 9999, None, status="failed", donor_email="failed@example.test")
    d.d15 = make_donation(page_b, 7777, None, status="pending", donor_email="pending@example.test")
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (BST): outside the period.
    d.d16 = make_donation(page_a, 4200, "2026-03-31T23:30:00", donor_email="late@example.test")
    declare(d.d16, first="Late")
    # 23:30 UTC on 28 February is still February in London (GMT): inside.
    d.d17 = make_donation(page_a, 3300, "2026-02-28T23:30:00", donor_email="leo@example.test")
    declare(d.d17, first="Leo", last="Lion", house="7", postcode="M1 1AA", title="")
    other_donor = f.user(name="Mia Donor", email="mia@example.test")
    d.d18 = make_donation(
        page_a, 1000, "2026-03-01T00:10:00", donor_user_id=other_donor.id, donor_email="mia@example.test"
    )
    declare(d.d18, first="Mia", last="Donor", house="3", postcode="LS2 9JT", title="Ms")
    d.d19 = make_donation(page_a, 3100, "2026-01-31T23:59:00", donor_email="jan@example.test")
    d.e1 = make_donation(page_c, 1000, "2026-03-03T10:00:00", donor_email="olga@example.test")
    d.e2 = make_donation(
        page_c, 2500, "2026-03-20T10:00:00", refunded_amount=500, donor_email="pete@example.test"
    )
    declare(d.e2, first="Pete")
    d.e3 = make_donation(page_c, 700, None, status="failed", donor_email="quinn@example.test")
    other_cause = f.cause("GB", slug="other-cause")
    other_page = f.page(cause=other_cause)
    d.other = make_donation(other_page, 99999, "2026-03-10T10:00:00", donor_email="elsewhere@example.test")
    declare(d.other)
    d.receipt = Receipt(
        cause_id=cause.id,
        number=7,
        display_number="HM-0007",
        kind="single",
        donation_id=d.d1.id,
        donor_email="dan@example.test",
        amount=2000,
        currency="GBP",
        pdf=b"%PDF-1.7",
        pdf_sha256="0" * 64,
    )
    db.session.add(d.receipt)
    db.session.commit()
    return SimpleNamespace(
        cause=cause,
        admin=admin,
        alice=alice,
        bob=bob,
        team=team,
        pages=(page_a, page_b, page_c),
        other_cause=other_cause,
        d=d,
    )
