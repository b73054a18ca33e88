"""Public pages and the runner's own: home, events, causes, teams, pledge pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from fundraiser.extensions import db
from fundraiser.models import Event, PledgePage

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    events = db.session.scalars(select(Event).where(Event.is_open).order_by(Event.starts_on).limit(12)).all()
    featured = db.session.scalars(
        select(PledgePage)
        .where(PledgePage.status == "published")
        .order_by(PledgePage.raised_amount.desc())
        .limit(6)
    ).all()
    return render_template("pages/home.html", events=events, featured=featured)


@bp.get("/events")
def events():
    events = db.session.scalars(select(Event).order_by(Event.starts_on)).all()
    return render_template("pages/events.html", events=events)


@bp.get("/me")
@login_required
def dashboard():
    pages = db.session.scalars(select(PledgePage).where(PledgePage.runner_id == current_user.id)).all()
    return render_template("pages/dashboard.html", pages=pages)


@bp.route("/pages/new", methods=["GET", "POST"])
@login_required
def new_page():
    return render_template("pages/dashboard.html", pages=[])
