"""POST /stripe/webhook: verify the signature, then record and apply the event once.

Answers: 400 with a reason for a bad or stale signature, or a signed payload that is not a
Stripe event (nothing changes); 200 for an event applied, deferred, ignored or already seen;
5xx when the database or Stripe fails, so Stripe delivers the event again later.

The endpoint must be set to our API version (STRIPE_API_VERSION). An event sent under
another version is logged as a warning and applied only if its shape is the one we know
(payments/shapes.py); otherwise it is recorded as ignored and answered 200.

Two Stripe endpoints may post here, each with its own signing secret: the account endpoint
(STRIPE_WEBHOOK_SECRET) and, in connect mode, the Connect endpoint for events on connected
accounts (STRIPE_CONNECT_WEBHOOK_SECRET). A Connect event names its account (`account`);
the handlers apply it to that account's cause, and ignore it when no cause has the account.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from fundraiser.extensions import csrf, db, limiter
from fundraiser.payments.gateway import (
    PaymentGatewayError,
    WebhookSignatureError,
    api_version,
    verify_webhook,
)
from fundraiser.payments.handlers import queue_receipt_jobs, record_and_handle
from fundraiser.payments.shapes import envelope_problems, shape_problems

log = logging.getLogger(__name__)
bp = Blueprint("payments", __name__)

Answer = tuple[Response, int]


@bp.post("/stripe/webhook")
@csrf.exempt
@limiter.exempt
def stripe_webhook() -> Answer:
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        log.error("A Stripe webhook arrived but STRIPE_WEBHOOK_SECRET is not set")
        return jsonify(error="webhooks are not configured"), 503
    payload = request.get_data()
    try:
        event = _verified(payload, secret, current_app.config.get("STRIPE_CONNECT_WEBHOOK_SECRET"))
    except WebhookSignatureError as error:
        log.warning("Refused a Stripe webhook: %s", error)
        return jsonify(error="bad signature", detail=str(error)), 400
    except ValueError as error:  # not JSON (UnicodeDecodeError and JSONDecodeError are ValueErrors)
        return jsonify(error="bad payload", detail=f"not a Stripe event: {error}"), 400
    if problems := envelope_problems(event):
        return jsonify(error="bad payload", detail="not a Stripe event: " + "; ".join(problems)), 400
    return _record(event, _version_refusal(event))


def _verified(payload: bytes, secret: str, connect_secret: str | None) -> dict[str, Any]:
    """The event, signed with the account endpoint's secret or (connect mode) the Connect
    endpoint's: Stripe gives each endpoint its own secret, and both may post here."""
    signature = request.headers.get("Stripe-Signature")
    try:
        return verify_webhook(payload, signature, secret)
    except WebhookSignatureError:
        if not connect_secret:
            raise
    return verify_webhook(payload, signature, connect_secret)


def _version_refusal(event: dict[str, Any]) -> str:
    """Why an event sent under another API version cannot be applied; empty when it can."""
    ours, theirs = api_version(current_app.config), event.get("api_version")
    if theirs == ours:
        return ""
    problems = shape_problems(event)
    log.warning(
        "Stripe event %s (%s) was sent under API version %s, not ours (%s): the webhook "
        "endpoint must use %s; %s",
        event["id"],
        event["type"],
        theirs,
        ours,
        ours,
        "its shape is not the one we know (" + "; ".join(problems) + "), not applied"
        if problems
        else "its shape is the one we know, applied",
    )
    if not problems:
        return ""
    return f"sent under API version {theirs}, not {ours}: " + "; ".join(problems)


def _record(event: dict[str, Any], unapplied_because: str) -> Answer:
    event_id, event_type = event["id"], event["type"]
    try:
        outcome = record_and_handle(db.session(), event, unapplied_because=unapplied_because)
        if outcome is None:
            db.session.rollback()
            return jsonify(status="duplicate", id=event_id), 200
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.exception("Stripe event %s (%s) broke a constraint", event_id, event_type)
        return jsonify(error="could not record the event"), 500
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("Database failure on Stripe event %s (%s)", event_id, event_type)
        return jsonify(error="database unavailable"), 503
    except PaymentGatewayError as error:
        db.session.rollback()
        log.warning("Stripe event %s needs Stripe, which failed: %s", event_id, error)
        return jsonify(error="payment gateway unavailable"), 503
    queue_receipt_jobs(outcome.paid_donation_ids, outcome.refunded_donation_ids)
    return jsonify(status=outcome.status, id=event_id, detail=outcome.detail), 200
