"""Which gifts a charity may claim Gift Aid on, decided in SQL by `gift_aid_filter`: the
rows of the HMRC claim (`csv.gift_aid_csv`) and the Gift Aid figures of the reports both
read it, so the two always agree."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from fundraiser.donations.giftaid import GIFT_AID_RATE_PERCENT, GIFT_AID_SHARED_FORM_LIMIT
from fundraiser.models import Dispute, Donation, DonationStatus, GiftAidDeclaration, PledgePage, User
from fundraiser.reports.ledger import streamed
from fundraiser.reports.periods import Period


def gift_aid_filter(cause_id: int, period: Period) -> Select:
    """A select over donations joined to declaration, page and runner, limited to gifts HMRC
    lets the charity claim on. Left out, choosing the stricter reading where one is open:
    no declaration; not GBP; not `paid` (fully refunded ones are `refunded`); any refund,
    full or partial; any dispute, whatever its outcome; company gifts; gifts over £500 (a
    pledge page is a sponsorship form shared by several donors); and the runner's own gifts
    to their page (same user account, or the same email address as the runner)."""
    runner = aliased(User)
    any_dispute = exists().where(Dispute.donation_id == Donation.id)
    return (
        select()
        .select_from(Donation)
        .join(GiftAidDeclaration, GiftAidDeclaration.donation_id == Donation.id)
        .join(PledgePage, PledgePage.id == Donation.page_id)
        .join(runner, runner.id == PledgePage.runner_id)
        .where(
            Donation.cause_id == cause_id,
            Donation.paid_at >= period.start,
            Donation.paid_at < period.end,
            Donation.status == DonationStatus.PAID,
            Donation.currency == "GBP",
            Donation.refunded_amount == 0,
            Donation.disputed_amount == 0,
            ~any_dispute,
            Donation.is_company.is_(False),
            Donation.amount <= GIFT_AID_SHARED_FORM_LIMIT,
            or_(Donation.donor_user_id.is_(None), Donation.donor_user_id != PledgePage.runner_id),
            func.lower(Donation.donor_email) != func.lower(runner.email),
        )
    )


def gift_aid_totals(session: Session, cause_id: int, period: Period) -> tuple[int, int, int]:
    """(eligible gifts, their sum, Gift Aid reclaimable) in pence."""
    stmt = gift_aid_filter(cause_id, period).add_columns(
        func.count(),
        func.sum(Donation.amount),
        func.sum(Donation.amount) * GIFT_AID_RATE_PERCENT // 100,
    )
    count, eligible, reclaimable = session.execute(stmt).one()
    return int(count or 0), int(eligible or 0), int(reclaimable or 0)


def gift_aid_rows(session: Session, cause_id: int, period: Period, batch: int = 2000) -> Iterator:
    stmt = (
        gift_aid_filter(cause_id, period)
        .add_columns(
            GiftAidDeclaration.title,
            GiftAidDeclaration.first_name,
            GiftAidDeclaration.last_name,
            GiftAidDeclaration.house_name_or_number,
            GiftAidDeclaration.postcode,
            Donation.paid_at,
            Donation.amount,
        )
        .order_by(Donation.paid_at, Donation.id)
    )
    return streamed(session, stmt, batch)
