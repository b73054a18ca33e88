"""Single mode, a cause whose gifts the operator collects as its agent: the donate page and
the receipt say who collected the gift on the charity's behalf, and the charity's payments
page shows what is owed to it against the payouts the operator recorded."""

from __future__ import annotations

from fundraiser.donations.fees import stripe_fee
from fundraiser.extensions import db
from fundraiser.models import AgentPayout, Refund
from fundraiser.money import money_text
from fundraiser.receipts import issuing
from tests.functional.donations.conftest import DonateForm


def test_the_donate_page_and_the_receipt_name_the_agent(factories, paid_donation, session, client, read_pdf):
    cause = factories.cause(legal_name="Warm Coats Trust", collected_by_agent=True)
    page = factories.page(cause=cause)
    donation = paid_donation(page, amount=2500)
    session.commit()
    form = DonateForm(client, page.slug).html
    assert "Running Together collects gifts on behalf of Warm Coats Trust, as its agent" in form
    receipt = issuing.issue_receipt(session, donation.id)
    session.commit()
    text = read_pdf(receipt.pdf)
    assert "Gift collected by Running Together as agent of Warm Coats Trust" in text


def test_a_charity_the_operator_does_not_collect_for_is_told_nothing_of_agents(
    factories, paid_donation, session, client, read_pdf
):
    page = factories.page(cause=factories.cause(legal_name="Own Account Trust"))
    donation = paid_donation(page, amount=2500)
    session.commit()
    assert "as its agent" not in DonateForm(client, page.slug).html
    receipt = issuing.issue_receipt(session, donation.id)
    session.commit()
    assert "agent" not in read_pdf(receipt.pdf)


def test_owed_and_paid_reconcile_on_the_charity_page(factories, paid_donation, session, signed_in):
    """Owed = gross - refunds - disputes - estimated Stripe fees (reports/figures.py); the
    operator's payouts are taken from it, and each one is listed with its bank reference."""
    admin, platform_admin = factories.user(), factories.user(is_platform_admin=True)
    cause = factories.cause(admins=(admin,), collected_by_agent=True)
    page = factories.page(cause=cause)
    first = paid_donation(page, amount=10_000)
    paid_donation(page, amount=5_000)
    first.refunded_amount = 1_000
    session.add(Refund(donation_id=first.id, stripe_refund_id="re_agent_1", amount=1_000, reason="asked"))
    session.commit()
    staff = signed_in(platform_admin)
    recorded = staff.post(
        f"/causes/{cause.slug}/payouts",
        data={"paid_on": "2026-06-01", "amount": "100.00", "bank_reference": "BACS 0042"},
    )
    assert recorded.status_code == 302
    refused = staff.post(
        f"/causes/{cause.slug}/payouts", data={"paid_on": "2026-06-02", "amount": "-5", "bank_reference": "x"}
    )
    assert refused.status_code == 422
    assert db.session.query(AgentPayout).count() == 1
    staff.post("/signout")
    html = signed_in(admin).get(f"/causes/{cause.slug}/payments").get_data(as_text=True)
    owed = 15_000 - 1_000 - stripe_fee(10_000, "GBP") - stripe_fee(5_000, "GBP")
    assert 'id="owed-gross-GBP">£150.00<' in html
    assert f'id="owed-GBP">{money_text(owed, "GBP")}<' in html
    assert 'id="paid-GBP">£100.00<' in html
    assert f'id="balance-GBP">{money_text(owed - 10_000, "GBP")}<' in html
    assert "2026-06-01" in html and "BACS 0042" in html
    assert "Record a payout" not in html  # only platform admins record them


def test_only_platform_admins_set_the_terms(factories, session, signed_in):
    admin = factories.user()
    cause = factories.cause(admins=(admin,))
    session.commit()
    assert (
        signed_in(admin).post(f"/causes/{cause.slug}/payments", data={"platform_fee_bps": "9"}).status_code
        == 403
    )
    platform_admin = factories.user(is_platform_admin=True)
    session.commit()
    client = signed_in(platform_admin)
    assert (
        client.post(f"/causes/{cause.slug}/payments", data={"platform_fee_bps": "10001"}).status_code == 422
    )
    saved = client.post(
        f"/causes/{cause.slug}/payments", data={"platform_fee_bps": "10000", "collected_by_agent": "y"}
    )
    assert saved.status_code == 302
    session.expire_all()
    assert (cause.platform_fee_bps, cause.collected_by_agent) == (10_000, True)
