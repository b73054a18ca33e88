"""A Stripe Connect stand-in: a small HTTP server in front of localstripe.

localstripe has no Accounts, no Account Links and no objects that belong to a connected
account. This server adds the smallest faithful version of what Stripe's API reference
documents for them, and forwards everything else to localstripe unchanged:

- `POST /v1/accounts`, `GET /v1/accounts[/{id}]`: accounts with `charges_enabled`,
  `payouts_enabled`, `details_submitted` and `requirements` (`currently_due`,
  `eventually_due`, `past_due`, `disabled_reason`). A new account cannot take charges.
- `POST /v1/account_links` (`type=account_onboarding|account_update`, `refresh_url`,
  `return_url`): a single-use link valid 300 s. Its `url` is a page here standing for
  Stripe-hosted onboarding: submitting it completes the account and redirects to
  `return_url`; an expired or used link redirects to `refresh_url`, as Stripe does.
- `account.updated` events, with the event's `account` field, signed as Stripe signs them and
  sent to every webhook registered through `/_config/webhooks/{id}`.
- The `Stripe-Account` header: an unknown account is refused (403 `account_invalid`).
  PaymentIntents, SetupIntents, charges, refunds and disputes made under a header belong to
  that account; reading, changing or refunding one under another account (or the platform)
  answers `resource_missing`, lists show only the account's own objects, and localstripe's
  events about them are relayed with `account` set.
- `application_fee_amount` on a PaymentIntent (localstripe refuses it): only with a
  `Stripe-Account` header, an integer from 0 to the amount; echoed back on the PaymentIntent.
- `POST /_connect/accounts/{id}` (not Stripe: what Stripe does on its own) changes an
  account's state, e.g. `charges_enabled=false` with `requirements[past_due][]=...`, and
  sends `account.updated`.

Not covered: account updates and deletion, capabilities, persons, external accounts, login
links, transfers, payouts, balances and application fee objects per account, idempotency of
anything but accounts and account links (localstripe ignores keys), and the scoping of
PaymentMethods and of requests made with a publishable key (Stripe.js): those pass through.

Run: `python -m dev.connect_stand_in --port 8421 --upstream http://127.0.0.1:8420`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web

SCOPED = {
    "payment_intents": "payment_intent",
    "setup_intents": "setup_intent",
    "charges": "charge",
    "refunds": "refund",
    "disputes": "dispute",
}
_OBJECT_PATH = re.compile(r"^/v1/(?P<resource>[a-z_]+)/(?P<id>[A-Za-z0-9_]+)(?:/.*)?$")
_HOP_HEADERS = {"content-length", "transfer-encoding", "content-encoding", "connection", "host"}
LINK_SECONDS = 300
RELAY_SECRET = "whsec_connect_stand_in_relay"
CURRENCIES = {"GB": "gbp", "US": "usd", "CA": "cad", "IE": "eur", "AU": "aud"}
ONBOARDING_DUE = ["business_profile.url", "external_account", "tos_acceptance.date"]


def stripe_error(status: int, message: str, *, code: str = "", param: str = "") -> web.Response:
    error: dict[str, Any] = {"type": "invalid_request_error", "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return web.json_response({"error": error}, status=status)


def missing(kind: str, object_id: str, *, status: int = 404, param: str = "") -> web.Response:
    return stripe_error(status, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (`a[b][]=1`) back into a dict."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        target = result
        for position, part in enumerate(parts):
            last = position == len(parts) - 1
            following = None if last else parts[position + 1]
            if part == "[]":
                continue
            if last:
                target[part] = value
            elif following == "[]":
                target.setdefault(part, []).append(value)
                break
            else:
                target = target.setdefault(part, {})
    return result


def secret_key_used(request: web.Request) -> bool:
    """Whether the request is the platform's server speaking (secret key, as a bearer token or
    as basic auth's user), rather than Stripe.js with a publishable key."""
    kind, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if kind == "Basic":
        try:
            credentials = base64.b64decode(credentials).decode().partition(":")[0]
        except (ValueError, UnicodeDecodeError):
            return False
    return credentials.startswith(("sk_", "rk_"))


def truthy(value: Any) -> bool:
    return str(value).lower() in ("true", "1", "yes", "on")


class ConnectStandIn:
    def __init__(self, upstream: str, public_url: str, local_url: str):
        self.upstream = upstream.rstrip("/")
        self.public_url = public_url.rstrip("/")
        self.local_url = local_url  # where localstripe reaches us with its events
        self.accounts: dict[str, dict[str, Any]] = {}
        self.links: dict[str, dict[str, Any]] = {}
        self.owner: dict[str, str | None] = {}
        self.fees: dict[str, int] = {}
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[tuple[str, str], dict[str, Any]] = {}
        self.http: aiohttp.ClientSession | None = None

    # -- the app -------------------------------------------------------------------------
    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/accounts", self.create_account)
        app.router.add_get("/v1/accounts", self.list_accounts)
        app.router.add_get("/v1/accounts/{id}", self.retrieve_account)
        app.router.add_post("/v1/account_links", self.create_account_link)
        app.router.add_get("/connect/onboarding/{token}", self.onboarding_page)
        app.router.add_post("/connect/onboarding/{token}", self.complete_onboarding)
        app.router.add_post("/_connect/accounts/{id}", self.change_account)
        app.router.add_post("/_config/webhooks/{id}", self.register_webhook)
        app.router.add_post("/_relay", self.relay_event)
        app.router.add_route("*", "/{tail:.*}", self.forward)
        app.on_startup.append(self._open)
        app.on_cleanup.append(self._close)
        return app

    async def _open(self, _app: web.Application) -> None:
        self.http = aiohttp.ClientSession()

    async def _close(self, _app: web.Application) -> None:
        if self.http:
            await self.http.close()

    # -- accounts ------------------------------------------------------------------------
    async def create_account(self, request: web.Request) -> web.Response:
        if request.headers.get("Stripe-Account"):
            return stripe_error(400, "Connected accounts cannot create accounts.")
        form = nested(parse_qsl(await request.text(), keep_blank_values=True))
        remembered = self._remembered(request, "accounts")
        if remembered:
            return web.json_response(remembered)
        kind = form.get("type")
        if kind is not None and kind not in ("standard", "express", "custom"):
            return stripe_error(400, f"Invalid type: {kind}", param="type")
        if kind is None and "controller" not in form:
            return stripe_error(400, "You must specify `type` or `controller`.", param="type")
        country = form.get("country", "US")
        if not re.fullmatch(r"[A-Z]{2}", country):
            return stripe_error(400, f"Country '{country}' is unknown.", param="country")
        account_id = "acct_" + secrets.token_hex(8)
        account = {
            "id": account_id,
            "object": "account",
            "type": kind or "none",
            "controller": form.get("controller", {"type": "application"}),
            "country": country,
            "default_currency": CURRENCIES.get(country, "usd"),
            "email": form.get("email"),
            "metadata": form.get("metadata", {}),
            "business_profile": form.get("business_profile", {}),
            "created": int(time.time()),
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "requirements": self._requirements(list(ONBOARDING_DUE), "requirements.past_due"),
        }
        self.accounts[account_id] = account
        self._remember(request, "accounts", account)
        return web.json_response(account)

    @staticmethod
    def _requirements(due: list[str], disabled_reason: str | None, past_due: list[str] | None = None):
        return {
            "currently_due": due,
            "eventually_due": list(due),
            "past_due": past_due if past_due is not None else list(due),
            "pending_verification": [],
            "errors": [],
            "current_deadline": None,
            "disabled_reason": disabled_reason,
        }

    async def retrieve_account(self, request: web.Request) -> web.Response:
        account = self.accounts.get(request.match_info["id"])
        if account is None:
            return missing("account", request.match_info["id"])
        return web.json_response(account)

    async def list_accounts(self, request: web.Request) -> web.Response:
        data = sorted(self.accounts.values(), key=lambda account: account["created"], reverse=True)
        return web.json_response({"object": "list", "url": "/v1/accounts", "has_more": False, "data": data})

    async def create_account_link(self, request: web.Request) -> web.Response:
        form = nested(parse_qsl(await request.text(), keep_blank_values=True))
        remembered = self._remembered(request, "account_links")
        if remembered:
            return web.json_response(remembered)
        account_id = form.get("account", "")
        if account_id not in self.accounts:
            return missing("account", account_id, status=400, param="account")
        if form.get("type") not in ("account_onboarding", "account_update"):
            return stripe_error(
                400, "Invalid type: must be account_onboarding or account_update", param="type"
            )
        for field in ("refresh_url", "return_url"):
            if not re.match(r"^https?://", form.get(field, "")):
                return stripe_error(400, f"Missing or invalid {field}.", param=field)
        token = secrets.token_urlsafe(16)
        now = int(time.time())
        self.links[token] = {**form, "expires_at": now + LINK_SECONDS, "used": False}
        link = {
            "object": "account_link",
            "created": now,
            "expires_at": now + LINK_SECONDS,
            "url": f"{self.public_url}/connect/onboarding/{token}",
        }
        self._remember(request, "account_links", link)
        return web.json_response(link)

    def _live_link(self, token: str) -> dict[str, Any] | web.Response:
        """The link's details, a 404 page for a link that never existed, or (raised) the
        redirect to `refresh_url` for one that expired or was used, as Stripe does."""
        link = self.links.get(token)
        if link is None:
            return web.Response(status=404, text="This onboarding link does not exist.")
        if link["used"] or link["expires_at"] < time.time():
            raise web.HTTPFound(link["refresh_url"])
        return link

    async def onboarding_page(self, request: web.Request) -> web.Response:
        link = self._live_link(request.match_info["token"])
        if isinstance(link, web.Response):
            return link
        account = self.accounts[link["account"]]
        body = (
            "<!doctype html><html lang=en><title>Stand-in Stripe onboarding</title>"
            f"<h1>Onboarding for {html.escape(account['id'])}</h1>"
            "<p>This page stands for Stripe-hosted onboarding: submitting it completes the "
            "account's details so that it can take charges and receive payouts.</p>"
            "<form method=post><button type=submit>Complete onboarding</button></form>"
            f'<p><a href="{html.escape(link["return_url"])}">Leave without finishing</a></p>'
        )
        return web.Response(text=body, content_type="text/html")

    async def complete_onboarding(self, request: web.Request) -> web.Response:
        link = self._live_link(request.match_info["token"])
        if isinstance(link, web.Response):
            return link
        link["used"] = True
        await self._update_account(
            link["account"],
            charges_enabled=True,
            payouts_enabled=True,
            details_submitted=True,
            requirements=self._requirements([], None, []),
        )
        raise web.HTTPFound(link["return_url"])

    async def change_account(self, request: web.Request) -> web.Response:
        account_id = request.match_info["id"]
        if account_id not in self.accounts:
            return missing("account", account_id)
        form = nested(parse_qsl(await request.text(), keep_blank_values=True))
        changes: dict[str, Any] = {
            name: truthy(form[name])
            for name in ("charges_enabled", "payouts_enabled", "details_submitted")
            if name in form
        }
        if "requirements" in form or changes.get("charges_enabled") is False:
            given = form.get("requirements", {})
            past_due = [item for item in given.get("past_due", []) if item]
            due = [item for item in given.get("currently_due", past_due) if item]
            reason = given.get("disabled_reason") or ("requirements.past_due" if past_due else None)
            changes["requirements"] = self._requirements(due, reason, past_due)
        return web.json_response(await self._update_account(account_id, **changes))

    async def _update_account(self, account_id: str, **changes: Any) -> dict[str, Any]:
        account = self.accounts[account_id]
        previous = {name: account[name] for name in changes if account.get(name) != changes[name]}
        account.update(changes)
        event = {
            "id": "evt_" + secrets.token_hex(12),
            "object": "event",
            "api_version": None,
            "created": int(time.time()),
            "livemode": False,
            "type": "account.updated",
            "account": account_id,
            "data": {"object": account, "previous_attributes": previous},
        }
        await self._send_to_webhooks(event)
        return account

    # -- webhooks ------------------------------------------------------------------------
    async def register_webhook(self, request: web.Request) -> web.Response:
        """Keep the app's webhook here and have localstripe send its events to us, so that
        those about a connected account's objects reach the app with `account` set."""
        form = await request.post()
        events = form.getall("events[]", None) or form.getall("events", None)
        self.webhooks[request.match_info["id"]] = {
            "url": form["url"],
            "secret": form["secret"],
            "events": list(events) if events else None,
        }
        assert self.http is not None
        async with self.http.post(
            f"{self.upstream}/_config/webhooks/connect-stand-in",
            data={"url": f"{self.local_url}/_relay", "secret": RELAY_SECRET},
        ) as answer:
            return web.Response(status=answer.status, text=await answer.text())

    async def relay_event(self, request: web.Request) -> web.Response:
        event = json.loads(await request.read())
        account = self.owner_of(event.get("data", {}).get("object", {}))
        if account:
            event["account"] = account
        self._decorate(event.get("data", {}).get("object", {}))
        await self._send_to_webhooks(event)
        return web.Response(text="relayed")

    async def _send_to_webhooks(self, event: dict[str, Any]) -> None:
        payload = json.dumps(event).encode()
        for webhook in list(self.webhooks.values()):
            if webhook["events"] is not None and event["type"] not in webhook["events"]:
                continue
            asyncio.ensure_future(self._post_signed(webhook, payload))

    async def _post_signed(self, webhook: dict[str, Any], payload: bytes) -> None:
        timestamp = int(time.time())
        signed = f"{timestamp}.".encode() + payload
        digest = hmac.new(webhook["secret"].encode(), signed, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "Stripe-Signature": f"t={timestamp},v1={digest}"}
        assert self.http is not None
        try:
            async with self.http.post(webhook["url"], data=payload, headers=headers) as answer:
                await answer.read()
        except aiohttp.ClientError:
            pass  # Stripe would retry later; the app's stripe-sync covers a lost event

    # -- scoping of objects by Stripe-Account --------------------------------------------
    def owner_of(self, obj: dict[str, Any]) -> str | None:
        """The connected account an object belongs to (None: the platform)."""
        if not isinstance(obj, dict):
            return None
        for field in ("id", "payment_intent", "charge", "setup_intent"):
            value = obj.get(field)
            value = value.get("id") if isinstance(value, dict) else value
            if value in self.owner:
                return self.owner[value]
        return None

    def _decorate(self, obj: Any) -> None:
        """What localstripe leaves out of a PaymentIntent of a connected account."""
        if isinstance(obj, dict) and obj.get("object") == "payment_intent":
            obj["application_fee_amount"] = self.fees.get(obj.get("id", ""))

    def _record(self, obj: dict[str, Any], account: str | None) -> None:
        if not isinstance(obj, dict) or "id" not in obj:
            return
        self.owner.setdefault(obj["id"], account)
        for field in ("latest_charge", "charge", "payment_intent"):
            value = obj.get(field)
            if isinstance(value, str) and value:
                self.owner.setdefault(value, account)

    async def forward(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if not path.startswith("/v1/") or not secret_key_used(request):
            return await self._proxy(request, await request.read())
        account = request.headers.get("Stripe-Account") or None
        if account and account not in self.accounts:
            return stripe_error(
                403,
                f"The provided key does not have access to account '{account}' (or that account "
                "does not exist). Application access may have been revoked.",
                code="account_invalid",
            )
        pairs = parse_qsl((await request.read()).decode(), keep_blank_values=True)
        refused = self._refuse_foreign(path, pairs, account)
        if refused is not None:
            return refused
        pairs, fee, refused = self._take_fee(path, request.method, pairs, account)
        if refused is not None:
            return refused
        answer = await self._proxy(request, urlencode(pairs).encode(), raw=True)
        return self._answer(path, request.method, answer, account, fee)

    def _refuse_foreign(self, path: str, pairs: list[tuple[str, str]], account: str | None):
        match = _OBJECT_PATH.match(path)
        if match and match["resource"] in SCOPED:
            if self.owner.get(match["id"]) != account:
                return missing(SCOPED[match["resource"]], match["id"])
        for name, value in pairs:
            if name in ("payment_intent", "charge") and self.owner.get(value) != account:
                return missing(name, value, status=400, param=name)
        return None

    def _take_fee(self, path: str, method: str, pairs: list[tuple[str, str]], account: str | None):
        fee_values = [value for name, value in pairs if name == "application_fee_amount"]
        if method != "POST" or not fee_values or not path.startswith("/v1/payment_intents"):
            return pairs, None, None
        if account is None:
            return (
                pairs,
                None,
                stripe_error(
                    400,
                    "Can only apply an application_fee_amount when the PaymentIntent is attempting a "
                    "direct payment (using an OAuth key or Stripe-Account header) or destination payment "
                    "(using `transfer_data[destination]`).",
                    param="application_fee_amount",
                ),
            )
        amount = dict(pairs).get("amount")
        if not fee_values[0].isdigit() or (amount and amount.isdigit() and int(fee_values[0]) > int(amount)):
            return (
                pairs,
                None,
                stripe_error(400, "Invalid application_fee_amount.", param="application_fee_amount"),
            )
        return [pair for pair in pairs if pair[0] != "application_fee_amount"], int(fee_values[0]), None

    def _answer(self, path: str, method: str, answer: tuple[int, dict, bytes], account, fee):
        status, headers, body = answer
        if status >= 400 or not body.startswith(b"{"):
            return web.Response(status=status, headers=headers, body=body)
        data = json.loads(body)
        if data.get("object") == "list":
            data["data"] = [item for item in data["data"] if self.owner_of(item) == account]
            for item in data["data"]:
                self._decorate(item)
        else:
            resource = path.split("/")[2] if path.count("/") >= 2 else ""
            if method == "POST" and resource in SCOPED:
                self._record(data, account)
                if fee is not None and data.get("object") == "payment_intent":
                    self.fees[data["id"]] = fee
            self._decorate(data)
        return web.json_response(data, status=status)

    async def _proxy(self, request: web.Request, body: bytes, raw: bool = False):
        assert self.http is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS}
        headers.pop("Stripe-Account", None)
        async with self.http.request(
            request.method, self.upstream + request.path_qs, data=body, headers=headers, allow_redirects=False
        ) as upstream:
            content = await upstream.read()
            kept = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_HEADERS}
        if raw:
            return upstream.status, kept, content
        return web.Response(status=upstream.status, headers=kept, body=content)

    # -- idempotency (localstripe has none; Stripe keeps keys 24 hours) -------------------
    def _remembered(self, request: web.Request, kind: str) -> dict[str, Any] | None:
        key = request.headers.get("Idempotency-Key")
        return self.idempotent.get((kind, key)) if key else None

    def _remember(self, request: web.Request, kind: str, answer: dict[str, Any]) -> None:
        key = request.headers.get("Idempotency-Key")
        if key:
            self.idempotent[(kind, key)] = answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8421)
    parser.add_argument("--upstream", default="http://127.0.0.1:8420", help="localstripe's address")
    parser.add_argument("--public-url", default=None, help="address browsers use (default: this server)")
    arguments = parser.parse_args()
    local = f"http://127.0.0.1:{arguments.port}"
    stand_in = ConnectStandIn(arguments.upstream, arguments.public_url or local, local)
    web.run_app(stand_in.application(), host="127.0.0.1", port=arguments.port, print=None)


if __name__ == "__main__":
    main()
