"""A cause's thank-you benefits: its charity admins offer them (with their fair market value
and the smallest gift they come with) and withdraw them."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from fundraiser.extensions import db
from fundraiser.models import Event
from fundraiser.money import format_money
from fundraiser.pages import lookups
from fundraiser.pages.benefit_services import (
    BenefitInput,
    cause_benefits,
    cause_event_ids,
    find_benefit,
    offer_benefit,
    withdraw_benefit,
)
from fundraiser.pages.blueprint import bp
from fundraiser.pages.form_errors import saving
from fundraiser.pages.forms import ActionForm, PagesForm, optional_int
from fundraiser.permissions import can_admin_cause_of, or_404

EVERY_EVENT = ""


class BenefitForm(PagesForm):
    description = StringField("What the donor receives", validators=[Length(max=120)])
    fair_market_value = StringField("Its fair market value", validators=[Length(max=30)])
    min_gift_amount = StringField("Smallest gift it comes with", validators=[Length(max=30)])
    event_id = SelectField("For", coerce=optional_int, validate_choice=False)


@bp.route("/causes/<slug>/benefits", methods=["GET", "POST"])
@login_required
def benefits(slug: str):
    cause = or_404(lookups.find_cause(db.session, slug), check=can_admin_cause_of)
    form = BenefitForm(formdata=request.form if request.method == "POST" else None)
    events = db.session.scalars(
        db.select(Event).where(Event.id.in_(cause_event_ids(db.session, cause.id))).order_by(Event.starts_on)
    ).all()
    form.event_id.choices = [SelectChoice(EVERY_EVENT, "Every event")] + [
        SelectChoice(str(event.id), event.name) for event in events
    ]
    if form.validate_on_submit():
        details = BenefitInput(
            form.description.data or "",
            form.fair_market_value.data or "",
            form.min_gift_amount.data or "",
            form.event_id.data,
        )
        with saving(form) as outcome:
            benefit = offer_benefit(db.session, cause, details)
        if outcome.saved:
            flash(f"Donors can now choose “{benefit.description}”.", "success")
            return redirect(url_for("pages.benefits", slug=cause.slug))
    offered = [
        {
            "id": b.id,
            "description": b.description,
            "value": format_money(b.fair_market_value, b.currency),
            "min_gift": format_money(b.min_gift_amount, b.currency),
            "event": next((e.name for e in events if e.id == b.event_id), "Every event"),
        }
        for b in cause_benefits(db.session, cause.id)
    ]
    return render_template(
        "pages/benefits.html",
        cause={"slug": cause.slug, "name": cause.name, "currency": cause.default_currency},
        form=form,
        offered=offered,
        action_form=ActionForm(formdata=None),
    ), (200 if request.method == "GET" else 422)


@bp.post("/causes/<slug>/benefits/<int:benefit_id>/withdraw")
@login_required
def withdraw_benefit_offer(slug: str, benefit_id: int):
    cause = or_404(lookups.find_cause(db.session, slug), check=can_admin_cause_of)
    benefit = or_404(find_benefit(db.session, cause.id, benefit_id))
    if ActionForm().validate_on_submit():
        withdraw_benefit(db.session, benefit)
        db.session.commit()
        flash(f"“{benefit.description}” is no longer offered.", "success")
    return redirect(url_for("pages.benefits", slug=cause.slug))
