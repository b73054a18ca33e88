"""Small rules behind receipts: tax years, numbers, place of issue, Gift Aid exclusions."""

from __future__ import annotations

from datetime import date

from fundraiser.countries import tax_year_of
from fundraiser.models import Donation, Event, PledgePage, User
from fundraiser.receipts.emails import email_backoff
from fundraiser.receipts.numbering import cause_prefix, display_number
from fundraiser.receipts.values import gift_aid_exclusion, place_of_issue


def test_uk_tax_years_start_on_6_april_and_others_on_1_january():
    assert tax_year_of("GB", date(2027, 4, 5)) == 2026
    assert tax_year_of("GB", date(2026, 4, 6)) == 2026
    assert tax_year_of("GB", date(2026, 4, 5)) == 2025
    assert tax_year_of("US", date(2026, 12, 31)) == 2026
    assert tax_year_of("CA", date(2027, 1, 1)) == 2027


def test_receipt_numbers_read_well():
    assert cause_prefix("hot-meals-leeds") == "HML"
    assert cause_prefix("oxfam") == "OXF"
    assert display_number("hot-meals", "single", 123) == "HM-000123"
    assert display_number("hot-meals", "annual", 7, 2026) == "HM-Y2026-00007"


def test_place_of_issue_is_the_charitys_locality():
    assert place_of_issue("88 Maple Avenue, Toronto, ON M5V 2T6, Canada") == "Toronto, ON"
    assert place_of_issue("1 Rue Main, Montréal, QC H2X 1Y4, Canada") == "Montréal, QC"
    assert place_of_issue("Vancouver") == "Vancouver"


def test_email_retries_back_off_up_to_a_day():
    assert [email_backoff(n).total_seconds() // 60 for n in (1, 2, 3)] == [5, 15, 45]
    assert email_backoff(20).total_seconds() == 24 * 3600


def test_gift_aid_exclusions_follow_the_claim_rules():
    """HMRC Chapter 3: Gift Aid on what the donor gave and the charity kept (a partial refund or
    a fee cover still claimable; a full refund not), gifts over £500 claimable when listed with
    the donor (3.38), a runner's own gift claimable unless the event gives runners a benefit
    for their fundraising (3.38 onwards)."""
    runner = User(id=7, email="runner@example.test", name="R", password_hash="x")
    page = PledgePage(runner=runner, event=Event(participant_benefit=False))
    benefit_page = PledgePage(runner=runner, event=Event(participant_benefit=True))

    def gift(**fields) -> Donation:
        values = dict(
            currency="GBP",
            amount=2000,
            fee_cover_amount=0,
            refunded_amount=0,
            disputed_amount=0,
            advantage_amount=0,
            is_company=False,
            donor_email="friend@example.test",
            donor_user_id=None,
            page=page,
        )
        values.update(fields)
        return Donation(**values)

    assert gift_aid_exclusion(gift()) == ""
    assert "company" in gift_aid_exclusion(gift(is_company=True))
    assert gift_aid_exclusion(gift(refunded_amount=500)) == ""
    assert gift_aid_exclusion(gift(refunded_amount=1999)) == ""
    assert "refunded in full" in gift_aid_exclusion(gift(refunded_amount=2000))
    assert gift_aid_exclusion(gift(fee_cover_amount=80, refunded_amount=2000)) == ""
    assert "event entry" in gift_aid_exclusion(gift(advantage_amount=1500))
    assert gift_aid_exclusion(gift(amount=50001)) == ""
    assert gift_aid_exclusion(gift(donor_user_id=7)) == ""
    assert "runner's own" in gift_aid_exclusion(gift(donor_user_id=7, page=benefit_page))
    assert "runner's own" in gift_aid_exclusion(gift(donor_email="Runner@Example.test", page=benefit_page))
    assert "pounds sterling" in gift_aid_exclusion(gift(currency="EUR"))
