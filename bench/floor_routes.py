"""Floor routes for the benchmarks (bench/http.py, bench/webhooks.py): the same app, settings
and gunicorn, plus two routes that touch no database, so a page's throughput can be read as a
share of what the stack itself can serve. The benches serve `bench.floor_routes:floor_app()`;
the app that `wsgi.py` serves never has these routes."""

from __future__ import annotations

import json

import stripe
from flask import Blueprint, Flask, current_app, jsonify, request

from fundraiser import create_app
from fundraiser.extensions import csrf, limiter

bp = Blueprint("bench_floor", __name__)

# About the size of a rendered pledge page, so the floor pays the same bytes on the wire.
FLOOR_PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Floor</title></head><body>"
    "<h1>Floor</h1>" + "<p>A constant page: no database, no template.</p>" * 200 + "</body></html>"
)


@bp.get("/_floor")
def floor_page():
    return FLOOR_PAGE


@bp.post("/_floor/stripe-webhook")
@csrf.exempt
@limiter.exempt
def floor_webhook():
    """What /stripe/webhook does before it touches the database: verify, then parse."""
    payload = request.get_data()
    try:
        stripe.Webhook.construct_event(
            payload, request.headers.get("Stripe-Signature"), current_app.config["STRIPE_WEBHOOK_SECRET"]
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError):
        return jsonify(error="bad signature"), 400
    return jsonify(status="verified", id=event["id"]), 200


def floor_app(config: type | None = None) -> Flask:
    """The app with the floor routes added (gunicorn: `bench.floor_routes:floor_app()`)."""
    app = create_app(config)
    app.register_blueprint(bp)
    return app
