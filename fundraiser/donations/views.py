"""The donor's path: the donate form, the card step, the thank-you page and its status.

The server decides what is charged: the gift parsed from the form, plus the fee cover it
estimates itself. Each showing of the form carries an attempt token that becomes the
donation's public id, so the same attempt posted twice finds the same donation and the
same PaymentIntent. Stripe's webhook, never the browser, marks a donation paid.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fundraiser.donations import card_testing, checkout, fees
from fundraiser.donations.amounts import amount_error, maximum_amount, smallest_gift
from fundraiser.donations.benefit_choice import benefit_options
from fundraiser.donations.challenge import new_challenge, solution_accepted
from fundraiser.donations.errors import InvalidDonation
from fundraiser.donations.fees import basis_points_text
from fundraiser.donations.forms import DonateForm, DonationContext, new_attempt_token, preset_amounts
from fundraiser.donations.giftaid import TITLE_CHOICES, gift_aid_allowed
from fundraiser.donations.queries import find_donation
from fundraiser.donations.thank_you import shows_donor_details
from fundraiser.donations.transitions import PAYABLE_STATUSES
from fundraiser.extensions import db, limiter
from fundraiser.models import Donation, DonationStatus, PledgePage
from fundraiser.models.donations import CARD_ATTEMPTS_PER_DONATION
from fundraiser.money import MoneyError, format_money, parse_amount
from fundraiser.payments import connect, gateway
from fundraiser.payments.gateway import PaymentGatewayError
from fundraiser.permissions import or_404, signed_in_user
from fundraiser.receipts.links import receipt_link_for_donation

log = logging.getLogger(__name__)
bp = Blueprint("donations", __name__)

# Where a rule broken in the donations service is shown on the form.
SERVICE_FIELDS = {
    "amount": "other_amount",
    "fee_cover_amount": "cover_fees",
    "donor_name": "donor_name",
    "donor_email": "donor_email",
    "message": "message",
    "gift_aid": "gift_aid",
    "title": "gift_aid_title",
    "first_name": "gift_aid_first_name",
    "last_name": "gift_aid_last_name",
    "house_name_or_number": "gift_aid_house",
    "address": "gift_aid_address",
    "postcode": "gift_aid_postcode",
    "benefit": "benefit",
}


# The browser's session remembers a declined card: its next donate form asks for a challenge.
DECLINED_KEY = "card_declined"
PAGE_BUSY = (
    "This page is receiving too many donation attempts right now. Please wait a minute, then try again."
)


def _log_refusal(limit: RequestLimit) -> None:
    log.warning(
        "Refused a donation attempt: rate limit %s reached by IP %s on page %s (%s %s)",
        limit.limit,
        get_remote_address(),
        (request.view_args or {}).get("slug", "-"),
        request.method,
        request.path,
    )


def published_page(slug: str) -> PledgePage:
    """Donations go only to published pages; anything else is not found."""
    page = db.session.scalar(select(PledgePage).where(PledgePage.slug == slug))
    if page is None or not page.is_published:
        abort(404)
    return page


def donation_context(page: PledgePage) -> DonationContext:
    return DonationContext(
        currency=page.currency,
        cause_country=page.cause.country,
        min_amount=smallest_gift(page.currency, page.cause.smallest_gift_amounts),
        max_amount=maximum_amount(page.currency),
        offers_gift_aid=gift_aid_allowed(page),
        asks_runner_family=gift_aid_allowed(page) and page.event.participant_benefit,
        benefits=benefit_options(db.session, page),
    )


def page_summary(page: PledgePage) -> dict:
    """The plain values the donation templates show about a page."""
    cause = page.cause
    return {
        "accepting_gifts": connect.takes_gifts(cause),
        "collected_by": current_app.config["PLATFORM_NAME"] if connect.collected_by_agent(cause) else "",
        "platform_fee_bps": cause.platform_fee_bps if connect.connect_mode() else 0,
        "platform_fee_text": basis_points_text(cause.platform_fee_bps),
        "slug": page.slug,
        "title": page.title,
        "currency": page.currency,
        "cause_name": page.cause.name,
        "cause_legal_name": page.cause.legal_name,
        "cause_country": page.cause.country,
        "runner_name": page.runner.name,
    }


@bp.route("/<slug>/donate", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["DONATION_RATE_LIMIT"],
    methods=["POST"],
    error_message="Too many donation attempts came from your connection in a short time. "
    "Please wait a minute, then try again.",
    on_breach=_log_refusal,
)
def donate(slug: str):
    page = published_page(slug)
    if not connect.takes_gifts(page.cause):
        # Runners can make pages before the charity's Stripe account can take charges.
        status = 200 if request.method == "GET" else 409
        return render_template("donations/not_accepting.html", page=page_summary(page)), status
    context = donation_context(page)
    form = DonateForm(context)
    if request.method == "GET":
        _preselect_amount(form, context)
    elif form.validate_on_submit():
        finished = checkout.finished_attempt(db.session, form.attempt.data)
        if finished is not None:
            # This attempt was already paid for (or failed): a reload must not pay again.
            return redirect(url_for("donations.thank_you", public_id=finished.public_id))
        if refusal := _card_testing_refusal(page, form):
            return refusal
        payment = _start_payment(page, form)
        if payment is not None:
            return render_template("donations/pay.html", page=page_summary(page), payment=payment)
    status = 200 if request.method == "GET" else _failed_status(form)
    return _render_form(page, form), status


def _card_testing_refusal(page: PledgePage, form: DonateForm):
    """A page that made all the PaymentIntents it may for now answers 429; a form that must
    carry a solved challenge (card_testing.challenge_required) and does not is shown again."""
    if card_testing.page_closed_to_new_payments(page.slug):
        log.warning(
            "Refused a donation attempt: page %s made DONATION_PAGE_RATE_LIMIT PaymentIntents", page.slug
        )
        return _render_form(page, form, error=PAGE_BUSY), 429
    if _challenge_needed(page) and not solution_accepted(request.form.get("altcha")):
        return _render_form(page, form, error=CHALLENGE_MISSING), 422
    return None


CHALLENGE_MISSING = (
    "Please let the automatic check above the button finish (it takes a few seconds), then try again."
)


def _challenge_needed(page: PledgePage) -> bool:
    return card_testing.challenge_required(page.slug, declined_before=bool(session.get(DECLINED_KEY)))


def _failed_status(form: DonateForm) -> int:
    return 503 if form.gateway_failed else 422


def _render_form(page: PledgePage, form: DonateForm, error: str = "") -> str:
    context = form.context
    example = 2500 if context.currency != "JPY" else 3000
    if error:
        form.form_errors.append(error)
    return render_template(
        "donations/donate.html",
        page=page_summary(page),
        form=form,
        context=context,
        fee_example=fees.fee_cover(example, context.currency),
        fee_example_amount=example,
        challenge=new_challenge() if _challenge_needed(page) else "",
        gift_aid_titles=TITLE_CHOICES,
    )


def _preselect_amount(form: DonateForm, context: DonationContext) -> None:
    """The panel on the pledge page links here with ?amount=<minor units>."""
    wanted = request.args.get("amount", "")
    choices = [choice.value for choice in form.amount_choice.choices]
    form.amount_choice.data = wanted if wanted in choices else choices[1]


def _start_payment(page: PledgePage, form: DonateForm) -> dict | None:
    """Record the pending donation and commit, then make (or find) its PaymentIntent and
    commit again (donations/checkout.py says why in that order)."""
    donation = _record_gift(page, form)
    if donation is None:
        return None
    first_intent = donation.stripe_payment_intent_id is None
    try:
        payment = checkout.start_card_payment(db.session, donation.id)
    except PaymentGatewayError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        form.gateway_failed = True
        return None
    db.session.commit()
    if first_intent:
        card_testing.count_payment_intent(page.slug)
    config = current_app.config
    return asdict(payment) | {
        "publishable_key": config.get("STRIPE_PUBLISHABLE_KEY") or "",
        "stripe_js_url": config["STRIPE_JS_URL"],
    }


def _record_gift(page: PledgePage, form: DonateForm) -> Donation | None:
    user = signed_in_user()
    gift = _gift(form)
    for _ in range(2):
        try:
            donation = checkout.record_gift(db.session, page, gift, donor_user_id=user.id if user else None)
            db.session.commit()
            return donation
        except InvalidDonation as error:
            db.session.rollback()
            _show_service_errors(form, error.errors)
            return None
        except IntegrityError:
            # A double click raced us to the same attempt: the second pass finds its donation.
            db.session.rollback()
    form.form_errors.append("We could not record your gift. Please try again.")
    return None


def _gift(form: DonateForm) -> checkout.Gift:
    return checkout.Gift(
        attempt_id=form.attempt.data,
        amount=form.amount_minor,
        cover_fees=bool(form.cover_fees.data),
        donor_name=form.donor_name.data,
        donor_email=form.donor_email.data,
        message=form.message.data or "",
        is_anonymous=form.anonymous,
        is_company=bool(form.is_company.data),
        gift_aid=form.gift_aid_details(),
        address=form.address_details(),
        benefit_id=form.benefit_id,
    )


def _show_service_errors(form: DonateForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        if name == "attempt_id":
            # The form was already used for a different gift: a fresh attempt, values kept.
            form.attempt.data = new_attempt_token()
            form.form_errors.append(
                "Your gift changed after you started to pay, so it is a new gift: "
                "check the details and press Continue to payment again."
            )
        elif name in SERVICE_FIELDS:
            getattr(form, SERVICE_FIELDS[name]).errors = [message]
        else:
            form.form_errors.append(message)


@bp.get("/<slug>/donate/fee")
def fee_estimate(slug: str):
    """The fee cover for an amount, for the form to show as the donor types. The donate
    POST computes it again; this answer is only ever displayed."""
    page = published_page(slug)
    try:
        amount = parse_amount(request.args.get("amount"), page.currency)
    except MoneyError as error:
        return jsonify(error=str(error)), 400
    if problem := amount_error(
        amount, page.currency, smallest_gift(page.currency, page.cause.smallest_gift_amounts)
    ):
        return jsonify(error=problem), 400
    fee = fees.fee_cover(amount, page.currency)
    return jsonify(
        amount=amount,
        fee=fee,
        total=amount + fee,
        currency=page.currency,
        fee_formatted=format_money(fee, page.currency),
        total_formatted=format_money(amount + fee, page.currency),
    )


def donation_by_public_id(public_id: str) -> Donation:
    """The public id is the capability: whoever holds it may see this gift's status."""
    if not re.fullmatch(r"[0-9a-f]{32}", public_id):
        abort(404)
    return or_404(find_donation(db.session, public_id))


def donation_status(donation: Donation) -> dict:
    """What the thank-you page and its status JSON may show: no email, no address; after a
    day not the donor's name either (thank_you.shows_donor_details)."""
    page = donation.page
    details = shows_donor_details(donation, current_app.config["THANK_YOU_DETAILS_HOURS"])
    return {
        "status": donation.status,
        "name": donation.public_name if details else "",
        "amount": format_money(donation.amount, donation.currency),
        "charged": format_money(donation.charged_amount, donation.currency),
        "page_raised": format_money(page.raised_amount, page.currency),
        "page_donation_count": page.donation_count,
        "failure_message": donation.failure_message if donation.status == DonationStatus.FAILED else "",
    }


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/thank-you/<public_id>")
def thank_you(public_id: str):
    donation = donation_by_public_id(public_id)
    details_shown = shows_donor_details(donation, current_app.config["THANK_YOU_DETAILS_HOURS"])
    body = render_template(
        "donations/thank_you.html",
        donation=donation_status(donation),
        details_shown=details_shown,
        page=page_summary(donation.page),
        public_id=public_id,
        receipt_url=receipt_link_for_donation(db.session, donation.id)
        if donation.status == DonationStatus.PAID and details_shown
        else None,
    )
    return _no_store(current_app.make_response(body))


@bp.get("/donations/<public_id>/status")
def status(public_id: str):
    donation = donation_by_public_id(public_id)
    return _no_store(jsonify(donation_status(donation)))


@bp.post("/donations/<public_id>/pay")
@limiter.limit(
    lambda: current_app.config["DONATION_RATE_LIMIT"],
    scope="donation-pay",
    error_message="Too many card attempts came from your connection. Please wait a minute, then try again.",
    on_breach=_log_refusal,
)
def pay(public_id: str):
    """Pay the donation's PaymentIntent with the PaymentMethod Stripe.js made from the card.

    JSON in: {"payment_method": "pm_...", "altcha": "<solution>"}. JSON out: the
    PaymentIntent's status and client secret (for 3-D Secure in the browser when it is
    `requires_action`), or the refusal in words. After a failed card the next one needs a
    solved challenge (the refusal carries it); after CARD_ATTEMPTS_PER_DONATION cards the
    donor starts again (`restart_url`). Only Stripe's webhook marks the donation paid.
    """
    donation = donation_by_public_id(public_id)
    body = request.get_json(silent=True)
    payment_method = body.get("payment_method") if isinstance(body, dict) else None
    if not isinstance(payment_method, str):
        return jsonify(error="We could not read the card details. Please try again."), 400
    if not gateway.is_payment_method_id(payment_method):
        return jsonify(error="We could not read the card details. Please try again."), 402
    if refusal := _card_attempt_refusal(donation, body):
        return refusal
    try:
        fingerprint = gateway.card_fingerprint(payment_method, stripe_account=donation.stripe_account_id)
    except PaymentGatewayError as error:
        return jsonify(error=error.message), 402
    if card_testing.card_refused(fingerprint):
        log.warning("Refused card %s on donation %s: declined too often", fingerprint, donation.public_id)
        return jsonify(error=CARD_REFUSED), 402
    if not card_testing.take_card_attempt(db.session, donation.id):
        return _start_again(donation)
    db.session.commit()
    try:
        intent = gateway.confirm_payment(donation, payment_method)
    except PaymentGatewayError as error:
        return _declined(donation, error, fingerprint), 402
    return jsonify(status=intent.status, client_secret=intent.client_secret)


CARD_REFUSED = (
    "This card was declined several times lately, so we cannot try it again now. Please use another card."
)


def _card_attempt_refusal(donation: Donation, body: dict):
    """None when this card may be tried: the donation has attempts left, and after a failed
    card the request carries a solved challenge."""
    if donation.status not in PAYABLE_STATUSES:
        return jsonify(error="This donation is no longer waiting for payment."), 402
    if donation.card_attempts >= CARD_ATTEMPTS_PER_DONATION:
        return _start_again(donation)
    altcha = body.get("altcha")
    if donation.card_attempts and not solution_accepted(altcha if isinstance(altcha, str) else None):
        return jsonify(error=CHALLENGE_MISSING, challenge=new_challenge()), 403
    return None


def _start_again(donation: Donation):
    session[DECLINED_KEY] = True
    restart = url_for("donations.donate", slug=donation.page.slug)
    error = (
        f"This gift has had {CARD_ATTEMPTS_PER_DONATION} cards tried, so it is closed. Please start again."
    )
    return jsonify(error=error, restart_url=restart), 429


def _declined(donation: Donation, error: PaymentGatewayError, fingerprint: str):
    """The answer to a failed card; a decline is counted against the card, page and platform."""
    if error.declined:
        card_testing.record_decline(donation.page.slug, fingerprint)
        session[DECLINED_KEY] = True
    db.session.refresh(donation)
    answer: dict = {"error": error.message}
    if donation.card_attempts >= CARD_ATTEMPTS_PER_DONATION:
        answer["restart_url"] = url_for("donations.donate", slug=donation.page.slug)
    elif donation.card_attempts:
        answer["challenge"] = new_challenge()
    return jsonify(answer)


@bp.app_template_global("donation_presets")
def donation_presets(currency: str) -> list[int]:
    """Preset gifts for the donate panel on a pledge page, in minor units."""
    return preset_amounts(currency)
