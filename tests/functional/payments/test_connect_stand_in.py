"""The Connect stand-in (dev/connect_stand_in.py) behaves as Stripe's API reference says,
spoken to through the real stripe SDK over HTTP.

Sources: Stripe API reference, "Accounts" (create, retrieve; `charges_enabled`,
`payouts_enabled`, `details_submitted`, `requirements`), "Account Links" (create: single-use
`url`, `expires_at`, `refresh_url`, `return_url`), "Connected Accounts" (the `Stripe-Account`
header scopes every request to that account), "Connect webhooks" (the event's `account`
field), "Create a PaymentIntent" (`application_fee_amount` needs a direct or destination
charge), "Errors" (`resource_missing`).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import stripe

from tests.stripe_fixtures import SECRET_KEY, WEBHOOK_SECRET


@pytest.fixture
def client(connect_stand_in) -> stripe.StripeClient:
    return stripe.StripeClient(
        SECRET_KEY, base_addresses={"api": connect_stand_in.url}, max_network_retries=0
    )


def new_account(client, **params) -> stripe.Account:
    return client.v1.accounts.create(params={"type": "standard", "country": "GB", **params})


def onboarded(client, stand_in) -> str:
    account = new_account(client)
    link = client.v1.account_links.create(
        params={
            "account": account.id,
            "type": "account_onboarding",
            "refresh_url": "http://127.0.0.1:5000/refresh",
            "return_url": "http://127.0.0.1:5000/return",
        }
    )
    stand_in.onboard(link.url)
    return account.id


def pay(client, stand_in, account: str | None, amount: int = 2000, **params) -> stripe.PaymentIntent:
    options = {"stripe_account": account} if account else {}
    intent = client.v1.payment_intents.create(
        params={"amount": amount, "currency": "gbp", **params}, options=options
    )
    stand_in.post(
        f"/v1/payment_intents/{intent.id}", account=account, payment_method=stand_in.payment_method()
    )
    return client.v1.payment_intents.confirm(intent.id, options=options)


def test_a_new_account_cannot_take_charges_until_onboarded(client, connect_stand_in):
    account = new_account(client, email="treasurer@charity.test")
    assert account.id.startswith("acct_")
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (
        False,
        False,
        False,
    )
    assert account.requirements.currently_due and account.requirements.disabled_reason
    assert (account.country, account.default_currency, account.email) == (
        "GB",
        "gbp",
        "treasurer@charity.test",
    )
    link = client.v1.account_links.create(
        params={
            "account": account.id,
            "type": "account_onboarding",
            "refresh_url": "http://127.0.0.1:5000/refresh",
            "return_url": "http://127.0.0.1:5000/return",
        }
    )
    assert link.expires_at - link.created == 300
    assert connect_stand_in.onboard(link.url) == "http://127.0.0.1:5000/return"
    done = client.v1.accounts.retrieve(account.id)
    assert (done.charges_enabled, done.payouts_enabled, done.details_submitted) == (True, True, True)
    assert (done.requirements.currently_due, done.requirements.disabled_reason) == ([], None)
    # single use: the same link now sends the browser to refresh_url
    again = connect_stand_in.http.get(link.url, allow_redirects=False, timeout=10)
    assert (again.status_code, again.headers["Location"]) == (302, "http://127.0.0.1:5000/refresh")


def test_account_creation_is_idempotent_and_checks_its_parameters(client):
    first = client.v1.accounts.create(params={"type": "express"}, options={"idempotency_key": "cause-1"})
    second = client.v1.accounts.create(params={"type": "express"}, options={"idempotency_key": "cause-1"})
    assert first.id == second.id
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.accounts.create(params={"type": "platinum"})
    assert refused.value.param == "type"
    with pytest.raises(stripe.InvalidRequestError) as no_link:
        client.v1.account_links.create(
            params={"account": "acct_nobody", "type": "account_onboarding", "return_url": "http://x.test/r"}
        )
    assert no_link.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.accounts.retrieve("acct_nobody")


def test_objects_belong_to_the_account_named_in_the_header(client, connect_stand_in):
    charity, other = onboarded(client, connect_stand_in), onboarded(client, connect_stand_in)
    intent = pay(client, connect_stand_in, charity)
    assert intent.status == "succeeded"
    mine = {"stripe_account": charity}
    assert client.v1.payment_intents.retrieve(intent.id, options=mine).id == intent.id
    for options in ({"stripe_account": other}, {}):
        with pytest.raises(stripe.InvalidRequestError) as hidden:
            client.v1.payment_intents.retrieve(intent.id, options=options)
        assert (hidden.value.http_status, hidden.value.code) == (404, "resource_missing")
        with pytest.raises(stripe.InvalidRequestError) as refused:
            client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 500}, options=options)
        assert (refused.value.code, refused.value.param) == ("resource_missing", "payment_intent")
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 500}, options=mine)
    assert client.v1.refunds.retrieve(refund.id, options=mine).amount == 500
    listed = [item.id for item in client.v1.refunds.list(options=mine).auto_paging_iter()]
    assert listed == [refund.id]
    assert refund.id not in [
        item.id for item in client.v1.refunds.list(options={"stripe_account": other}).data
    ]
    assert intent.id not in [item.id for item in client.v1.payment_intents.list().data]


def test_an_unknown_account_in_the_header_is_refused(client):
    with pytest.raises(stripe.PermissionError) as refused:
        client.v1.payment_intents.create(
            params={"amount": 1000, "currency": "gbp"}, options={"stripe_account": "acct_unknown"}
        )
    assert refused.value.http_status == 403
    assert refused.value.json_body["error"]["code"] == "account_invalid"


def test_application_fee_only_on_a_direct_charge_and_never_above_the_amount(client, connect_stand_in):
    charity = onboarded(client, connect_stand_in)
    intent = pay(client, connect_stand_in, charity, amount=2000, application_fee_amount=150)
    assert intent.application_fee_amount == 150
    with pytest.raises(stripe.InvalidRequestError) as platform:
        client.v1.payment_intents.create(
            params={"amount": 2000, "currency": "gbp", "application_fee_amount": 1}
        )
    assert platform.value.param == "application_fee_amount"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.create(
            params={"amount": 2000, "currency": "gbp", "application_fee_amount": 2001},
            options={"stripe_account": charity},
        )


class Catcher(BaseHTTPRequestHandler):
    events: list[tuple[dict, bytes, str]] = []

    def do_POST(self):  # noqa: N802 (the http.server API)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Catcher.events.append((json.loads(body), body, self.headers["Stripe-Signature"]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_catcher(connect_stand_in):
    Catcher.events = []
    server = HTTPServer(("127.0.0.1", 0), Catcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    connect_stand_in.register_webhook(f"http://127.0.0.1:{server.server_port}/")
    yield Catcher.events
    server.shutdown()


def wait_for_event(events, predicate, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event, body, signature in list(events):
            if predicate(event):
                stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET)  # raises if unsigned
                return event
        time.sleep(0.1)
    raise AssertionError(f"no such event among {[e['type'] for e, _, _ in events]}")


def test_events_are_signed_and_carry_the_account(client, connect_stand_in, webhook_catcher):
    charity = onboarded(client, connect_stand_in)
    updated = wait_for_event(
        webhook_catcher, lambda e: e["type"] == "account.updated" and e.get("account") == charity
    )
    assert updated["data"]["object"]["charges_enabled"] is True
    assert updated["data"]["previous_attributes"]["charges_enabled"] is False
    connect_stand_in.change_account(
        charity, charges_enabled="false", **{"requirements[past_due][]": "external_account"}
    )
    off = wait_for_event(
        webhook_catcher,
        lambda e: e["type"] == "account.updated" and e["data"]["object"]["charges_enabled"] is False,
    )
    assert off["account"] == charity
    assert off["data"]["object"]["requirements"]["past_due"] == ["external_account"]
    intent = pay(client, connect_stand_in, charity)
    paid = wait_for_event(
        webhook_catcher,
        lambda e: e["type"] == "payment_intent.succeeded" and e["data"]["object"]["id"] == intent.id,
    )
    assert paid["account"] == charity
