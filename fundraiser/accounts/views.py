"""Sign up, sign in, sign out, password reset and email confirmation."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from fundraiser.accounts import services, two_factor
from fundraiser.accounts.emails import send_account_exists_notice, send_confirmation_link, send_reset_link
from fundraiser.accounts.forms import CodeForm, ResetPasswordForm, ResetRequestForm, SignInForm, SignUpForm
from fundraiser.accounts.sessions import end_session, enforce_session_limits, start_session
from fundraiser.extensions import db, limiter, login_manager
from fundraiser.jobs import enqueue
from fundraiser.models import User

bp = Blueprint("accounts", __name__)
bp.before_app_request(enforce_session_limits)
# Where a platform admin without two-factor sign-in may still go.
_BEFORE_TWO_FACTOR = {"accounts.two_factor_setup", "accounts.signout", "static"}
# How long the password step of a two-factor sign-in waits for its code.
_CODE_WAIT_SECONDS = 5 * 60


@bp.before_app_request
def require_two_factor():
    """Platform admins set up two-factor sign-in before anything else."""
    if (
        current_user.is_authenticated
        and request.endpoint not in _BEFORE_TWO_FACTOR
        and two_factor.needs_two_factor(current_user)
    ):
        flash("Platform admins sign in with a code from an authenticator app: set it up first.", "info")
        return redirect(url_for("accounts.two_factor_setup"))
    return None


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
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], methods=["POST"])
def signup():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            outcome = services.sign_up(
                db.session, email=form.email.data, name=form.name.data, password=form.password.data
            )
        except services.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            db.session.commit()
            if outcome.created is not None:
                _send_confirmation(outcome.created)
            else:
                _send_account_exists_notice(outcome.existing)
            # The same answer whether or not the address had an account (issue 14).
            flash(
                f"Thank you. We sent an email to {services.normalise_email(form.email.data)}: open it "
                "to confirm the address. Sign in with your email and password to start fundraising.",
                "success",
            )
            return redirect(url_for("accounts.signin", next=url_for("pages.new_page")))
    return render_template("accounts/signup.html", form=form), _form_status()


def _send_account_exists_notice(user: User) -> None:
    enqueue(
        send_account_exists_notice,
        user.email,
        user.name,
        _emailed_link("accounts.signin"),
        _emailed_link("accounts.reset_request"),
    )


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"], methods=["POST"])
def signin():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(db.session, form.email.data, form.password.data, _backoff())
        except services.SignInBlocked as error:
            form.password.errors.append(str(error))
            return render_template("accounts/signin.html", form=form), 429
        db.session.commit()
        if user is not None and user.has_two_factor:
            return _ask_for_code(user, keep=form.keep.data)
        if user is not None:
            start_session(user, keep=form.keep.data)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("That email and password do not match an account.")
    return render_template("accounts/signin.html", form=form), _form_status()


def _ask_for_code(user: User, keep: bool):
    """The password was right; the session holds only that, until the code comes."""
    target = safe_next(request.args.get("next"))
    session.clear()
    session["two_factor"] = {"user": user.id, "keep": bool(keep), "at": int(time.time()), "next": target}
    return redirect(url_for("accounts.signin_code"))


def _waiting_for_code() -> User | None:
    pending = session.get("two_factor")
    if not isinstance(pending, dict) or int(time.time()) - pending.get("at", 0) > _CODE_WAIT_SECONDS:
        return None
    return db.session.get(User, pending["user"])


@bp.route("/signin/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_RATE_LIMIT"], methods=["POST"])
def signin_code():
    user = _waiting_for_code()
    if user is None:
        flash("Sign in with your email and password first (the code step waits 5 minutes).", "info")
        return redirect(url_for("accounts.signin"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            accepted = services.check_code_attempt(
                db.session, user, form.code.data, two_factor.check_second_factor, _backoff()
            )
        except services.SignInBlocked as error:
            form.code.errors.append(str(error))
            return render_template("accounts/signin_code.html", form=form), 429
        db.session.commit()
        if accepted:
            pending = session["two_factor"]
            start_session(user, keep=pending["keep"])
            return redirect(pending["next"])
        form.code.errors.append("That code is not right. Use the newest code, or a recovery code.")
    return render_template("accounts/signin_code.html", form=form), _form_status()


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    user = current_user
    if not two_factor.may_use_two_factor(user):
        abort(403)
    if user.has_two_factor:
        return render_template("accounts/two_factor.html", enabled=True)
    form = CodeForm()
    if form.validate_on_submit():
        codes = two_factor.confirm_enrolment(db.session, user, form.code.data)
        if codes is not None:
            db.session.commit()
            return render_template("accounts/two_factor_codes.html", codes=codes)
        form.code.errors.append("That code is not right: type the code your app shows now.")
    if user.totp_secret is None:
        two_factor.start_enrolment(user)
        db.session.commit()
    uri = two_factor.provisioning_uri(user, current_app.config["PLATFORM_NAME"])
    return render_template(
        "accounts/two_factor.html",
        enabled=False,
        form=form,
        secret=user.totp_secret,
        qr=two_factor.qr_svg(uri),
    ), _form_status()


def _backoff() -> services.Backoff:
    config = current_app.config
    return services.Backoff(
        free=config["SIGNIN_ACCOUNT_FREE_ATTEMPTS"],
        first=timedelta(seconds=config["SIGNIN_ACCOUNT_BACKOFF_SECONDS"]),
        longest=timedelta(seconds=config["SIGNIN_ACCOUNT_BACKOFF_MAX_SECONDS"]),
    )


@bp.post("/signout")
def signout():
    if current_user.is_authenticated:
        # Every copy of the cookie stops working, not only this browser's.
        services.end_sessions(current_user)
        db.session.commit()
    end_session()
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
    if form.validate_on_submit() and _new_password_taken(form, user):
        # The link reached this person through the address: it is theirs.
        services.mark_email_confirmed(user)
        db.session.commit()
        start_session(user)
        flash("Your password is changed, and every other sign-in has ended.", "success")
        return redirect(url_for("pages.dashboard"))
    response = current_app.make_response(
        (render_template("accounts/reset_password.html", form=form), _form_status())
    )
    # The token is in this page's URL: keep it out of Referer headers to other sites.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _new_password_taken(form: ResetPasswordForm, user: User) -> bool:
    """Set the new password, or put the reason it was refused next to the field."""
    try:
        services.set_password(user, form.password.data)
    except services.AccountError as error:
        form.password.errors.append(str(error))
        return False
    return True


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
