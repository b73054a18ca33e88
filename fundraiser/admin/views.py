"""Platform administration: a list of people with toggles for the roles a platform admin grants."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from fundraiser.accounts import services
from fundraiser.accounts.forms import RoleForm
from fundraiser.extensions import db
from fundraiser.models import User
from fundraiser.permissions import or_404, require, signed_in_user

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_NAMES = {"event_organiser": "Event organiser", "platform_admin": "Platform admin"}
LIST_LIMIT = 200


@bp.before_request
@login_required
def platform_admins_only() -> None:
    require(current_user.is_platform_admin)


def _user_row(user: User) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "email_confirmed": user.has_confirmed_email,
        "joined": user.created_at.date(),
        "roles": {
            "event_organiser": user.is_event_organiser,
            "platform_admin": user.is_platform_admin,
        },
        "is_me": user.id == current_user.id,
    }


def _search_text() -> str:
    return request.args.get("q", "", type=str)[:100].replace("\x00", "")


def _users_page(status: int = 200):
    search = _search_text()
    people = [_user_row(user) for user in services.list_users(db.session, search, limit=LIST_LIMIT)]
    page = render_template(
        "admin/users.html",
        people=people,
        search=search,
        role_names=ROLE_NAMES,
        cut_short=len(people) == LIST_LIMIT,
    )
    return page, status


@bp.get("")
def users():
    return _users_page()


@bp.post("/users/<int:user_id>/roles")
def set_role(user_id: int):
    user = or_404(db.session.get(User, user_id))  # `<int:>` stops at the largest id
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose a role and whether to grant or revoke it.", "error")
        return _users_page(422)
    role, granted = form.role.data, form.granted.data == "yes"
    try:
        services.set_role(user, role, granted, acting_admin=signed_in_user())
    except services.AccountError as error:
        flash(str(error), "error")
        return _users_page(422)
    db.session.commit()
    verb = "is now" if granted else "is no longer"
    flash(f"{user.name} {verb} {ROLE_NAMES[role].lower()}.", "success")
    return redirect(url_for("admin.users", q=_search_text() or None))
