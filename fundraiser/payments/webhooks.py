"""POST /stripe/webhook: verify the signature, then record and apply the event once.

Answers: 400 with a reason for a bad or stale signature (nothing changes); 200 for an
event applied, deferred, ignored or already seen; 5xx when the database or Stripe fails,
so Stripe delivers the event again later.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from fundraiser.extensions import csrf, db, limiter
from fundraiser.payments.gateway import PaymentGatewayError, WebhookSignatureError, verify_webhook
from fundraiser.payments.handlers import queue_receipt_jobs, record_and_handle

log = logging.getLogger(__name__)
bp = Blueprint("payments", __name__)


@bp.post("/stripe/webhook")
@csrf.exempt
@limiter.exempt
def stripe_webhook():
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        log.error("A Stripe webhook arrived but STRIPE_WEBHOOK_SECRET is not set")
        return jsonify(error="webhooks are not configured"), 503
    payload = request.get_data()
    try:
        event = _verified(payload, secret, current_app.config.get("STRIPE_CONNECT_WEBHOOK_SECRET"))
        event_id, event_type = event["id"], event["type"]
    except WebhookSignatureError as error:
        log.warning("Refused a Stripe webhook: %s", error)
        return jsonify(error="bad signature", detail=str(error)), 400
    except (ValueError, KeyError, TypeError):
        return jsonify(error="bad payload", detail="not a Stripe event"), 400

    try:
        outcome = record_and_handle(db.session, event)
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


def _verified(payload: bytes, secret: str, connect_secret: str | None) -> dict:
    """The event, signed with the account endpoint's secret or (connect mode) the Connect
    endpoint's: Stripe gives each endpoint its own secret, and both may post here."""
    signature = request.headers.get("Stripe-Signature")
    try:
        return verify_webhook(payload, signature, secret)
    except WebhookSignatureError:
        if not connect_secret:
            raise
    return verify_webhook(payload, signature, connect_secret)
