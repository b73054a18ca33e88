"""The donor's checkout, in two steps the view commits one after the other: record the gift
as a pending donation, then make (or find) its PaymentIntent.

The donation is committed before Stripe is asked, so a retry of this attempt finds it with
the same id and metadata, and the idempotency key yields the same PaymentIntent even if we
never heard Stripe's first answer. The PaymentIntent id is committed second. Back and
submit again with another amount changes the same donation and the same PaymentIntent's
amount (gateway.create_payment_intent), never a second of either. Stripe's
webhook, never the browser, marks the donation paid.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from fundraiser.donations.errors import InvalidDonation
from fundraiser.donations.fees import fee_cover
from fundraiser.donations.giftaid import GiftAidDetails
from fundraiser.donations.pending import attempt_in_progress, create_pending_donation
from fundraiser.donations.queries import find_donation
from fundraiser.donations.transitions import PAYABLE_STATUSES, lock_donation
from fundraiser.models import Donation, PledgePage
from fundraiser.payments import connect, gateway

NOT_ACCEPTING = "This charity is not accepting donations yet. Please come back soon."


@dataclass(frozen=True)
class Gift:
    """What the donor asked for on the donate form. The server works out the fee cover."""

    attempt_id: str
    amount: int
    cover_fees: bool
    donor_name: str
    donor_email: str
    message: str
    is_anonymous: bool
    is_company: bool
    gift_aid: GiftAidDetails | None
    # The donor's postal address where the receipt needs one (a CRA receipt); the Gift Aid
    # declaration's address is set by create_pending_donation.
    address: dict[str, str]
    benefit_id: int | None = None


@dataclass(frozen=True)
class CardPayment:
    """Plain values for the card step: what is charged, and the SetupIntent's client secret
    where the card becomes a PaymentMethod through one (localstripe; empty for real Stripe)."""

    public_id: str
    amount: int
    fee_cover_amount: int
    charged_amount: int
    currency: str
    donor_name: str
    donor_email: str
    is_anonymous: bool
    gift_aid_wording: str
    setup_secret: str
    platform_fee_amount: int = 0
    stripe_account: str = ""  # connect mode: the charity's account, for Stripe.js


def finished_attempt(session: Session, attempt_id: str) -> Donation | None:
    """The donation this attempt made if it is over (paid, refunded or abandoned): a reload
    of the form must not pay again. A failed one is not over: another card may pay it."""
    donation = find_donation(session, attempt_id)
    return donation if donation is not None and donation.status not in PAYABLE_STATUSES else None


def record_gift(session: Session, page: PledgePage, gift: Gift, *, donor_user_id: int | None) -> Donation:
    """Step one: the gift as a pending donation (the one this attempt made before, if any,
    changed to this gift). Raises InvalidDonation, also when the gift changed but Stripe is
    already taking the first amount; a concurrent submit of the same attempt fails the flush
    or the commit with IntegrityError, and a second try finds its donation."""
    fee_cover_amount = fee_cover(gift.amount, page.currency) if gift.cover_fees else 0
    _refuse_change_while_paying(session, page, gift, fee_cover_amount)
    donation = create_pending_donation(
        session,
        page,
        amount=gift.amount,
        fee_cover_amount=fee_cover_amount,
        donor_name=gift.donor_name,
        donor_email=gift.donor_email,
        message=gift.message,
        is_anonymous=gift.is_anonymous,
        donor_user_id=donor_user_id,
        is_company=gift.is_company,
        gift_aid=gift.gift_aid,
        attempt_id=gift.attempt_id,
        benefit_id=gift.benefit_id,
    )
    for name, value in gift.address.items():
        setattr(donation, name, value)
    session.flush()
    return donation


def _refuse_change_while_paying(
    session: Session, page: PledgePage, gift: Gift, fee_cover_amount: int
) -> None:
    """A changed gift may reuse the attempt's PaymentIntent only while Stripe has not begun
    to take the first amount (a card confirmed in another tab, its webhook not here yet)."""
    existing = attempt_in_progress(session, page, gift.attempt_id)
    if existing is None or (existing.amount, existing.fee_cover_amount) == (gift.amount, fee_cover_amount):
        return
    try:
        settled = gateway.payment_intent_settled(existing)
    except gateway.PaymentGatewayError as error:
        raise InvalidDonation({"payment": error.message}) from error
    if settled:
        raise InvalidDonation({"attempt_id": "This gift is already being paid."})


def start_card_payment(session: Session, donation_id: int) -> CardPayment:
    """Step two, on the committed donation: lock it and make (or find) its PaymentIntent.
    Raises PaymentGatewayError when Stripe fails or refuses."""
    donation = lock_donation(session, donation_id)
    cause = donation.page.cause
    if not connect.takes_gifts(cause):
        raise gateway.PaymentGatewayError(NOT_ACCEPTING)
    connect.charge_on_cause_account(donation, cause)
    gateway.create_payment_intent(donation)
    setup_secret = _setup_secret(donation)
    declaration = donation.gift_aid_declaration
    return CardPayment(
        public_id=donation.public_id,
        amount=donation.amount,
        fee_cover_amount=donation.fee_cover_amount,
        charged_amount=donation.charged_amount,
        currency=donation.currency,
        donor_name=donation.donor_name,
        donor_email=donation.donor_email,
        is_anonymous=donation.is_anonymous,
        gift_aid_wording=declaration.wording if declaration else "",
        setup_secret=setup_secret,
        platform_fee_amount=donation.platform_fee_amount,
        stripe_account=donation.stripe_account_id or "",
    )


def _setup_secret(donation: Donation) -> str:
    """localstripe's Stripe.js has no createPaymentMethod: there the card becomes a
    PaymentMethod through a SetupIntent (confirmCardSetup). Empty for real Stripe."""
    if not isinstance(gateway.get_gateway(), gateway.LocalStripeGateway):
        return ""
    return gateway.create_setup_intent(donation).client_secret
