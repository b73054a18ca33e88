"""Stripe in tests: a real localstripe server over HTTP, webhook events built and signed the
way Stripe signs them, and the money invariant every money test ends with.

Fixtures:
- `localstripe`: starts `localstripe --from-scratch` (on 127.0.0.1 only, through
  dev/localstripe_local.py) once per run on a free port and points
  the app at it for the test (keys, webhook secret, API base, Stripe.js URL). It has
  `.url`, `.post(path, **form)` / `.get(path)` for calls the browser or Stripe's dashboard
  would make, and `.pay(payment_intent_id, card)` to confirm server-side with a test card.
- `stripe_events`: sets STRIPE_WEBHOOK_SECRET; builds events (`payment_intent`, `refunded`,
  `dispute`), signs them (`signature`) and delivers them (`deliver`).
- `pending_donation`: a pending donation with a made-up PaymentIntent id, for webhook tests
  that need no Stripe server.
- `assert_money_adds_up(session)`: every stored total equals what the donation rows say.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from fundraiser.donations.pending import create_pending_donation
from fundraiser.extensions import db
from fundraiser.models import Dispute, Donation, FundraisingTotal, PledgePage, Refund
from fundraiser.payments.gateway import sdk_api_version

# localstripe bound to 127.0.0.1 only (it would listen on every interface by itself).
LOCALSTRIPE_LOCAL = Path(__file__).resolve().parents[1] / "dev" / "localstripe_local.py"
SECRET_KEY = "sk_test_localstripe"
PUBLISHABLE_KEY = "pk_test_localstripe"
WEBHOOK_SECRET = "whsec_test_running_together"
CARDS = {
    "visa": "4242424242424242",
    "declined": "4000000000000341",
    "3ds": "4000002500003155",
}
_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalStripe:
    """A running localstripe, spoken to over HTTP with the secret key."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        self.http.auth = (SECRET_KEY, "")

    def post(self, path: str, **form: Any) -> requests.Response:
        return self.http.post(self.url + path, data=form, timeout=10)

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.http.get(self.url + path, params=params, timeout=10)
        response.raise_for_status()
        return response.json()

    def payment_method(self, card: str = "visa") -> str:
        response = self.post(
            "/v1/payment_methods",
            **{
                "type": "card",
                "card[number]": CARDS.get(card, card),
                "card[exp_month]": "12",
                "card[exp_year]": "2034",
                "card[cvc]": "123",
            },
        )
        response.raise_for_status()
        return response.json()["id"]

    def pay(self, payment_intent_id: str, card: str = "visa") -> requests.Response:
        """Confirm a PaymentIntent server-side with a test card. (localstripe cannot take
        the payment method in the confirm call itself, so it is attached first.)"""
        attached = self.post(
            f"/v1/payment_intents/{payment_intent_id}", payment_method=self.payment_method(card)
        )
        attached.raise_for_status()
        return self.post(f"/v1/payment_intents/{payment_intent_id}/confirm")

    def authenticate(
        self, payment_intent_id: str, client_secret: str, success: bool = True
    ) -> requests.Response:
        """What Stripe.js does when the donor passes (or fails) the 3-D Secure challenge."""
        return requests.post(
            f"{self.url}/v1/payment_intents/{payment_intent_id}/_authenticate",
            data={"key": PUBLISHABLE_KEY, "client_secret": client_secret, "success": str(success).lower()},
            timeout=10,
        )

    def refund_in_dashboard(self, payment_intent_id: str, amount: int) -> dict[str, Any]:
        """A refund made at Stripe, not through our app."""
        response = self.post("/v1/refunds", payment_intent=payment_intent_id, amount=amount)
        response.raise_for_status()
        return response.json()

    def register_webhook(self, url: str, secret: str = WEBHOOK_SECRET, events: tuple[str, ...] = ()) -> None:
        """Send localstripe's events to `url` (one webhook for the tests: a new one replaces it)."""
        form: dict[str, Any] = {"url": url, "secret": secret}
        if events:
            form["events[]"] = list(events)
        response = requests.post(f"{self.url}/_config/webhooks/tests", data=form, timeout=10)
        response.raise_for_status()

    def mute_webhook(self) -> None:
        """localstripe cannot forget a webhook: make it listen for an event that never happens."""
        self.register_webhook("http://127.0.0.1:9/", events=("never.happens",))


@pytest.fixture(scope="session")
def localstripe_server(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("localstripe")
    port = free_port()
    log = open(folder / "localstripe.log", "wb")  # noqa: SIM115  (closed after the server stops)
    process = subprocess.Popen(
        [sys.executable, str(LOCALSTRIPE_LOCAL), "--port", str(port), "--from-scratch"],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"localstripe exited with {process.returncode}")
        try:
            requests.get(f"{url}/v1/balance", auth=(SECRET_KEY, ""), timeout=1).raise_for_status()
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("localstripe did not start within 30 s")


def _configure(app, values: dict[str, Any]) -> Iterator[None]:
    saved = {name: app.config.get(name) for name in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


@pytest.fixture
def localstripe(app, localstripe_server) -> Iterator[LocalStripe]:
    settings = {
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": localstripe_server,
        "STRIPE_STAND_IN": True,
        "STRIPE_JS_URL": f"{localstripe_server}/js.stripe.com/v3/",
    }
    server = LocalStripe(localstripe_server)
    for _ in _configure(app, settings):
        yield server
    server.mute_webhook()


class StripeEvents:
    """Build, sign and deliver webhook events the way Stripe does."""

    secret = WEBHOOK_SECRET

    @staticmethod
    def event(
        event_type: str, obj: dict[str, Any], *, event_id: str | None = None, created: int | None = None
    ):
        return {
            "id": event_id or f"evt_test_{uuid.uuid4().hex[:16]}",
            "object": "event",
            "api_version": sdk_api_version(),  # our endpoint's version (STRIPE_API_VERSION)
            "created": created or int(time.time()),
            "livemode": False,
            "type": event_type,
            "data": {"object": obj},
        }

    def payment_intent(
        self,
        donation: Donation,
        event_type: str = "payment_intent.succeeded",
        *,
        charge_id: str | None = None,
        amount: int | None = None,
        error: str = "Your card was declined.",
        **fields: Any,
    ) -> dict[str, Any]:
        succeeded = event_type == "payment_intent.succeeded"
        amount = donation.charged_amount if amount is None else amount
        intent = {
            "id": donation.stripe_payment_intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount if succeeded else 0,
            "currency": donation.currency.lower(),
            "status": "succeeded" if succeeded else "requires_payment_method",
            "latest_charge": charge_id or charge_id_for(donation),
            "metadata": {"donation_id": str(donation.id), "public_id": donation.public_id},
            "last_payment_error": None if succeeded else {"code": "card_declined", "message": error},
        }
        intent.update(fields)
        return self.event(event_type, intent)

    def refunded(self, donation: Donation, refunds: list[tuple[str, int]], **fields: Any) -> dict[str, Any]:
        """charge.refunded carrying every refund of the charge so far: (refund id, amount)."""
        charge_id = donation.stripe_charge_id or charge_id_for(donation)
        data = [
            {
                "id": refund_id,
                "object": "refund",
                "amount": amount,
                "charge": charge_id,
                "payment_intent": donation.stripe_payment_intent_id,
                "currency": donation.currency.lower(),
                "status": "succeeded",
                "created": int(time.time()) + position,
                "metadata": {},
            }
            for position, (refund_id, amount) in enumerate(refunds)
        ]
        charge = {
            "id": charge_id,
            "object": "charge",
            "amount": donation.charged_amount,
            "amount_refunded": sum(amount for _, amount in refunds),
            "currency": donation.currency.lower(),
            "payment_intent": donation.stripe_payment_intent_id,
            "refunded": sum(amount for _, amount in refunds) == donation.charged_amount,
            "refunds": {"object": "list", "data": data, "has_more": False, "total_count": len(data)},
        }
        charge.update(fields)
        return self.event("charge.refunded", charge)

    def dispute(
        self, donation: Donation, event_type: str, *, dispute_id: str, status: str, amount: int | None = None
    ) -> dict[str, Any]:
        dispute = {
            "id": dispute_id,
            "object": "dispute",
            "amount": donation.charged_amount if amount is None else amount,
            "charge": donation.stripe_charge_id or charge_id_for(donation),
            "currency": donation.currency.lower(),
            "reason": "fraudulent",
            "status": status,
        }
        return self.event(event_type, dispute)

    def signature(self, payload: bytes, *, timestamp: int | None = None, secret: str | None = None) -> str:
        timestamp = int(time.time()) if timestamp is None else timestamp
        signed = f"{timestamp}.".encode() + payload
        digest = hmac.new((secret or self.secret).encode(), signed, hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"

    def deliver(
        self, client, event: dict[str, Any], *, timestamp: int | None = None, secret: str | None = None
    ):
        payload = json.dumps(event).encode()
        return client.post(
            "/stripe/webhook",
            data=payload,
            headers={
                "Stripe-Signature": self.signature(payload, timestamp=timestamp, secret=secret),
                "Content-Type": "application/json",
            },
        )


def charge_id_for(donation: Donation) -> str:
    return "ch_" + donation.public_id[:24]


@pytest.fixture
def stripe_events(app) -> Iterator[StripeEvents]:
    for _ in _configure(app, {"STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}):
        yield StripeEvents()


@pytest.fixture
def pending_donation(app):
    """`pending_donation(page, amount=2500, **fields)`: a pending donation whose (made-up)
    PaymentIntent id is stored, as if the donate form had created it at Stripe."""

    def make(page: PledgePage, amount: int = 2500, **fields: Any) -> Donation:
        fields.setdefault("donor_name", f"Donor {next(_ids)}")
        fields.setdefault("donor_email", "donor@example.test")
        donation = create_pending_donation(db.session, page, amount=amount, **fields)
        donation.stripe_payment_intent_id = f"pi_test_{donation.public_id[:20]}"
        db.session.flush()
        return donation

    return make


def assert_money_adds_up(session) -> None:
    """Every stored total equals the sum, over donations, of what Stripe said was paid less
    what it refunded and disputed (the kept gift), computed from the donation rows alone."""
    session.expire_all()
    donations = session.scalars(select(Donation)).all()
    kept_by: dict[tuple, list[int]] = {}
    for donation in donations:
        refunds = session.scalars(select(Refund.amount).where(Refund.donation_id == donation.id)).all()
        assert donation.refunded_amount == sum(refunds), donation.public_id
        withdrawn = session.scalars(
            select(Dispute.amount).where(Dispute.donation_id == donation.id, Dispute.status != "won")
        ).all()
        assert donation.disputed_amount == min(donation.charged_amount, sum(withdrawn)), donation.public_id
        assert (donation.status == "refunded") == (donation.refunded_amount == donation.charged_amount > 0)
        counted = donation.status in ("paid", "refunded")
        kept = max(0, donation.amount - donation.refunded_amount - donation.disputed_amount) if counted else 0
        for key in (
            ("page", donation.page_id, donation.currency),
            ("event", donation.event_id, donation.currency),
            ("cause", donation.cause_id, donation.currency),
        ):
            kept_by.setdefault(key, []).append(kept)
    for page in session.scalars(select(PledgePage)).all():
        kept = kept_by.get(("page", page.id, page.currency), [])
        assert (page.raised_amount, page.donation_count) == (sum(kept), sum(1 for k in kept if k)), page.slug
    stored = {(t.scope, t.scope_id, t.currency): t for t in session.scalars(select(FundraisingTotal)).all()}
    for key in {k for k in kept_by if k[0] != "page"} | set(stored):
        kept = kept_by.get(key, [])
        total = stored.get(key)
        found = (total.raised_amount, total.donation_count) if total else (0, 0)
        assert found == (sum(kept), sum(1 for k in kept if k)), key
