"""Everything we ask of Stripe, behind one small interface.

`StripeGateway` talks to real Stripe. `LocalStripeGateway` talks to localstripe, the local
stand-in used by `make run` and the tests (chosen when STRIPE_API_BASE is set): the same
calls, less what localstripe refuses (receipt_email, list filters by date). Answers come
back as plain dicts so the handlers never see an SDK object.

Every create call carries an idempotency key tied to the business action, so a retried
request or a double click makes one PaymentIntent or refund at Stripe, not two.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import stripe
from flask import current_app

from fundraiser.donations.transitions import PAYABLE_STATUSES
from fundraiser.models import Cause, Donation

log = logging.getLogger(__name__)


class WebhookSignatureError(Exception):
    """A webhook's payload is not signed with our secret, or the signature is stale."""


class PaymentGatewayError(Exception):
    """Stripe could not be reached or refused the request; `message` is fit to show a person."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class PaymentIntentHandle:
    """What the donate page needs to collect the card, or to run 3-D Secure (`requires_action`)."""

    id: str
    client_secret: str
    status: str


@dataclass(frozen=True)
class SetupIntentHandle:
    """For `stripe.confirmCardSetup`, which turns the card into a PaymentMethod in the browser."""

    id: str
    client_secret: str


class PaymentGateway(Protocol):
    """`stripe_account`, where a call takes it, is the connected account the call is about
    (the `Stripe-Account` header; None: the platform's own account)."""

    def create_payment_intent(self, donation: Donation) -> PaymentIntentHandle: ...
    def retrieve_payment_intent(
        self, payment_intent_id: str, *, stripe_account: str | None = None
    ) -> dict[str, Any]: ...
    def confirm_payment_intent(
        self,
        payment_intent_id: str,
        payment_method_id: str,
        *,
        idempotency_key: str,
        stripe_account: str | None = None,
    ) -> dict[str, Any]: ...
    def create_setup_intent(self, donation: Donation) -> SetupIntentHandle: ...
    def create_refund(
        self, donation: Donation, amount: int, *, idempotency_key: str, metadata: dict[str, str]
    ) -> dict[str, Any]: ...
    def list_charge_refunds(
        self, charge_id: str, *, stripe_account: str | None = None
    ) -> list[dict[str, Any]]: ...
    def list_payment_intents(
        self, since: datetime, *, stripe_account: str | None = None
    ) -> Iterator[dict[str, Any]]: ...
    def list_refunds(
        self, since: datetime, *, stripe_account: str | None = None
    ) -> Iterator[dict[str, Any]]: ...
    def create_connected_account(self, cause: Cause, *, idempotency_key: str) -> dict[str, Any]: ...
    def create_account_link(
        self, account_id: str, *, refresh_url: str, return_url: str, idempotency_key: str
    ) -> dict[str, Any]: ...
    def retrieve_account(self, account_id: str) -> dict[str, Any]: ...


def on_account(stripe_account: str | None, idempotency_key: str | None = None) -> stripe.RequestOptions:
    """Request options for a call about an object of `stripe_account` (None: the platform's
    own account): the `Stripe-Account` header of a direct charge, and the idempotency key."""
    options: stripe.RequestOptions = {}
    if stripe_account:
        options["stripe_account"] = stripe_account
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    return options


def object_id(value: Any) -> str | None:
    """The id of an object field that is an id, or an expanded object, or empty."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


class StripeGateway:
    """Real Stripe through stripe-python's StripeClient."""

    # Retries are safe: every POST carries an idempotency key.
    network_retries = 2

    def __init__(self, secret_key: str, api_base: str | None = None):
        base = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(
            secret_key, base_addresses=base, max_network_retries=self.network_retries
        )

    def create_payment_intent(self, donation: Donation) -> PaymentIntentHandle:
        params = {
            "amount": donation.charged_amount,
            "currency": donation.currency.lower(),
            "metadata": {
                "donation_id": str(donation.id),
                "public_id": donation.public_id,
                "page": str(donation.page_id),
            },
            "payment_method_types": ["card"],
            "capture_method": "automatic",
            **self._payment_intent_extras(donation),
        }
        if donation.stripe_account_id and donation.platform_fee_amount:
            params["application_fee_amount"] = donation.platform_fee_amount
        key = f"donation-{donation.public_id}-pi"
        intent = self._call(
            self.client.v1.payment_intents.create,
            params=params,
            options=on_account(donation.stripe_account_id, idempotency_key=key),
        )
        return PaymentIntentHandle(
            id=intent["id"], client_secret=intent["client_secret"], status=intent["status"]
        )

    def _payment_intent_extras(self, donation: Donation) -> dict[str, Any]:
        return {"receipt_email": donation.donor_email, "description": f"Donation {donation.public_id}"}

    def retrieve_payment_intent(
        self, payment_intent_id: str, *, stripe_account: str | None = None
    ) -> dict[str, Any]:
        return self._call(
            self.client.v1.payment_intents.retrieve, payment_intent_id, options=on_account(stripe_account)
        )

    def confirm_payment_intent(
        self,
        payment_intent_id: str,
        payment_method_id: str,
        *,
        idempotency_key: str,
        stripe_account: str | None = None,
    ) -> dict[str, Any]:
        return self._call(
            self.client.v1.payment_intents.confirm,
            payment_intent_id,
            params={"payment_method": payment_method_id},
            options=on_account(stripe_account, idempotency_key=idempotency_key),
        )

    def create_setup_intent(self, donation: Donation) -> SetupIntentHandle:
        params = {
            "payment_method_types": ["card"],
            "usage": "on_session",
            "metadata": {"donation_id": str(donation.id), "public_id": donation.public_id},
        }
        key = f"donation-{donation.public_id}-si"
        intent = self._call(
            self.client.v1.setup_intents.create,
            params=params,
            options=on_account(donation.stripe_account_id, idempotency_key=key),
        )
        return SetupIntentHandle(id=intent["id"], client_secret=intent["client_secret"])

    def create_refund(
        self, donation: Donation, amount: int, *, idempotency_key: str, metadata: dict[str, str]
    ) -> dict[str, Any]:
        params = {"payment_intent": donation.stripe_payment_intent_id, "amount": amount, "metadata": metadata}
        return self._call(
            self.client.v1.refunds.create,
            params=params,
            options=on_account(donation.stripe_account_id, idempotency_key=idempotency_key),
        )

    def list_charge_refunds(
        self, charge_id: str, *, stripe_account: str | None = None
    ) -> list[dict[str, Any]]:
        page = self._call(
            self.client.v1.refunds.list,
            params={"charge": charge_id, "limit": 100},
            options=on_account(stripe_account),
        )
        return list(self._iterate(page))

    def list_payment_intents(
        self, since: datetime, *, stripe_account: str | None = None
    ) -> Iterator[dict[str, Any]]:
        params = {"created": {"gte": _unix(since)}, "limit": 100}
        page = self._call(
            self.client.v1.payment_intents.list, params=params, options=on_account(stripe_account)
        )
        return self._iterate(page)

    def list_refunds(self, since: datetime, *, stripe_account: str | None = None) -> Iterator[dict[str, Any]]:
        params = {"created": {"gte": _unix(since)}, "limit": 100}
        page = self._call(self.client.v1.refunds.list, params=params, options=on_account(stripe_account))
        return self._iterate(page)

    def create_connected_account(self, cause: Cause, *, idempotency_key: str) -> dict[str, Any]:
        """The charity's own Stripe account, Stripe-onboarded, with its own full dashboard:
        it pays Stripe's fees and holds refunds and disputes of its direct charges."""
        params: stripe.params.AccountCreateParams = {
            "country": cause.country,
            "controller": {
                "fees": {"payer": "account"},
                "losses": {"payments": "stripe"},
                "stripe_dashboard": {"type": "full"},
                "requirement_collection": "stripe",
            },
            "business_profile": {"name": cause.legal_name, "url": cause.website}
            if cause.website
            else {"name": cause.legal_name},
            "metadata": {"cause_id": str(cause.id), "cause": cause.slug},
        }
        return self._call(
            self.client.v1.accounts.create, params=params, options={"idempotency_key": idempotency_key}
        )

    def create_account_link(
        self, account_id: str, *, refresh_url: str, return_url: str, idempotency_key: str
    ) -> dict[str, Any]:
        params: stripe.params.AccountLinkCreateParams = {
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
        }
        return self._call(
            self.client.v1.account_links.create, params=params, options={"idempotency_key": idempotency_key}
        )

    def retrieve_account(self, account_id: str) -> dict[str, Any]:
        return self._call(self.client.v1.accounts.retrieve, account_id)

    def _iterate(self, page: Any) -> Iterator[dict[str, Any]]:
        try:
            for item in page.auto_paging_iter():
                yield self._plain(item)
        except stripe.StripeError as error:
            raise self._gateway_error(error) from error

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = method(*args, **kwargs)
        except stripe.StripeError as error:
            raise self._gateway_error(error) from error
        return result if isinstance(result, stripe.ListObject) else self._plain(result)

    @staticmethod
    def _plain(obj: Any) -> dict[str, Any]:
        return obj.to_dict()

    @staticmethod
    def _gateway_error(error: stripe.StripeError) -> PaymentGatewayError:
        if isinstance(error, stripe.CardError):
            return PaymentGatewayError(error.user_message or "Your card was declined.", code=error.code or "")
        log.warning("Stripe refused a request: %s", error)
        if isinstance(error, stripe.APIConnectionError):
            return PaymentGatewayError("We could not reach our card processor. Please try again in a minute.")
        return PaymentGatewayError(
            "Our card processor refused the request. Please try again, or contact us if it keeps happening.",
            code=error.code or "",
        )


class LocalStripeGateway(StripeGateway):
    """localstripe, for development and tests. It rejects parameters it does not know
    (receipt_email, description, date filters on lists), cannot take the payment method in
    the confirm call, and ignores idempotency keys (so the SDK must not retry)."""

    network_retries = 0

    def _payment_intent_extras(self, donation: Donation) -> dict[str, Any]:
        return {}

    def confirm_payment_intent(
        self,
        payment_intent_id: str,
        payment_method_id: str,
        *,
        idempotency_key: str,
        stripe_account: str | None = None,
    ) -> dict[str, Any]:
        intent = self.retrieve_payment_intent(payment_intent_id, stripe_account=stripe_account)
        if intent["status"] not in ("requires_payment_method", "requires_confirmation"):
            return intent  # a repeated click: localstripe would refuse a second confirm
        options = on_account(stripe_account)
        self._call(
            self.client.v1.payment_intents.update,
            payment_intent_id,
            params={"payment_method": payment_method_id},
            options=options,
        )
        return self._call(self.client.v1.payment_intents.confirm, payment_intent_id, options=options)

    def list_charge_refunds(
        self, charge_id: str, *, stripe_account: str | None = None
    ) -> list[dict[str, Any]]:
        page = self._call(
            self.client.v1.refunds.list, params={"charge": charge_id}, options=on_account(stripe_account)
        )
        return list(self._iterate(page))

    def list_payment_intents(
        self, since: datetime, *, stripe_account: str | None = None
    ) -> Iterator[dict[str, Any]]:
        page = self._call(
            self.client.v1.payment_intents.list, params={"limit": 100}, options=on_account(stripe_account)
        )
        return (item for item in self._iterate(page) if item["created"] >= _unix(since))

    def list_refunds(self, since: datetime, *, stripe_account: str | None = None) -> Iterator[dict[str, Any]]:
        page = self._call(
            self.client.v1.refunds.list, params={"limit": 100}, options=on_account(stripe_account)
        )
        return (item for item in self._iterate(page) if item["created"] >= _unix(since))


def _unix(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def verify_webhook(payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """The event Stripe sent, as a plain dict, once its `Stripe-Signature` header proves it
    came from Stripe (the stand-in signs as Stripe does). Raises WebhookSignatureError for a
    missing, wrong or stale signature, and ValueError for a payload that is not JSON."""
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureError(str(error)) from error
    return json.loads(payload)


def get_gateway() -> PaymentGateway:
    """The gateway for the current app's settings (built once per settings).

    STRIPE_STAND_IN chooses localstripe's gateway; when it is not set, a STRIPE_API_BASE
    (only ever pointed at the stand-in) implies it.
    """
    config = current_app.config
    secret_key, api_base = config.get("STRIPE_SECRET_KEY"), config.get("STRIPE_API_BASE")
    if not secret_key:
        raise PaymentGatewayError("Card payments are not set up: STRIPE_SECRET_KEY is missing.")
    stand_in = config.get("STRIPE_STAND_IN")
    stand_in = bool(api_base) if stand_in is None else bool(stand_in)
    cache = current_app.extensions.setdefault("payment_gateways", {})
    key = (secret_key, api_base, stand_in)
    if key not in cache:
        gateway_class = LocalStripeGateway if stand_in else StripeGateway
        cache[key] = gateway_class(secret_key, api_base)
    return cache[key]


def create_payment_intent(donation: Donation) -> PaymentIntentHandle:
    """The PaymentIntent of this donation attempt, created at Stripe the first time.

    The amount is the server's `charged_amount`, never one from the browser. Asking again
    for the same donation returns the same PaymentIntent (its id is stored, and the
    idempotency key covers a retry before it was stored). The caller commits.
    """
    if donation.status not in PAYABLE_STATUSES:
        raise PaymentGatewayError("This donation is no longer waiting for payment.")
    gateway = get_gateway()
    if donation.stripe_payment_intent_id:
        intent = gateway.retrieve_payment_intent(
            donation.stripe_payment_intent_id, stripe_account=donation.stripe_account_id
        )
        return PaymentIntentHandle(
            id=intent["id"], client_secret=intent["client_secret"], status=intent["status"]
        )
    handle = gateway.create_payment_intent(donation)
    donation.stripe_payment_intent_id = handle.id
    return handle


_PAYMENT_METHOD_ID = re.compile(r"^(?:pm|card)_[A-Za-z0-9_]{1,250}$")


def create_setup_intent(donation: Donation) -> SetupIntentHandle:
    """A SetupIntent for this donation attempt, so the browser can turn the card into a
    PaymentMethod with `confirmCardSetup` (localstripe's Stripe.js has no createPaymentMethod)."""
    if donation.status not in PAYABLE_STATUSES:
        raise PaymentGatewayError("This donation is no longer waiting for payment.")
    return get_gateway().create_setup_intent(donation)


def confirm_payment(donation: Donation, payment_method_id: str) -> PaymentIntentHandle:
    """Pay this donation's PaymentIntent with the card the browser turned into a PaymentMethod.

    Returns the PaymentIntent's status: `succeeded`, `processing`, or `requires_action` (the
    browser then runs 3-D Secure with `confirmCardPayment(client_secret)`). A decline raises
    PaymentGatewayError with the card network's words. Nothing here marks the donation paid
    or failed: only Stripe's webhook (or stripe-sync) does.
    """
    if not _PAYMENT_METHOD_ID.match(payment_method_id or ""):
        raise PaymentGatewayError("We could not read the card details. Please try again.")
    if donation.status not in PAYABLE_STATUSES or not donation.stripe_payment_intent_id:
        raise PaymentGatewayError("This donation is no longer waiting for payment.")
    intent = get_gateway().confirm_payment_intent(
        donation.stripe_payment_intent_id,
        payment_method_id,
        idempotency_key=f"donation-{donation.public_id}-confirm-{payment_method_id}",
        stripe_account=donation.stripe_account_id,
    )
    return PaymentIntentHandle(
        id=intent["id"], client_secret=intent["client_secret"], status=intent["status"]
    )
