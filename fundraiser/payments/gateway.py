"""Everything we ask of Stripe, behind one small interface.

`StripeGateway` talks to real Stripe. `LocalStripeGateway` talks to localstripe, the local
stand-in used by `make run` and the tests (chosen when STRIPE_API_BASE is set): the same
calls, less what localstripe refuses (receipt_email, list filters by date). Answers come
back as plain dicts so the handlers never see an SDK object.

Every create call carries an idempotency key tied to the business action, so a retried
request or a double click makes one PaymentIntent or refund at Stripe, not two.

In connect mode (PAYMENTS_MODE=connect) a gift is a direct charge on its cause's connected
account: every call about it carries that account (`donation.stripe_account_id`, or the
`stripe_account` keyword) as the `Stripe-Account` header; None is the platform's own account.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import stripe
from flask import current_app
from stripe import RequestOptions
from stripe._base_address import BaseAddresses
from stripe.params import (
    AccountCreateParams,
    AccountCreateParamsBusinessProfile,
    AccountCreateParamsController,
    AccountLinkCreateParams,
    DisputeListParams,
    DisputeListParamsCreated,
    PaymentIntentCancelParams,
    PaymentIntentConfirmParams,
    PaymentIntentCreateParams,
    PaymentIntentListParams,
    PaymentIntentListParamsCreated,
    PaymentIntentUpdateParams,
    RefundCreateParams,
    RefundListParams,
    RefundListParamsCreated,
    SetupIntentCreateParams,
)

from fundraiser.donations.transitions import PAYABLE_STATUSES
from fundraiser.models import Cause, Donation

log = logging.getLogger(__name__)


class WebhookSignatureError(Exception):
    """A webhook's payload is not signed with our secret, or the signature is stale."""


class PaymentGatewayError(Exception):
    """Stripe could not be reached or refused the request; `message` is fit to show a person."""

    def __init__(self, message: str, *, code: str = "", declined: bool = False):
        super().__init__(message)
        self.message = message
        self.code = code
        # The card itself was refused (a CardError), not Stripe or the network failing.
        self.declined = declined


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
    (the `Stripe-Account` header; None: the platform's own account). A call given a donation
    uses the donation's own `stripe_account_id`."""

    def create_payment_intent(self, donation: Donation) -> PaymentIntentHandle: ...
    def retrieve_payment_intent(
        self, payment_intent_id: str, *, stripe_account: str | None = None
    ) -> dict[str, Any]: ...
    def change_payment_intent_amount(
        self, donation: Donation, intent: dict[str, Any], *, idempotency_key: str
    ) -> PaymentIntentHandle: ...
    def cancel_payment_intent(
        self, payment_intent_id: str, *, idempotency_key: str, stripe_account: str | None = None
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
    def retrieve_payment_method(
        self, payment_method_id: str, *, stripe_account: str | None = None
    ) -> dict[str, Any]: ...
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
    def list_disputes(
        self, since: datetime, *, stripe_account: str | None = None
    ) -> Iterator[dict[str, Any]]: ...
    def create_connected_account(self, cause: Cause, *, idempotency_key: str) -> dict[str, Any]: ...
    def create_account_link(
        self, account_id: str, *, refresh_url: str, return_url: str, idempotency_key: str
    ) -> dict[str, Any]: ...
    def retrieve_account(self, account_id: str) -> dict[str, Any]: ...


def object_id(value: Any) -> str | None:
    """The id of an object field that is an id, or an expanded object, or empty."""
    if isinstance(value, dict):
        found = value.get("id")
        return found if isinstance(found, str) else None
    return value or None


def sdk_api_version() -> str:
    """The API version the pinned SDK is built for: STRIPE_API_VERSION's default."""
    return stripe.api_version


def api_version(config: Mapping[str, Any]) -> str:
    """The API version every call sends, and the one the webhook endpoint must use."""
    return config.get("STRIPE_API_VERSION") or sdk_api_version()


@contextmanager
def _stripe_errors() -> Iterator[None]:
    """Stripe's exceptions as PaymentGatewayError, with words fit for a person."""
    try:
        yield
    except stripe.StripeError as error:
        raise _gateway_error(error) from error


def _gateway_error(error: stripe.StripeError) -> PaymentGatewayError:
    if isinstance(error, stripe.CardError):
        return PaymentGatewayError(
            error.user_message or "Your card was declined.", code=error.code or "", declined=True
        )
    log.warning("Stripe refused a request: %s", error)
    if isinstance(error, stripe.APIConnectionError):
        return PaymentGatewayError("We could not reach our card processor. Please try again in a minute.")
    return PaymentGatewayError(
        "Our card processor refused the request. Please try again, or contact us if it keeps happening.",
        code=error.code or "",
    )


def _plain(obj: stripe.StripeObject) -> dict[str, Any]:
    return obj.to_dict()


def _handle(intent: dict[str, Any]) -> PaymentIntentHandle:
    return PaymentIntentHandle(
        id=intent["id"], client_secret=intent["client_secret"], status=intent["status"]
    )


class StripeGateway:
    """Real Stripe through stripe-python's StripeClient, every call typed by the SDK's
    `stripe.params` (mypy, strict on this package, refuses a parameter the pinned API
    version does not declare) and sent with the pinned API version."""

    # Retries are safe: every POST carries an idempotency key.
    network_retries = 2

    def __init__(self, secret_key: str, api_base: str | None = None, *, version: str | None = None):
        base: BaseAddresses | None = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses=base,
            max_network_retries=self.network_retries,
            stripe_version=version or sdk_api_version(),
        )

    @staticmethod
    def _options(idempotency_key: str | None = None, *, stripe_account: str | None = None) -> RequestOptions:
        """Per-request options: the idempotency key of a POST, and the connected account the
        call is about (the `Stripe-Account` header of a direct charge; None: the platform's)."""
        options: RequestOptions = {}
        if idempotency_key:
            options["idempotency_key"] = idempotency_key
        if stripe_account:
            options["stripe_account"] = stripe_account
        return options

    def create_payment_intent(self, donation: Donation) -> PaymentIntentHandle:
        options = self._options(
            f"donation-{donation.public_id}-pi", stripe_account=donation.stripe_account_id
        )
        with _stripe_errors():
            intent = self.client.v1.payment_intents.create(
                params=self._payment_intent_params(donation), options=options
            )
        return _handle(_plain(intent))

    def _payment_intent_params(self, donation: Donation) -> PaymentIntentCreateParams:
        """The server's amount, our ids in the metadata, cards only (confirmed by our server
        with the PaymentMethod Stripe.js made), the receipt email and a description; on a
        connected account, the platform's fee (application_fee_amount)."""
        params = PaymentIntentCreateParams(
            amount=donation.charged_amount,
            currency=donation.currency.lower(),
            metadata={
                "donation_id": str(donation.id),
                "public_id": donation.public_id,
                "page": str(donation.page_id),
            },
            capture_method="automatic",
            allowed_payment_method_types=["card"],
            receipt_email=donation.donor_email,
            description=f"Donation {donation.public_id}",
        )
        if donation.stripe_account_id and donation.platform_fee_amount:
            params["application_fee_amount"] = donation.platform_fee_amount
        return params

    def retrieve_payment_intent(
        self, payment_intent_id: str, *, stripe_account: str | None = None
    ) -> dict[str, Any]:
        options = self._options(stripe_account=stripe_account)
        with _stripe_errors():
            return _plain(self.client.v1.payment_intents.retrieve(payment_intent_id, options=options))

    def change_payment_intent_amount(
        self, donation: Donation, intent: dict[str, Any], *, idempotency_key: str
    ) -> PaymentIntentHandle:
        """The donor changed the gift before paying: the same PaymentIntent, the new amount
        (and, on a connected account, the platform fee of the new amount)."""
        params = PaymentIntentUpdateParams(amount=donation.charged_amount)
        if donation.stripe_account_id and (
            donation.platform_fee_amount or intent.get("application_fee_amount")
        ):
            params["application_fee_amount"] = donation.platform_fee_amount
        options = self._options(idempotency_key, stripe_account=donation.stripe_account_id)
        with _stripe_errors():
            updated = self.client.v1.payment_intents.update(intent["id"], params=params, options=options)
        return _handle(_plain(updated))

    def cancel_payment_intent(
        self, payment_intent_id: str, *, idempotency_key: str, stripe_account: str | None = None
    ) -> dict[str, Any]:
        params = PaymentIntentCancelParams(cancellation_reason="abandoned")
        options = self._options(idempotency_key, stripe_account=stripe_account)
        with _stripe_errors():
            canceled = self.client.v1.payment_intents.cancel(
                payment_intent_id, params=params, options=options
            )
        return _plain(canceled)

    def confirm_payment_intent(
        self,
        payment_intent_id: str,
        payment_method_id: str,
        *,
        idempotency_key: str,
        stripe_account: str | None = None,
    ) -> dict[str, Any]:
        params = PaymentIntentConfirmParams(payment_method=payment_method_id)
        options = self._options(idempotency_key, stripe_account=stripe_account)
        with _stripe_errors():
            confirmed = self.client.v1.payment_intents.confirm(
                payment_intent_id, params=params, options=options
            )
        return _plain(confirmed)

    def retrieve_payment_method(
        self, payment_method_id: str, *, stripe_account: str | None = None
    ) -> dict[str, Any]:
        options = self._options(stripe_account=stripe_account)
        with _stripe_errors():
            return _plain(self.client.v1.payment_methods.retrieve(payment_method_id, options=options))

    def create_setup_intent(self, donation: Donation) -> SetupIntentHandle:
        options = self._options(
            f"donation-{donation.public_id}-si", stripe_account=donation.stripe_account_id
        )
        with _stripe_errors():
            intent = self.client.v1.setup_intents.create(
                params=self._setup_intent_params(donation), options=options
            )
        return SetupIntentHandle(id=intent.id, client_secret=intent.client_secret or "")

    def _setup_intent_params(self, donation: Donation) -> SetupIntentCreateParams:
        return SetupIntentCreateParams(
            allowed_payment_method_types=["card"],
            usage="on_session",
            metadata={"donation_id": str(donation.id), "public_id": donation.public_id},
        )

    def create_refund(
        self, donation: Donation, amount: int, *, idempotency_key: str, metadata: dict[str, str]
    ) -> dict[str, Any]:
        params = RefundCreateParams(amount=amount, metadata=metadata)
        if donation.stripe_payment_intent_id:
            params["payment_intent"] = donation.stripe_payment_intent_id
        options = self._options(idempotency_key, stripe_account=donation.stripe_account_id)
        with _stripe_errors():
            return _plain(self.client.v1.refunds.create(params=params, options=options))

    def list_charge_refunds(
        self, charge_id: str, *, stripe_account: str | None = None
    ) -> list[dict[str, Any]]:
        return list(self._refunds(RefundListParams(charge=charge_id, limit=100), stripe_account))

    def list_payment_intents(
        self, since: datetime, *, stripe_account: str | None = None
    ) -> Iterator[dict[str, Any]]:
        params = PaymentIntentListParams(created=PaymentIntentListParamsCreated(gte=_unix(since)), limit=100)
        options = self._options(stripe_account=stripe_account)
        with _stripe_errors():
            page = self.client.v1.payment_intents.list(params=params, options=options)
        return self._iterate(page)

    def list_refunds(self, since: datetime, *, stripe_account: str | None = None) -> Iterator[dict[str, Any]]:
        params = RefundListParams(created=RefundListParamsCreated(gte=_unix(since)), limit=100)
        return self._refunds(params, stripe_account)

    def _refunds(self, params: RefundListParams, stripe_account: str | None) -> Iterator[dict[str, Any]]:
        options = self._options(stripe_account=stripe_account)
        with _stripe_errors():
            page = self.client.v1.refunds.list(params=params, options=options)
        return self._iterate(page)

    def list_disputes(
        self, since: datetime, *, stripe_account: str | None = None
    ) -> Iterator[dict[str, Any]]:
        params = DisputeListParams(created=DisputeListParamsCreated(gte=_unix(since)), limit=100)
        options = self._options(stripe_account=stripe_account)
        with _stripe_errors():
            page = self.client.v1.disputes.list(params=params, options=options)
        return self._iterate(page)

    def create_connected_account(self, cause: Cause, *, idempotency_key: str) -> dict[str, Any]:
        """The charity's own Stripe account, Stripe-onboarded, with its own full dashboard:
        it pays Stripe's fees and holds refunds and disputes of its direct charges."""
        profile = AccountCreateParamsBusinessProfile(name=cause.legal_name)
        if cause.website:
            profile["url"] = cause.website
        params = AccountCreateParams(
            country=cause.country,
            controller=AccountCreateParamsController(
                fees={"payer": "account"},
                losses={"payments": "stripe"},
                stripe_dashboard={"type": "full"},
                requirement_collection="stripe",
            ),
            business_profile=profile,
            metadata={"cause_id": str(cause.id), "cause": cause.slug},
        )
        with _stripe_errors():
            account = self.client.v1.accounts.create(params=params, options=self._options(idempotency_key))
        return _plain(account)

    def create_account_link(
        self, account_id: str, *, refresh_url: str, return_url: str, idempotency_key: str
    ) -> dict[str, Any]:
        params = AccountLinkCreateParams(
            account=account_id, type="account_onboarding", refresh_url=refresh_url, return_url=return_url
        )
        with _stripe_errors():
            link = self.client.v1.account_links.create(params=params, options=self._options(idempotency_key))
        return _plain(link)

    def retrieve_account(self, account_id: str) -> dict[str, Any]:
        with _stripe_errors():
            return _plain(self.client.v1.accounts.retrieve(account_id, options=self._options()))

    @staticmethod
    def _iterate(page: stripe.ListObject[Any]) -> Iterator[dict[str, Any]]:
        with _stripe_errors():
            for item in page.auto_paging_iter():
                yield _plain(item)


class LocalStripeGateway(StripeGateway):
    """localstripe, for development and tests. Each difference from real Stripe is here:

    - it rejects parameters it does not know: allowed_payment_method_types (it takes cards
      without being told), receipt_email, description, a cancellation_reason, and date
      filters on lists (filtered here instead);
    - it cannot take the payment method in the confirm call (attached by an update first);
    - an amount sent in an update is stored as the form's string, so its events would carry
      `"amount": "4000"`: a changed gift cancels the PaymentIntent and makes a new one;
    - it has no disputes: the list is empty;
    - it ignores idempotency keys (so the SDK must not retry);
    - it has no connected accounts: dev/connect_stand_in.py, in front of it, adds them (and
      takes application_fee_amount under a `Stripe-Account` header).
    """

    network_retries = 0

    def _payment_intent_params(self, donation: Donation) -> PaymentIntentCreateParams:
        params = super()._payment_intent_params(donation)
        del params["allowed_payment_method_types"], params["receipt_email"], params["description"]
        return params

    def _setup_intent_params(self, donation: Donation) -> SetupIntentCreateParams:
        params = super()._setup_intent_params(donation)
        del params["allowed_payment_method_types"]
        return params

    def change_payment_intent_amount(
        self, donation: Donation, intent: dict[str, Any], *, idempotency_key: str
    ) -> PaymentIntentHandle:
        account = donation.stripe_account_id
        self.cancel_payment_intent(
            intent["id"], idempotency_key=f"{idempotency_key}-cancel", stripe_account=account
        )
        options = self._options(stripe_account=account)
        with _stripe_errors():
            replacement = self.client.v1.payment_intents.create(
                params=self._payment_intent_params(donation), options=options
            )
        return _handle(_plain(replacement))

    def cancel_payment_intent(
        self, payment_intent_id: str, *, idempotency_key: str, stripe_account: str | None = None
    ) -> dict[str, Any]:
        options = self._options(stripe_account=stripe_account)
        with _stripe_errors():
            return _plain(self.client.v1.payment_intents.cancel(payment_intent_id, options=options))

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
        options = self._options(stripe_account=stripe_account)
        with _stripe_errors():
            self.client.v1.payment_intents.update(
                payment_intent_id,
                params=PaymentIntentUpdateParams(payment_method=payment_method_id),
                options=options,
            )
            return _plain(self.client.v1.payment_intents.confirm(payment_intent_id, options=options))

    def list_charge_refunds(
        self, charge_id: str, *, stripe_account: str | None = None
    ) -> list[dict[str, Any]]:
        return list(self._refunds(RefundListParams(charge=charge_id), stripe_account))

    def list_payment_intents(
        self, since: datetime, *, stripe_account: str | None = None
    ) -> Iterator[dict[str, Any]]:
        options = self._options(stripe_account=stripe_account)
        with _stripe_errors():
            page = self.client.v1.payment_intents.list(
                params=PaymentIntentListParams(limit=100), options=options
            )
        return (item for item in self._iterate(page) if item["created"] >= _unix(since))

    def list_refunds(self, since: datetime, *, stripe_account: str | None = None) -> Iterator[dict[str, Any]]:
        page = self._refunds(RefundListParams(limit=100), stripe_account)
        return (item for item in page if item["created"] >= _unix(since))

    def list_disputes(
        self, since: datetime, *, stripe_account: str | None = None
    ) -> Iterator[dict[str, Any]]:
        return iter(())  # localstripe has no disputes (no /v1/disputes)


def _unix(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def verify_webhook(payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """The event Stripe sent, as a plain dict, once its `Stripe-Signature` header proves it
    came from Stripe (the stand-in signs as Stripe does). Raises WebhookSignatureError for a
    missing, wrong or stale signature, and ValueError for a payload that is not a JSON object
    (signed `[1, 2]` or `null` is still not an event)."""
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, secret, tolerance=stripe.Webhook.DEFAULT_TOLERANCE
        )
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureError(str(error)) from error
    event = json.loads(payload)
    if not isinstance(event, dict):
        raise ValueError(f"the payload is a JSON {type(event).__name__}, not an object")
    return event


def get_gateway() -> PaymentGateway:
    """The gateway for the current app's settings (built once per settings).

    STRIPE_STAND_IN chooses localstripe's gateway; when it is not set, a STRIPE_API_BASE
    (only ever pointed at the stand-in) implies it. Every call sends STRIPE_API_VERSION.
    """
    config = current_app.config
    secret_key, api_base = config.get("STRIPE_SECRET_KEY"), config.get("STRIPE_API_BASE")
    if not secret_key:
        raise PaymentGatewayError("Card payments are not set up: STRIPE_SECRET_KEY is missing.")
    stand_in = config.get("STRIPE_STAND_IN")
    stand_in = bool(api_base) if stand_in is None else bool(stand_in)
    version = api_version(config)
    cache: dict[tuple[str, str | None, bool, str], PaymentGateway]
    cache = current_app.extensions.setdefault("payment_gateways", {})
    key = (secret_key, api_base, stand_in, version)
    if key not in cache:
        gateway_class = LocalStripeGateway if stand_in else StripeGateway
        cache[key] = gateway_class(secret_key, api_base, version=version)
    return cache[key]


# A PaymentIntent in these states has not taken the money: its amount may change, or it may
# be cancelled (Stripe API reference: "Update a PaymentIntent", "Cancel a PaymentIntent").
UNSETTLED_INTENT_STATUSES = ("requires_payment_method", "requires_confirmation", "requires_action")


def create_payment_intent(donation: Donation) -> PaymentIntentHandle:
    """The PaymentIntent of this donation attempt, created at Stripe the first time.

    The amount is the server's `charged_amount`, never one from the browser. Asking again
    for the same donation returns the same PaymentIntent (its id is stored, and the
    idempotency key covers a retry before it was stored); when the donor changed the gift
    since, its amount is changed first. The caller commits.
    """
    if donation.status not in PAYABLE_STATUSES:
        raise PaymentGatewayError("This donation is no longer waiting for payment.")
    gateway = get_gateway()
    if not donation.stripe_payment_intent_id:
        handle = gateway.create_payment_intent(donation)
        donation.stripe_payment_intent_id = handle.id
        return handle
    intent = gateway.retrieve_payment_intent(
        donation.stripe_payment_intent_id, stripe_account=donation.stripe_account_id
    )
    if intent["amount"] == donation.charged_amount and _same_fee(donation, intent):
        return _handle(intent)
    if intent["status"] not in UNSETTLED_INTENT_STATUSES:
        raise PaymentGatewayError("This gift is already being paid: it cannot change now.")
    # An update is idempotent in itself; the key (unique to this change, as the same
    # amounts may come back later) makes the SDK's network retries safe.
    changed = gateway.change_payment_intent_amount(
        donation,
        intent,
        idempotency_key=f"donation-{donation.public_id}-amount-{donation.charged_amount}-{uuid.uuid4().hex}",
    )
    donation.stripe_payment_intent_id = changed.id
    return changed


def _same_fee(donation: Donation, intent: dict[str, Any]) -> bool:
    """Whether the PaymentIntent carries the donation's platform fee (always, off Connect)."""
    if not donation.stripe_account_id:
        return True
    return (intent.get("application_fee_amount") or 0) == donation.platform_fee_amount


def payment_intent_settled(donation: Donation) -> bool:
    """Whether this donation's PaymentIntent has gone past the point where it may change
    (processing or succeeded at Stripe, whatever our webhooks have said so far)."""
    if not donation.stripe_payment_intent_id:
        return False
    intent = get_gateway().retrieve_payment_intent(
        donation.stripe_payment_intent_id, stripe_account=donation.stripe_account_id
    )
    return intent["status"] not in UNSETTLED_INTENT_STATUSES


_PAYMENT_METHOD_ID = re.compile(r"^(?:pm|card)_[A-Za-z0-9_]{1,250}$")


def create_setup_intent(donation: Donation) -> SetupIntentHandle:
    """A SetupIntent for this donation attempt, so the browser can turn the card into a
    PaymentMethod with `confirmCardSetup` (localstripe's Stripe.js has no createPaymentMethod)."""
    if donation.status not in PAYABLE_STATUSES:
        raise PaymentGatewayError("This donation is no longer waiting for payment.")
    return get_gateway().create_setup_intent(donation)


def is_payment_method_id(value: str) -> bool:
    """Whether this looks like a PaymentMethod (or card) id at all, before asking Stripe."""
    return bool(_PAYMENT_METHOD_ID.match(value or ""))


def card_fingerprint(payment_method_id: str, *, stripe_account: str | None = None) -> str:
    """Stripe's fingerprint of the card behind a PaymentMethod: the same card number gives the
    same value on every PaymentMethod, so declines can be counted per card (localstripe
    gives one too). A PaymentMethod without one (not a card) is keyed by its own id. In
    connect mode the PaymentMethod is on the gift's connected account (`stripe_account`)."""
    if not is_payment_method_id(payment_method_id):
        raise PaymentGatewayError("We could not read the card details. Please try again.")
    method = get_gateway().retrieve_payment_method(payment_method_id, stripe_account=stripe_account)
    card = method.get("card") or {}
    return str(card.get("fingerprint") or method["id"])


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
    return _handle(intent)
