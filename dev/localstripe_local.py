"""localstripe, the local Stripe stand-in, listening on 127.0.0.1 only, with two fixes that
make it behave as Stripe does.

`python -m localstripe` binds every interface (IPv4 and IPv6) and has no option to choose
one; this runs the same aiohttp app, with the same two options, bound to loopback.
Used by dev/devserver.py (`make run`), tests/stripe_fixtures.py and `make smoke-production`:

    python dev/localstripe_local.py --port 8420 [--from-scratch]

1. Retry after a decline. Stripe: when a payment attempt fails, the PaymentIntent "returns to requires_payment_method"
and can be confirmed again with another PaymentMethod (Stripe API reference, PaymentIntent
`status`; docs.stripe.com/payments/paymentintents/lifecycle). localstripe 1.15 keeps
answering `requires_payment_method` while its last charge is the failed one, so a second
card on the same PaymentIntent is refused with "Bad request". Here a PaymentIntent whose last
charge failed and that has since been given a different PaymentMethod is ready to confirm,
as at Stripe.

2. Its Stripe.js keeps to itself. localstripe-v3.js declares `class Element` at the top level
of a classic script, which shadows the browser's own `Element` for every script on the page
(scripts share one global scope); the ALTCHA widget then fails walking `Element.prototype`.
Served inside a block, its declarations stay local (it still sets the global `Stripe`).

"""

from __future__ import annotations

import argparse
import logging

from aiohttp import web
from localstripe import resources, server
from localstripe.server import app, store

HOST = "127.0.0.1"


_localstripe_status = resources.PaymentIntent.status.fget


def _status(intent: resources.PaymentIntent) -> str:
    charge = intent.latest_charge
    if (
        charge is not None
        and charge.status == "failed"
        and intent.payment_method
        and intent.payment_method != charge.payment_method
        and not intent._canceled
        and not intent.next_action
    ):
        return "requires_confirmation"
    return _localstripe_status(intent)


resources.PaymentIntent.status = property(_status)


@web.middleware
async def _stripe_js_in_a_block(request: web.Request, handler):
    response = await handler(request)
    if request.path == "/js.stripe.com/v3/" and isinstance(response, web.Response) and response.text:
        response.text = "{\n" + response.text + "\n}\n"
    return response


server.app.middlewares.append(_stripe_js_in_a_block)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--from-scratch", action="store_true", help="start with no saved objects")
    args = parser.parse_args(argv)
    if not args.from_scratch:
        store.try_load_from_disk()
    access_log = logging.getLogger("aiohttp.access")
    access_log.setLevel(logging.DEBUG)
    access_log.addHandler(logging.StreamHandler())
    web.run_app(app, host=HOST, port=args.port, access_log=access_log)


if __name__ == "__main__":
    main()
