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

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fundraiser.donations import checkout, fees
from fundraiser.donations.amounts import amount_error, maximum_amount, minimum_amount
from fundraiser.donations.errors import InvalidDonation
from fundraiser.donations.fees import basis_points_text
from fundraiser.donations.forms import DonateForm, DonationContext, new_attempt_token, preset_amounts
from fundraiser.donations.giftaid import gift_aid_allowed
from fundraiser.donations.queries import find_donation
from fundraiser.extensions import db, limiter
from fundraiser.models import Donation, DonationStatus, PledgePage
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
    "first_name": "gift_aid_first_name",
    "last_name": "gift_aid_last_name",
    "house_name_or_number": "gift_aid_house",
    "address": "gift_aid_address",
    "postcode": "gift_aid_postcode",
}


def _page_slug() -> str:
    return f"page:{(request.view_args or {}).get('slug', '')}"


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
        min_amount=minimum_amount(page.currency),
        max_amount=maximum_amount(page.currency),
        offers_gift_aid=gift_aid_allowed(page),
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
@limiter.limit(
    lambda: current_app.config["DONATION_PAGE_RATE_LIMIT"],
    methods=["POST"],
    key_func=_page_slug,
    scope="donation-page",
    error_message="This page is receiving too many donation attempts right now. "
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
        payment = _start_payment(page, form)
        if payment is not None:
            return render_template("donations/pay.html", page=page_summary(page), payment=payment)
    status = 200 if request.method == "GET" else _failed_status(form)
    return _render_form(page, form), status


def _failed_status(form: DonateForm) -> int:
    return 503 if form.gateway_failed else 422


def _render_form(page: PledgePage, form: DonateForm) -> str:
    context = form.context
    example = 2500 if context.currency != "JPY" else 3000
    return render_template(
        "donations/donate.html",
        page=page_summary(page),
        form=form,
        context=context,
        fee_example=fees.fee_cover(example, context.currency),
        fee_example_amount=example,
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
    try:
        payment = checkout.start_card_payment(db.session, donation.id)
    except PaymentGatewayError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        form.gateway_failed = True
        return None
    db.session.commit()
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
    if problem := amount_error(amount, page.currency):
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
    """What the thank-you page and its status JSON may show: no email, no address."""
    page = donation.page
    return {
        "status": donation.status,
        "name": donation.public_name,
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
    body = render_template(
        "donations/thank_you.html",
        donation=donation_status(donation),
        page=page_summary(donation.page),
        public_id=public_id,
        receipt_url=receipt_link_for_donation(db.session, donation.id)
        if donation.status == DonationStatus.PAID
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

    JSON in: {"payment_method": "pm_..."}. JSON out: the PaymentIntent's status and client
    secret (for 3-D Secure in the browser when it is `requires_action`), or the refusal in
    words. Only Stripe's webhook marks the donation paid.
    """
    donation = donation_by_public_id(public_id)
    body = request.get_json(silent=True)
    payment_method = body.get("payment_method") if isinstance(body, dict) else None
    if not isinstance(payment_method, str):
        return jsonify(error="We could not read the card details. Please try again."), 400
    try:
        intent = gateway.confirm_payment(donation, payment_method)
    except PaymentGatewayError as error:
        return jsonify(error=error.message), 402
    return jsonify(status=intent.status, client_secret=intent.client_secret)


@bp.app_template_global("donation_presets")
def donation_presets(currency: str) -> list[int]:
    """Preset gifts for the donate panel on a pledge page, in minor units."""
    return preset_amounts(currency)
