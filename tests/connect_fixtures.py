"""Stripe Connect in tests: the Connect stand-in (dev/connect_stand_in.py) in front of the
session's localstripe, over HTTP.

Fixtures:
- `connect_stand_in_server`: starts the stand-in once per run; its address.
- `assert_money_adds_up_per_account(session, stand_in)`: the money invariant per connected
  account (see below), beside tests/stripe_fixtures.py's `assert_money_adds_up`.
- `connect_stand_in`: points the app at the stand-in (API base and Stripe.js) for the test,
  with PAYMENTS_MODE=connect. It has `.url`, `.onboard(link_url)` (what a charity admin does
  on Stripe's onboarding page: returns where Stripe sends the browser back to),
  `.change_account(account_id, **form)` (what Stripe does on its own, e.g. turning charges off),
  `.get(path, account=...)`, `.post(path, account=..., **form)` and `.register_webhook(url)`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from fundraiser.models import Cause, Donation
from tests.stripe_fixtures import SECRET_KEY, WEBHOOK_SECRET, LocalStripe, _configure, free_port

ROOT = Path(__file__).resolve().parent.parent


class ConnectStandIn(LocalStripe):
    """The Connect stand-in, spoken to as Stripe's dashboard or a browser would."""

    def post(self, path: str, account: str | None = None, **form: Any) -> requests.Response:
        headers = {"Stripe-Account": account} if account else {}
        return self.http.post(self.url + path, data=form, headers=headers, timeout=10)

    def get(self, path: str, account: str | None = None, **params: Any) -> dict[str, Any]:
        headers = {"Stripe-Account": account} if account else {}
        response = self.http.get(self.url + path, params=params, headers=headers, timeout=10)
        response.raise_for_status()
        return response.json()

    def onboard(self, link_url: str) -> str:
        """Open the onboarding link and submit it; the address Stripe sends the browser to."""
        assert requests.get(link_url, timeout=10).status_code == 200
        answer = requests.post(link_url, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]

    def change_account(self, account_id: str, **form: Any) -> dict[str, Any]:
        response = requests.post(f"{self.url}/_connect/accounts/{account_id}", data=form, timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def connect_stand_in_server(localstripe_server, tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("connect")
    port = free_port()
    log = open(folder / "connect.log", "wb")  # noqa: SIM115  (closed after the server stops)
    process = subprocess.Popen(
        [sys.executable, "-m", "dev.connect_stand_in", "--port", str(port), "--upstream", localstripe_server],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the Connect stand-in exited with {process.returncode}")
            try:
                requests.get(f"{url}/v1/accounts", auth=(SECRET_KEY, ""), timeout=1).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def connect_stand_in(app, localstripe, connect_stand_in_server) -> Iterator[ConnectStandIn]:
    settings = {
        "STRIPE_API_BASE": connect_stand_in_server,
        "STRIPE_JS_URL": f"{connect_stand_in_server}/js.stripe.com/v3/",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PAYMENTS_MODE": "connect",
    }
    server = ConnectStandIn(connect_stand_in_server)
    for _ in _configure(app, settings):
        yield server
    server.mute_webhook()


def assert_money_adds_up_per_account(session, stand_in: ConnectStandIn) -> None:
    """The money invariant on each connected account: every gift charged on a cause's account
    is there (and not on the platform's), for the amount and fee we hold, and the refunds
    that account made for it add up to what the donation row says was refunded."""
    session.expire_all()
    donations = session.scalars(select(Donation).where(Donation.stripe_payment_intent_id.is_not(None))).all()
    for donation in donations:
        account = donation.stripe_account_id
        if account is None:
            continue
        cause = session.get(Cause, donation.cause_id)
        assert cause.stripe_account_id == account, donation.public_id
        intent = stand_in.get(f"/v1/payment_intents/{donation.stripe_payment_intent_id}", account=account)
        assert (intent["amount"], intent["currency"]) == (donation.charged_amount, donation.currency.lower())
        assert (intent["application_fee_amount"] or 0) == donation.platform_fee_amount
        counted = donation.status in Donation.COUNTED_STATUSES
        assert (intent["status"] == "succeeded") == counted, donation.public_id
        if counted:
            refunds = stand_in.get("/v1/refunds", account=account, charge=donation.stripe_charge_id)["data"]
            assert sum(r["amount"] for r in refunds if r["status"] == "succeeded") == donation.refunded_amount
