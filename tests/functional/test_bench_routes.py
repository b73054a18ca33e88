"""The benchmarks' floor routes exist only in the benches' app (bench/floor_routes.py), and never
touch the database."""

from __future__ import annotations

import json

from bench.floor_routes import floor_app
from config import TestConfig
from tests.stripe_fixtures import StripeEvents


def test_floor_routes_are_absent_by_default(client):
    assert client.get("/_floor").status_code == 404
    assert client.post("/_floor/stripe-webhook", data=b"{}").status_code == 404


def test_floor_routes_answer_without_a_database_in_the_benches_app():
    config = type(
        "FloorConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent/folder/no.sqlite",
            "STRIPE_WEBHOOK_SECRET": "whsec_floor",
        },
    )
    client = floor_app(config).test_client()
    assert client.get("/_floor").status_code == 200

    payload = json.dumps(StripeEvents.event("payment_intent.succeeded", {"id": "pi_floor"})).encode()
    good = StripeEvents().signature(payload, secret="whsec_floor")
    answer = client.post("/_floor/stripe-webhook", data=payload, headers={"Stripe-Signature": good})
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "verified"
    forged = StripeEvents().signature(payload, secret="whsec_wrong")
    assert (
        client.post("/_floor/stripe-webhook", data=payload, headers={"Stripe-Signature": forged}).status_code
        == 400
    )
