"""What a Stripe event must look like for us to act on it: the fields the webhook and its
handlers read, each with the types they expect.

An event sent under another API version than ours (STRIPE_API_VERSION) may be shaped
differently: the webhook applies it only when every field we read is there with the type we
read it as, and otherwise records it unapplied (ignored) and answers 200, so Stripe does not
retry something that will never fit (Stripe API reference, "Versioning" and "Event object").
"""

from __future__ import annotations

from typing import Any

# Field name -> (the types it may have, whether it must be there).
Shape = dict[str, tuple[tuple[type, ...], bool]]

_ID = ((str,), True)
_ID_OR_OBJECT = ((str, dict, type(None)), False)
_OPTIONAL_TEXT = ((str, type(None)), False)

# `account`: the connected account a Connect event is about (connect mode); absent or null
# for the platform's own events.
ENVELOPE: Shape = {
    "id": _ID,
    "type": _ID,
    "created": ((int,), False),
    "data": ((dict,), True),
    "account": _OPTIONAL_TEXT,
}

OBJECT_SHAPES: dict[str, Shape] = {
    "payment_intent.succeeded": {
        "id": _ID,
        "amount": ((int,), True),
        "amount_received": ((int, type(None)), False),
        "currency": ((str,), True),
        "latest_charge": _ID_OR_OBJECT,
        "metadata": ((dict, type(None)), False),
    },
    "payment_intent.payment_failed": {
        "id": _ID,
        "metadata": ((dict, type(None)), False),
        "last_payment_error": ((dict, type(None)), False),
    },
    "charge.refunded": {
        "id": _ID,
        "payment_intent": _ID_OR_OBJECT,
        "refunds": ((dict, type(None)), False),
    },
    "charge.dispute.created": {
        "id": _ID,
        "amount": ((int,), True),
        "status": ((str,), True),
        "charge": _ID_OR_OBJECT,
        "payment_intent": _ID_OR_OBJECT,
        "reason": _OPTIONAL_TEXT,
    },
}
OBJECT_SHAPES["charge.dispute.closed"] = OBJECT_SHAPES["charge.dispute.created"]
OBJECT_SHAPES["account.updated"] = {
    "id": _ID,
    "charges_enabled": ((bool,), False),
    "payouts_enabled": ((bool,), False),
    "details_submitted": ((bool,), False),
    "requirements": ((dict, type(None)), False),
}


def _problems(value: dict[str, Any], shape: Shape, where: str) -> list[str]:
    problems = []
    for name, (types, required) in shape.items():
        if name not in value:
            if required:
                problems.append(f"{where}{name} is missing")
        elif type(value[name]) not in types:  # exact types: a bool is not an amount
            problems.append(f"{where}{name} has type {type(value[name]).__name__}")
    return problems


def envelope_problems(event: dict[str, Any]) -> list[str]:
    """What keeps this JSON object from being a Stripe event at all (any API version)."""
    problems = _problems(event, ENVELOPE, "")
    data = event.get("data")
    if isinstance(data, dict) and not isinstance(data.get("object"), dict):
        problems.append("data.object is not an object")
    return problems


def shape_problems(event: dict[str, Any]) -> list[str]:
    """The fields we read from this event that are missing or of another type; empty when
    its shape is the one we know (or it is an event we do not act on)."""
    shape = OBJECT_SHAPES.get(event["type"])
    if shape is None:
        return []
    return _problems(event["data"]["object"], shape, "data.object.")
