"""Teams (running clubs): create, the public team page, join and leave with a page, edit."""

from __future__ import annotations

from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from fundraiser.accounts.limits import account_writes
from fundraiser.extensions import db
from fundraiser.models import PledgePage, Team
from fundraiser.money import amount_text
from fundraiser.pages import listings, lookups, team_services, validation, view_builders
from fundraiser.pages.blueprint import bp
from fundraiser.pages.caching import public_page
from fundraiser.pages.form_errors import add_errors, saving
from fundraiser.pages.forms import ActionForm, TeamForm, TeamPageForm, optional_int
from fundraiser.permissions import can_manage_team, or_404, require, signed_in_user


@bp.route("/teams/new", methods=["GET", "POST"])
@account_writes
@login_required
def new_team():
    form = TeamForm()
    if form.validate_on_submit():
        with saving(form) as outcome:
            team = team_services.create_team(db.session, current_user, _team_input(form))
        if outcome.saved:
            flash("Team created. Add your pledge page to it below.", "success")
            return redirect(url_for("pages.show_team", slug=team.slug))
    status = 200 if request.method == "GET" else 422
    return render_template("pages/team_form.html", form=form, team=None), status


@bp.get("/teams/<slug>")
@public_page
def show_team(slug: str):
    team = or_404(lookups.find_team(db.session, slug))
    # No forms (so no CSRF token in the session) for anonymous visitors: see show_page.
    return _render_team(team, TeamPageForm(formdata=None) if signed_in_user() else None), 200


@bp.route("/teams/<slug>/edit", methods=["GET", "POST"])
@account_writes
@login_required
def edit_team(slug: str):
    team = or_404(lookups.find_team(db.session, slug), check=can_manage_team)
    form = TeamForm(obj=None if request.method == "POST" else _team_form_data(team))
    if form.validate_on_submit():
        with saving(form) as outcome:
            team_services.update_team(db.session, team, _team_input(form))
        if outcome.saved:
            flash("Team saved.", "success")
            return redirect(url_for("pages.show_team", slug=team.slug))
    status = 200 if request.method == "GET" else 422
    return render_template("pages/team_form.html", form=form, team=_team_form_data(team)), status


@bp.post("/teams/<slug>/join")
@account_writes
@login_required
def join_team(slug: str):
    return _change_membership(slug, team_services.join_team, "Your page is now part of {team}.")


@bp.post("/teams/<slug>/leave")
@account_writes
@login_required
def leave_team(slug: str):
    return _change_membership(slug, team_services.leave_team, "The page has left {team}.")


def _change_membership(slug: str, change, done: str):
    team = or_404(lookups.find_team(db.session, slug))
    form = TeamPageForm()
    if form.validate_on_submit():
        page_id = optional_int(form.page_id.data)
        page = db.session.get(PledgePage, page_id) if page_id else None
        if page is None:
            add_errors(form, {"page_id": "Choose one of your pages."})
        else:
            try:
                change(db.session, team, page, current_user)
            except validation.NotYours:
                require(False)
            except validation.InvalidInput as error:
                add_errors(form, error.errors)
            else:
                db.session.commit()
                flash(done.format(team=team.name), "success")
                return redirect(url_for("pages.show_team", slug=team.slug))
    return _render_team(team, form), 422


def _render_team(team: Team, join_form: TeamPageForm | None):
    user = signed_in_user()
    return render_template(
        "pages/team.html",
        team=view_builders.team_view(db.session, team),
        can_manage=can_manage_team(user, team),
        joinable=listings.pages_that_can_join(db.session, user, team) if user else [],
        own_pages=listings.own_pages_in_team(db.session, user, team) if user else [],
        join_form=join_form,
        action_form=ActionForm() if user else None,
    )


def _team_input(form: TeamForm) -> team_services.TeamInput:
    return team_services.TeamInput(
        name=form.name.data or "",
        slug=form.slug.data or "",
        description=form.description.data or "",
        target=form.target.data or "",
        currency=form.currency.data or "",
    )


def _team_form_data(team: Team) -> SimpleNamespace:
    return SimpleNamespace(
        slug=team.slug,
        name=team.name,
        description=team.description,
        target=amount_text(team.target_amount, team.currency),
        currency=team.currency,
    )
