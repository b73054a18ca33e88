"""Sign up, sign in, sign out, password reset and email confirmation."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from fundraiser.accounts import services
from fundraiser.accounts.emails import send_confirmation_link, send_reset_link
from fundraiser.accounts.forms import ResetPasswordForm, ResetRequestForm, SignInForm, SignUpForm
from fundraiser.extensions import db, limiter, login_manager
from fundraiser.jobs import enqueue
from fundraiser.models import User

bp = Blueprint("accounts", __name__)
login_manager.login_view = "accounts.signin"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"

# Browsers read "\" as "/" and drop tabs and newlines, so "/\evil.test" or "/\t/evil.test"
# would leave the site.
_UNSAFE_IN_NEXT = re.compile(r"[\\\x00-\x1f\x7f]")


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    return services.user_for_session(db.session, session_id)


def safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site; anything else goes to the dashboard."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not _UNSAFE_IN_NEXT.search(target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("pages.dashboard")


def _emailed_link(endpoint: str, **values: str) -> str:
    """An absolute link on PUBLIC_URL, never on the request's Host header: a forged Host
    would otherwise put someone's reset token in a link to another site."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


def _form_status() -> int:
    """200 for a form shown for the first time; 422 when a submitted one failed."""
    return 200 if request.method == "GET" else 422


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session, email=form.email.data, name=form.name.data, password=form.password.data
            )
        except services.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            db.session.commit()
            login_user(user)
            _send_confirmation(user)
            flash("Welcome! Your account is ready: create your first pledge page.", "success")
            return redirect(url_for("pages.new_page"))
    return render_template("accounts/signup.html", form=form), _form_status()


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"], methods=["POST"])
def signin():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("That email and password do not match an account.")
    return render_template("accounts/signin.html", form=form), _form_status()


@bp.post("/signout")
def signout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("pages.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5/minute", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(db.session, form.email.data)
        if user is not None:
            link = _emailed_link("accounts.reset_password", token=services.make_reset_token(user))
            enqueue(send_reset_link, user.email, user.name, link)
        # The same answer whether or not the account exists, so the form cannot be used
        # to find out who has one.
        flash("If that email has an account, a reset link is on its way. It works for one hour.", "info")
        return redirect(url_for("accounts.signin"))
    return render_template("accounts/reset_request.html", form=form), _form_status()


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(db.session, token)
    if user is None:
        flash("That reset link has expired or was already used. Ask for a new one.", "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        # The link reached this person through the address: it is theirs.
        services.mark_email_confirmed(user)
        db.session.commit()
        login_user(user)
        flash("Your password is changed.", "success")
        return redirect(url_for("pages.dashboard"))
    response = current_app.make_response(
        (render_template("accounts/reset_password.html", form=form), _form_status())
    )
    # The token is in this page's URL: keep it out of Referer headers to other sites.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _send_confirmation(user: User) -> None:
    link = _emailed_link("accounts.confirm_email", token=services.make_confirm_token(user))
    enqueue(send_confirmation_link, user.email, user.name, link)


@bp.get("/confirm/<token>")
def confirm_email(token: str):
    user = services.confirm_email(db.session, token)
    if user is None:
        flash("That confirmation link has expired or is not right. Sign in to ask for a new one.", "error")
        return redirect(url_for("pages.dashboard"))
    db.session.commit()
    flash(f"Thank you: {user.email} is confirmed.", "success")
    return redirect(url_for("pages.dashboard"))


@bp.post("/confirm/again")
@login_required
@limiter.limit("3/minute")
def resend_confirmation():
    if not current_user.has_confirmed_email:
        _send_confirmation(current_user)
    flash(f"We sent a new confirmation link to {current_user.email}.", "info")
    return redirect(safe_next(request.form.get("next")))
