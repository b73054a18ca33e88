"""Receipt downloads by signed link, and the signed-in donor's receipts page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length

from fundraiser.donations.queries import find_donation
from fundraiser.extensions import db
from fundraiser.forms import BaseForm
from fundraiser.jobs import enqueue
from fundraiser.models import Cause, User
from fundraiser.money import format_money, plain_amount
from fundraiser.permissions import can_record_advantage, or_404, signed_in_user
from fundraiser.receipts import annual, corrections, donor, issuing, links, render, tasks

bp = Blueprint("receipts", __name__)


class AnnualReceiptForm(BaseForm):
    cause_id = IntegerField("Cause", validators=[DataRequired()])
    tax_year = IntegerField("Tax year", validators=[DataRequired()])


class AdvantageForm(BaseForm):
    amount = StringField("Fair market value of what the donor received", validators=[Length(max=30)])
    description = StringField("What the donor received", validators=[Length(max=255)])
    intent_to_give_shown = BooleanField(
        "Canada: the donor's intention to make a gift is shown (needed when the value is over 80% of the gift)"
    )


@bp.route("/donations/<public_id>/advantage", methods=["GET", "POST"])
@login_required
def record_advantage(public_id: str) -> ResponseReturnValue:
    """A charity admin records goods or services a donor received (a dinner entry, a T-shirt);
    the receipt is cancelled and replaced by one that states them."""
    donation = or_404(find_donation(db.session, public_id), check=can_record_advantage)
    form = AdvantageForm(formdata=request.form if request.method == "POST" else None, obj=None)
    if request.method == "GET":
        form.amount.data = (
            plain_amount(donation.advantage_amount, donation.currency) if donation.advantage_amount else ""
        )
        form.description.data = donation.advantage_description
        form.intent_to_give_shown.data = donation.intent_to_give_shown
    elif form.validate_on_submit():
        details = corrections.AdvantageInput(
            form.amount.data or "", form.description.data or "", bool(form.intent_to_give_shown.data)
        )
        try:
            replacement = corrections.record_advantage(db.session, donation, details)
            db.session.commit()
        except corrections.InvalidAdvantage as error:
            db.session.rollback()
            for name, message in error.errors.items():
                getattr(form, name).errors = [message]
        else:
            if replacement is not None:
                enqueue(tasks.email_receipt, replacement.id)
            flash("Saved: the receipt now states what the donor received.", "success")
            return redirect(url_for("receipts.record_advantage", public_id=public_id))
    donation = or_404(find_donation(db.session, public_id), check=can_record_advantage)
    page = {
        "donor_name": donation.donor_name,
        "gift": format_money(donation.charged_amount, donation.currency),
        "currency": donation.currency,
    }
    return render_template("receipts/advantage.html", form=form, donation=page), (
        200 if request.method == "GET" else 422
    )


@bp.get("/receipts/<token>.pdf")
def download(token: str) -> ResponseReturnValue:
    """Exactly the stored bytes; a voided receipt is drawn again with a VOID stamp."""
    try:
        receipt = links.receipt_for_token(db.session, token)
    except links.ReceiptLinkExpired:
        return render_template("receipts/link_expired.html"), 410
    except links.ReceiptLinkInvalid:
        abort(404)
    body = issuing.void_copy_pdf(receipt) if receipt.voided_at else receipt.pdf
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{render.pdf_filename(receipt)}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not receipt.voided_at:
        response.headers["X-Receipt-SHA256"] = receipt.pdf_sha256
    return response


@bp.get("/me/receipts")
@login_required
def my_receipts() -> ResponseReturnValue:
    return _receipts_page(AnnualReceiptForm(formdata=None))


def _receipts_page(form: AnnualReceiptForm, status: int = 200):
    user = signed_in_user()
    receipts = [
        {"item": item, "url": url_for("receipts.download", token=links.download_token(item.receipt_id))}
        for item in donor.donor_receipts(db.session, verified_email(user), user.id)
    ]
    offers = donor.annual_offers(db.session, user.email, user.id) if user.has_confirmed_email else []
    return render_template(
        "receipts/mine.html",
        receipts=receipts,
        offers=offers,
        form=form,
        email_confirmed=user.has_confirmed_email,
    ), status


def verified_email(user: User) -> str:
    """Receipts of gifts made without signing in are matched by email, so only once the
    person has shown the address is theirs; until then only gifts made signed in show."""
    return user.email if user.has_confirmed_email else ""


@bp.post("/me/receipts/annual")
@login_required
def make_annual() -> ResponseReturnValue:
    user = signed_in_user()
    form = AnnualReceiptForm(formdata=request.form)
    if not form.validate_on_submit():
        return _receipts_page(form, 422)
    cause_id, year = form.cause_id.data, form.tax_year.data
    if not user.has_confirmed_email or not donor.donor_may_have_annual(
        db.session, user.email, user.id, cause_id, year
    ):
        abort(404)
    cause = db.session.get(Cause, cause_id)
    if not annual.tax_year_is_over(cause, year):
        return _so_far_summary(cause, year, user)
    receipt = annual.make_annual_receipt(db.session, cause, year, user.email, user_id=user.id)
    db.session.commit()
    if receipt is not None:
        flash(f"Your year-end receipt {receipt.display_number} for {cause.name} is ready.", "success")
    return redirect(url_for("receipts.my_receipts"))


def _so_far_summary(cause: Cause, year: int, user: User) -> ResponseReturnValue:
    """While the tax year runs: this year's gifts so far, as a PDF that says it is not a receipt."""
    pdf = annual.so_far_summary_pdf(db.session, cause, year, user.email, user_id=user.id)
    if pdf is None:
        abort(404)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="summary-{cause.slug}-{year}-so-far.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
