"""Creating pending donations and moving them through their states, with the totals."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from fundraiser.donations import fees, pending, transitions
from fundraiser.donations.errors import IllegalTransition, InvalidDonation
from fundraiser.donations.giftaid import GiftAidDetails
from fundraiser.models import FundraisingTotal, GiftAidDeclaration
from tests.stripe_fixtures import assert_money_adds_up

DONOR = {"donor_name": "Ada Donor", "donor_email": "ada@example.test"}
GIFT_AID = GiftAidDetails(
    title="Ms",
    first_name="Ada",
    last_name="Donor",
    house_name_or_number="12",
    address="Kitchen Lane, Leeds",
    postcode="ls1 4ap",
)


def totals(session, page):
    session.expire_all()
    rows = session.scalars(select(FundraisingTotal).order_by(FundraisingTotal.scope)).all()
    return (page.raised_amount, page.donation_count), {
        (row.scope, row.currency): (row.raised_amount, row.donation_count) for row in rows
    }


def test_pending_donation_takes_the_page_currency_and_the_server_fee(session, factories):
    page = factories.page(cause=factories.cause("US"))
    fee = fees.fee_cover(2500, "USD")
    donation = pending.create_pending_donation(session, page, amount=2500, fee_cover_amount=fee, **DONOR)
    assert (donation.currency, donation.charged_amount, donation.status) == ("USD", 2500 + fee, "pending")
    assert (donation.cause_id, donation.event_id) == (page.cause_id, page.event_id)
    assert totals(session, page)[0] == (0, 0)


def test_pending_donation_refuses_bad_input_with_field_messages(session, factories):
    page = factories.page()
    with pytest.raises(InvalidDonation) as refused:
        pending.create_pending_donation(
            session, page, amount=29, donor_name=" ", donor_email="not-an-email", message="x" * 1001
        )
    assert set(refused.value.errors) == {"amount", "donor_name", "donor_email", "message"}
    assert refused.value.errors["message"] == "Use at most 1,000 characters."
    with pytest.raises(InvalidDonation) as refused:
        pending.create_pending_donation(session, page, amount=2500, fee_cover_amount=1, **DONOR)
    assert set(refused.value.errors) == {"fee_cover_amount"}


def test_control_characters_are_refused(session, factories):
    page = factories.page()
    with pytest.raises(InvalidDonation) as refused:
        pending.create_pending_donation(
            session, page, amount=2500, donor_name="Ada\x00", donor_email="ada@example.test", message="hi\x07"
        )
    assert set(refused.value.errors) == {"donor_name", "message"}


def test_draft_pages_take_no_donations(session, factories):
    page = factories.page(status="draft")
    with pytest.raises(InvalidDonation) as refused:
        pending.create_pending_donation(session, page, amount=2500, **DONOR)
    assert "page" in refused.value.errors


def test_the_same_attempt_returns_the_same_donation(session, factories):
    page = factories.page()
    attempt = uuid.uuid4().hex
    first = pending.create_pending_donation(session, page, amount=2500, attempt_id=attempt, **DONOR)
    again = pending.create_pending_donation(session, page, amount=2500, attempt_id=attempt, **DONOR)
    assert first.id == again.id and first.public_id == attempt
    # Back and submit again with another amount: the same donation, changed.
    changed = pending.create_pending_donation(session, page, amount=3000, attempt_id=attempt, **DONOR)
    assert (changed.id, changed.amount, changed.charged_amount) == (first.id, 3000, 3000)
    with pytest.raises(InvalidDonation):  # the same attempt on another page
        pending.create_pending_donation(session, factories.page(), amount=3000, attempt_id=attempt, **DONOR)
    first.status = "paid"
    with pytest.raises(InvalidDonation):  # an attempt that is over
        pending.create_pending_donation(session, page, amount=3000, attempt_id=attempt, **DONOR)


def test_gift_aid_declaration_is_stored_with_hmrc_wording(session, factories):
    page = factories.page()
    donation = pending.create_pending_donation(session, page, amount=2000, gift_aid=GIFT_AID, **DONOR)
    declaration = session.scalar(
        select(GiftAidDeclaration).where(GiftAidDeclaration.donation_id == donation.id)
    )
    assert declaration.postcode == "LS1 4AP"
    assert declaration.wording.startswith(
        f"I want to Gift Aid my donation of £20.00 to {page.cause.legal_name}."
    )
    assert "it is my responsibility to pay any difference" in declaration.wording


def test_gift_aid_is_refused_where_hmrc_does_not_allow_it(session, factories):
    us_page = factories.page(cause=factories.cause("US"))
    with pytest.raises(InvalidDonation) as refused:
        pending.create_pending_donation(session, us_page, amount=2000, gift_aid=GIFT_AID, **DONOR)
    assert "gift_aid" in refused.value.errors
    # HMRC Chapter 3.38: a runner's own gift is refused only where the event gives runners a
    # benefit for their fundraising.
    page = factories.page(event=factories.event(participant_benefit=True))
    with pytest.raises(InvalidDonation) as refused:
        pending.create_pending_donation(
            session, page, amount=2000, donor_user_id=page.runner_id, gift_aid=GIFT_AID, **DONOR
        )
    assert "benefit" in refused.value.errors["gift_aid"]
    plain_page = factories.page()
    own = pending.create_pending_donation(
        session, plain_page, amount=2000, donor_user_id=plain_page.runner_id, gift_aid=GIFT_AID, **DONOR
    )
    assert own.gift_aid_declaration is not None
    incomplete = GiftAidDetails(
        first_name="Ada", last_name="", house_name_or_number="", address="x", postcode="12345"
    )
    with pytest.raises(InvalidDonation) as refused:
        pending.create_pending_donation(session, page, amount=2000, gift_aid=incomplete, **DONOR)
    assert set(refused.value.errors) == {"last_name", "house_name_or_number", "postcode"}


def test_paid_counts_once_and_failed_never_unpays(session, factories):
    page = factories.page()
    donation = pending.create_pending_donation(session, page, amount=2500, fee_cover_amount=59, **DONOR)
    assert transitions.mark_paid(session, donation, charge_id="ch_1") is True
    assert transitions.mark_paid(session, donation, charge_id="ch_1") is False
    assert totals(session, page) == ((2500, 1), {("cause", "GBP"): (2500, 1), ("event", "GBP"): (2500, 1)})
    with pytest.raises(IllegalTransition):
        transitions.mark_failed(session, donation, "Your card was declined.")
    assert donation.status == "paid"
    assert_money_adds_up(session)


def test_failed_then_paid_with_another_card(session, factories):
    donation = pending.create_pending_donation(session, factories.page(), amount=2500, **DONOR)
    transitions.mark_failed(session, donation, "Your card was declined.")
    assert (donation.status, donation.failure_message) == ("failed", "Your card was declined.")
    assert transitions.mark_paid(session, donation, charge_id="ch_2") is True
    assert (donation.status, donation.failure_message) == ("paid", "")


def test_refunds_take_out_at_most_the_gift_and_apply_once(session, factories):
    page = factories.page()
    donation = pending.create_pending_donation(session, page, amount=2500, fee_cover_amount=59, **DONOR)
    with pytest.raises(IllegalTransition):
        transitions.apply_refund(session, donation, stripe_refund_id="re_early", amount=100)
    transitions.mark_paid(session, donation, charge_id="ch_3")
    assert transitions.apply_refund(session, donation, stripe_refund_id="re_1", amount=500) is not None
    assert transitions.apply_refund(session, donation, stripe_refund_id="re_1", amount=500) is None
    assert totals(session, page)[0] == (2000, 1)
    with pytest.raises(IllegalTransition):
        transitions.apply_refund(session, donation, stripe_refund_id="re_too_much", amount=2060)
    transitions.apply_refund(session, donation, stripe_refund_id="re_2", amount=2059)
    assert (donation.status, donation.refunded_amount) == ("refunded", 2559)
    assert totals(session, page) == ((0, 0), {("cause", "GBP"): (0, 0), ("event", "GBP"): (0, 0)})
    assert transitions.mark_paid(session, donation, charge_id=None) is False
    with pytest.raises(IllegalTransition):
        transitions.mark_failed(session, donation, "Your card was declined.")
    assert donation.status == "refunded"
    assert_money_adds_up(session)


def test_disputes_withdraw_and_a_win_returns_the_money(session, factories):
    page = factories.page()
    won = pending.create_pending_donation(session, page, amount=2000, **DONOR)
    lost = pending.create_pending_donation(session, page, amount=3000, **DONOR)
    with pytest.raises(IllegalTransition):
        transitions.open_dispute(session, won, stripe_dispute_id="dp_early", amount=2000)
    for donation in (won, lost):
        transitions.mark_paid(session, donation, charge_id=None)
    transitions.open_dispute(session, won, stripe_dispute_id="dp_won", amount=2000, reason="fraudulent")
    transitions.open_dispute(session, lost, stripe_dispute_id="dp_lost", amount=3000)
    assert transitions.open_dispute(session, lost, stripe_dispute_id="dp_lost", amount=3000) is None
    assert totals(session, page)[0] == (0, 0)
    assert transitions.close_dispute(session, won, stripe_dispute_id="dp_won", won=True) is True
    assert transitions.close_dispute(session, lost, stripe_dispute_id="dp_lost", won=False) is True
    assert transitions.close_dispute(session, won, stripe_dispute_id="dp_won", won=False) is False
    assert totals(session, page)[0] == (2000, 1)
    with pytest.raises(IllegalTransition):
        transitions.close_dispute(session, won, stripe_dispute_id="dp_unknown", won=True)
    assert_money_adds_up(session)


def test_only_a_gift_waiting_for_payment_may_be_abandoned(session, factories):
    page = factories.page()
    waiting, declined, paid = (
        pending.create_pending_donation(session, page, amount=2500, **DONOR) for _ in range(3)
    )
    declined.status, paid.status = "failed", "paid"
    transitions.mark_abandoned(session, waiting)
    transitions.mark_abandoned(session, declined)
    assert (waiting.status, declined.status) == ("abandoned", "abandoned")
    with pytest.raises(IllegalTransition):
        transitions.mark_abandoned(session, paid)
    with pytest.raises(IllegalTransition):  # abandoned is the end: no card can pay it now
        transitions.mark_paid(session, waiting, charge_id="ch_late")
    assert "abandoned" not in transitions.PAYABLE_STATUSES
