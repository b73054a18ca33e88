"""How a cause is paid: its payments page for its charity admins (the connected Stripe
account's state and "Connect with Stripe" in connect mode; the platform fee; in single mode
whether the operator collects as its agent, and the payouts it recorded), the operator's
terms and payouts for platform admins, and the return and refresh addresses of Stripe's
hosted onboarding."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_required

from fundraiser.donations import payouts
from fundraiser.extensions import db
from fundraiser.models import Cause
from fundraiser.money import MoneyError, parse_amount
from fundraiser.pages import lookups
from fundraiser.pages.blueprint import bp
from fundraiser.pages.form_errors import add_error
from fundraiser.pages.forms import AgentPayoutForm, CausePaymentsForm
from fundraiser.payments import connect
from fundraiser.payments.gateway import PaymentGatewayError
from fundraiser.permissions import can_admin_cause_of, is_platform_admin, or_404, require, signed_in_user


def _cause(slug: str) -> Cause:
    return or_404(lookups.find_cause(db.session, slug), check=can_admin_cause_of)


def _render(cause: Cause, terms: CausePaymentsForm | None = None, payout: AgentPayoutForm | None = None):
    admin = is_platform_admin(signed_in_user())
    if admin and terms is None:
        terms = CausePaymentsForm(
            formdata=None,
            platform_fee_bps=cause.platform_fee_bps,
            collected_by_agent=cause.collected_by_agent,
        )
    if admin and payout is None:
        payout = AgentPayoutForm(formdata=None)
    return render_template(
        "pages/cause_payments.html",
        cause=payouts.cause_terms(cause),
        connect_mode=connect.connect_mode(),
        account=connect.account_state(cause),
        statement=payouts.agent_statement(db.session, cause) if cause.collected_by_agent else None,
        terms_form=terms if admin else None,
        payout_form=payout if admin else None,
    )


@bp.get("/causes/<slug>/payments")
@login_required
def cause_payments(slug: str):
    return _render(_cause(slug))


@bp.post("/causes/<slug>/payments")
@login_required
def set_cause_payments(slug: str):
    cause = _cause(slug)
    require(is_platform_admin(signed_in_user()))
    form = CausePaymentsForm()
    if not form.validate_on_submit():
        return _render(cause, terms=form), 422
    payouts.set_terms(
        db.session,
        cause,
        platform_fee_bps=form.platform_fee_bps.data,
        collected_by_agent=form.collected_by_agent.data,
    )
    db.session.commit()
    flash("Payment terms saved.", "success")
    return redirect(url_for("pages.cause_payments", slug=cause.slug))


@bp.post("/causes/<slug>/payouts")
@login_required
def record_agent_payout(slug: str):
    cause = _cause(slug)
    user = signed_in_user()
    require(is_platform_admin(user))
    form = AgentPayoutForm()
    amount = None
    if form.validate_on_submit():
        try:
            amount = parse_amount(form.amount.data, cause.default_currency)
        except MoneyError as error:
            add_error(form, "amount", str(error))
    if amount is None:
        return _render(cause, payout=form), 422
    payouts.record_payout(
        db.session,
        cause,
        paid_on=form.paid_on.data,
        amount=amount,
        bank_reference=form.bank_reference.data.strip(),
        recorded_by_id=user.id if user else None,
    )
    db.session.commit()
    flash("Payout recorded.", "success")
    return redirect(url_for("pages.cause_payments", slug=cause.slug))


@bp.post("/causes/<slug>/payments/connect")
@login_required
def connect_cause(slug: str):
    """Send the charity admin to Stripe-hosted onboarding (creating the account at first)."""
    cause = _cause(slug)
    if not connect.connect_mode():
        flash("Each cause is paid through the platform's Stripe account here: there is nothing to connect.")
        return redirect(url_for("pages.cause_payments", slug=cause.slug))
    return _to_onboarding(cause)


@bp.get("/causes/<slug>/payments/refresh")
@login_required
def connect_refresh(slug: str):
    """Stripe's refresh_url: the onboarding link expired or was used; make a new one."""
    cause = _cause(slug)
    if not connect.connect_mode() or cause.stripe_account_id is None:
        return redirect(url_for("pages.cause_payments", slug=cause.slug))
    return _to_onboarding(cause)


def _to_onboarding(cause: Cause):
    try:
        url = connect.onboarding_link(
            db.session,
            cause,
            refresh_url=url_for("pages.connect_refresh", slug=cause.slug, _external=True),
            return_url=url_for("pages.connect_return", slug=cause.slug, _external=True),
        )
    except PaymentGatewayError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("pages.cause_payments", slug=cause.slug))
    db.session.commit()
    if not url.startswith(("https://", "http://")):
        abort(502)
    return redirect(url)


@bp.get("/causes/<slug>/payments/return")
@login_required
def connect_return(slug: str):
    """Stripe's return_url: the admin left onboarding (finished or not); read the account."""
    cause = _cause(slug)
    if connect.connect_mode() and cause.stripe_account_id is not None:
        try:
            state = connect.refresh_account(db.session, cause)
        except PaymentGatewayError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("pages.cause_payments", slug=cause.slug))
        db.session.commit()
        if state.charges_enabled:
            flash(f"{cause.name} is connected to Stripe and can take donations.", "success")
        else:
            flash("Stripe still needs some details before this cause can take donations.")
    return redirect(url_for("pages.cause_payments", slug=cause.slug))
