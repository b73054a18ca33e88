"""localstripe, the local Stripe stand-in, with Stripe's retry after a decline.

Stripe: when a payment attempt fails, the PaymentIntent "returns to requires_payment_method"
and can be confirmed again with another PaymentMethod (Stripe API reference, PaymentIntent
`status`; docs.stripe.com/payments/paymentintents/lifecycle). localstripe 1.15 keeps
answering `requires_payment_method` while its last charge is the failed one, so a second
card on the same PaymentIntent is refused with "Bad request". Here a PaymentIntent whose last
charge failed and that has since been given a different PaymentMethod is ready to confirm,
as at Stripe. Run as `python -m dev.localstripe_retry --port N --from-scratch` (localstripe's
own arguments).
"""

from __future__ import annotations

from localstripe import resources, server

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

if __name__ == "__main__":
    server.start()
