"""A charity admin refunds a donation to their cause, in full or in part, with a reason."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from fundraiser.donations.errors import InvalidDonation
from fundraiser.donations.queries import find_donation
from fundraiser.extensions import db
from fundraiser.forms import BaseForm
from fundraiser.models import Donation
from fundraiser.money import MoneyError, format_money, parse_amount, plain_amount
from fundraiser.payments.gateway import PaymentGatewayError
from fundraiser.payments.handlers import queue_receipt_jobs
from fundraiser.payments.refunds import refund_donation, refundable_amount
from fundraiser.permissions import can_refund_donation, or_404, signed_in_user

bp = Blueprint("refunds", __name__)


def as_text(value: object) -> str:
    """What was posted, as stripped text whatever arrived (a JSON number, nothing)."""
    return "" if value is None else str(value).strip()


class RefundForm(BaseForm):
    amount = StringField("Amount to refund", filters=[as_text])
    reason = TextAreaField(
        "Reason",
        filters=[as_text],
        validators=[DataRequired("Say why the donation is refunded."), Length(max=255)],
    )
    request_id = HiddenField(filters=[as_text])


@bp.route("/donations/<public_id>/refund", methods=["GET", "POST"])
@login_required
def refund(public_id: str):
    donation = or_404(find_donation(db.session, public_id), check=can_refund_donation)
    # Only a posted form counts: a JSON body is not one (Flask-WTF would otherwise read it).
    form = RefundForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.request_id.data = uuid.uuid4().hex
    elif form.validate_on_submit() and _refunded(donation, form):
        return redirect(url_for("refunds.refund", public_id=public_id))
    # A refused refund rolled the session back: show the donation as it now is.
    donation = or_404(find_donation(db.session, public_id), check=can_refund_donation)
    return render_template("donations/refund.html", form=form, **_refund_page(donation)), (
        200 if request.method == "GET" else 422
    )


def _refunded(donation: Donation, form: RefundForm) -> bool:
    """Refund what the form asks and commit, then queue the receipt's correction; False with
    the reasons on the form when the refund was refused."""
    try:
        amount = parse_amount(form.amount.data, donation.currency) if form.amount.data else None
        refunded = refund_donation(
            db.session,
            donation,
            amount,
            form.reason.data,
            signed_in_user(),
            request_id=form.request_id.data or None,
        )
        db.session.commit()
    except MoneyError as error:
        form.amount.errors.append(str(error))
        return False
    except InvalidDonation as error:
        db.session.rollback()
        for name, message in error.errors.items():
            getattr(form, name, form.amount).errors.append(message)
        return False
    except PaymentGatewayError as error:
        db.session.rollback()
        form.amount.errors.append(error.message)
        return False
    queue_receipt_jobs([], [donation.id])
    flash(f"Refunded {format_money(refunded.amount, donation.currency)} to {donation.donor_name}.", "success")
    return True


def _refund_page(donation: Donation) -> dict:
    """The plain values the refund page shows about the donation."""
    remaining = refundable_amount(donation)
    return {
        "donor_name": donation.donor_name,
        "donor_email": donation.donor_email,
        "status": donation.status,
        "charged": format_money(donation.charged_amount, donation.currency),
        "gift": format_money(donation.amount, donation.currency),
        "refunded": format_money(donation.refunded_amount, donation.currency),
        "remaining": remaining,
        "remaining_text": format_money(remaining, donation.currency),
        "remaining_plain": plain_amount(remaining, donation.currency),
        "paid_at": donation.paid_at,
    }
