"""Causes (charities): public page, create for platform admins, edit for the cause's own
charity admins, and adding a charity admin by email."""

from __future__ import annotations

from types import SimpleNamespace

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from fundraiser.extensions import db
from fundraiser.models import Cause
from fundraiser.money import amount_text
from fundraiser.pages import cause_services, listings, lookups, view_builders, view_models
from fundraiser.pages.blueprint import bp
from fundraiser.pages.caching import public_page
from fundraiser.pages.form_errors import (
    saving,
    uploaded_photo,
)
from fundraiser.pages.forms import CauseAdminForm, CauseForm
from fundraiser.permissions import (
    can_admin_cause,
    can_admin_cause_of,
    is_platform_admin,
    or_404,
    require,
    signed_in_user,
)

BLANK_UNIT_LINES = 2


@bp.get("/causes")
@public_page
def causes():
    return render_template("pages/causes.html", causes=view_builders.cause_list(db.session))


@bp.get("/causes/<slug>")
@public_page
def show_cause(slug: str):
    cause = or_404(lookups.find_cause(db.session, slug))
    view = view_builders.cause_view(db.session, cause, listings.page_number(request.args.get("page")))
    return render_template(
        "pages/cause.html", view=view, can_edit=can_admin_cause(signed_in_user(), cause.id)
    )


@bp.route("/causes/new", methods=["GET", "POST"])
@login_required
def new_cause():
    require(is_platform_admin(signed_in_user()))
    form = CauseForm()
    if request.method == "GET":
        _add_blank_unit_lines(form, "GBP")
    if form.validate_on_submit():
        with saving(form) as outcome:
            logo = uploaded_photo(form, "logo")
            signature = uploaded_photo(form, "signature")
            cause = cause_services.create_cause(
                db.session,
                _cause_input(form),
                logo=logo,
                signature=signature,
                upload_folder=current_app.config["UPLOAD_FOLDER"],
            )
        if outcome.saved:
            flash("Cause created.", "success")
            return redirect(url_for("pages.show_cause", slug=cause.slug))
    status = 200 if request.method == "GET" else 422
    return render_template("pages/cause_form.html", form=form, cause=None, admin_form=None), status


@bp.route("/causes/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_cause(slug: str):
    cause = or_404(lookups.find_cause(db.session, slug), check=can_admin_cause_of)
    form = CauseForm(obj=None if request.method == "POST" else _cause_form_data(cause))
    if request.method == "GET":
        _add_blank_unit_lines(form, cause.default_currency)
    if form.validate_on_submit():
        with saving(form) as outcome:
            logo = uploaded_photo(form, "logo")
            signature = uploaded_photo(form, "signature")
            cause_services.update_cause(
                db.session,
                cause,
                _cause_input(form),
                logo=logo,
                signature=signature,
                upload_folder=current_app.config["UPLOAD_FOLDER"],
            )
        if outcome.saved:
            flash("Cause saved.", "success")
            return redirect(url_for("pages.show_cause", slug=cause.slug))
    status = 200 if request.method == "GET" else 422
    return _render_form(cause, form, CauseAdminForm(formdata=None)), status


@bp.post("/causes/<slug>/admins")
@login_required
def add_cause_admin(slug: str):
    cause = or_404(lookups.find_cause(db.session, slug))
    require(is_platform_admin(signed_in_user()))
    admin_form = CauseAdminForm()
    if admin_form.validate_on_submit():
        with saving(admin_form) as outcome:
            user = cause_services.add_cause_admin(db.session, cause, admin_form.email.data)
        if outcome.saved:
            flash(f"{user.name} is now a charity admin of {cause.name}.", "success")
            return redirect(url_for("pages.edit_cause", slug=cause.slug))
    form = CauseForm(formdata=None, obj=_cause_form_data(cause))
    _add_blank_unit_lines(form, cause.default_currency)
    return _render_form(cause, form, admin_form), 422


def _render_form(cause: Cause, form: CauseForm, admin_form: CauseAdminForm):
    return render_template(
        "pages/cause_form.html",
        form=form,
        cause=view_models.CauseRef(cause.slug, cause.name, cause.country),
        admin_form=admin_form if is_platform_admin(signed_in_user()) else None,
    )


def _add_blank_unit_lines(form: CauseForm, currency: str) -> None:
    for _ in range(BLANK_UNIT_LINES):
        form.impact_units.append_entry(
            SimpleNamespace(amount="", currency=currency, singular="", plural="", remove=False)
        )


def _cause_input(form: CauseForm) -> cause_services.CauseInput:
    return cause_services.CauseInput(
        name=form.name.data or "",
        slug=form.slug.data or "",
        legal_name=form.legal_name.data or "",
        country=form.country.data or "",
        registration_number=form.registration_number.data or "",
        default_currency=form.default_currency.data or "",
        address=form.address.data or "",
        timezone=(form.timezone.data or "").strip(),
        website=form.website.data or "",
        description=form.description.data or "",
        signatory_name=form.signatory_name.data or "",
        impact_units=[
            cause_services.ImpactUnitInput(
                amount=line.amount.data or "",
                currency=line.currency.data or "",
                singular=line.singular.data or "",
                plural=line.plural.data or "",
            )
            if not line.remove.data
            else cause_services.ImpactUnitInput("", "", "", "")
            for line in form.impact_units
        ],
        smallest_gift=form.smallest_gift.data or "",
        approves_first_pages=bool(form.approves_first_pages.data),
    )


def _cause_form_data(cause: Cause) -> SimpleNamespace:
    return SimpleNamespace(
        name=cause.name,
        slug=cause.slug,
        legal_name=cause.legal_name,
        country=cause.country,
        registration_number=cause.registration_number,
        default_currency=cause.default_currency,
        address=cause.address,
        timezone=cause.timezone,
        website=cause.website,
        description=cause.description,
        signatory_name=cause.signatory_name,
        impact_units=[
            SimpleNamespace(
                amount=amount_text(unit.amount, unit.currency),
                currency=unit.currency,
                singular=unit.singular,
                plural=unit.plural,
                remove=False,
            )
            for unit in cause.impact_units
        ],
        smallest_gift=amount_text(cause.smallest_gift_amounts[cause.default_currency], cause.default_currency)
        if cause.default_currency in cause.smallest_gift_amounts
        else "",
        approves_first_pages=cause.approves_first_pages,
    )
