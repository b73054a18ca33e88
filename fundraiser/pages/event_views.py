"""Events: the public list and page, and create/edit for organisers and platform admins."""

from __future__ import annotations

from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from fundraiser.extensions import db
from fundraiser.models import Event
from fundraiser.pages import event_services, listings, lookups, view_builders
from fundraiser.pages.blueprint import bp
from fundraiser.pages.caching import public_page
from fundraiser.pages.form_errors import saving
from fundraiser.pages.forms import EventForm
from fundraiser.permissions import can_create_event, can_manage_event, or_404, require, signed_in_user


@bp.get("/events")
@public_page
def events():
    return render_template(
        "pages/events.html",
        events=view_builders.event_list(db.session),
        can_create=can_create_event(signed_in_user()),
    )


@bp.get("/events/<slug>")
@public_page
def show_event(slug: str):
    event = or_404(lookups.find_event(db.session, slug))
    view = view_builders.event_view(db.session, event, listings.page_number(request.args.get("page")))
    return render_template(
        "pages/event.html", view=view, can_manage=can_manage_event(signed_in_user(), event)
    )


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def new_event():
    require(can_create_event(signed_in_user()))
    form = EventForm()
    _fill_cause_choices(form)
    if form.validate_on_submit():
        with saving(form) as outcome:
            event = event_services.create_event(db.session, current_user, _event_input(form))
        if outcome.saved:
            flash("Event created.", "success")
            return redirect(url_for("pages.show_event", slug=event.slug))
    status = 200 if request.method == "GET" else 422
    return render_template("pages/event_form.html", form=form, event=None), status


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_event(slug: str):
    event = or_404(lookups.find_event(db.session, slug), check=can_manage_event)
    form = EventForm(obj=None if request.method == "POST" else _event_form_data(event))
    _fill_cause_choices(form)
    if form.validate_on_submit():
        with saving(form) as outcome:
            event_services.update_event(db.session, event, _event_input(form))
        if outcome.saved:
            flash("Event saved.", "success")
            return redirect(url_for("pages.show_event", slug=event.slug))
    status = 200 if request.method == "GET" else 422
    return render_template("pages/event_form.html", form=form, event=view_builders.event_card(event)), status


def _fill_cause_choices(form: EventForm) -> None:
    causes = lookups.all_causes(db.session)
    form.cause_ids.choices = [
        SelectChoice(str(cause.id), f"{cause.name} ({cause.country})") for cause in causes
    ]


def _event_input(form: EventForm) -> event_services.EventInput:
    return event_services.EventInput(
        name=form.name.data or "",
        slug=form.slug.data or "",
        starts_on=form.starts_on.data,
        place=form.place.data or "",
        is_virtual=bool(form.is_virtual.data),
        distance_km=form.distance_km.data or "",
        description=form.description.data or "",
        cause_ids=list(form.cause_ids.data or []),
        is_open=bool(form.is_open.data),
        participant_benefit=bool(form.participant_benefit.data),
    )


def _event_form_data(event: Event) -> SimpleNamespace:
    card = view_builders.event_card(event)
    return SimpleNamespace(
        name=event.name,
        slug=event.slug,
        starts_on=event.starts_on,
        place=event.place,
        is_virtual=event.is_virtual,
        distance_km=card.distance_km,
        description=event.description,
        cause_ids=[cause.id for cause in event.causes],
        is_open=event.is_open,
        participant_benefit=event.participant_benefit,
    )
