"""The shape check for events of another API version: the fields we read, with exact types."""

from __future__ import annotations

from fundraiser.payments.shapes import envelope_problems, shape_problems


def event(event_type: str, obj: dict) -> dict:
    return {"id": "evt_1", "type": event_type, "created": 1, "data": {"object": obj}}


SUCCEEDED = {"id": "pi_1", "amount": 2500, "currency": "gbp", "latest_charge": "ch_1", "metadata": {}}


def test_our_shape_has_no_problems():
    assert shape_problems(event("payment_intent.succeeded", SUCCEEDED)) == []
    assert (
        shape_problems(event("payment_intent.succeeded", {**SUCCEEDED, "latest_charge": {"id": "ch_1"}}))
        == []
    )


def test_a_bool_is_not_an_amount_and_a_missing_currency_is_named():
    problems = shape_problems(
        event(
            "payment_intent.succeeded",
            {k: v for k, v in SUCCEEDED.items() if k != "currency"} | {"amount": True},
        )
    )
    assert problems == ["data.object.amount has type bool", "data.object.currency is missing"]


def test_disputes_need_an_integer_amount_and_a_status():
    assert shape_problems(event("charge.dispute.closed", {"id": "dp_1", "amount": "500"})) == [
        "data.object.amount has type str",
        "data.object.status is missing",
    ]


def test_events_we_do_not_act_on_have_no_shape_to_check():
    assert shape_problems(event("customer.created", {"anything": 1})) == []


def test_the_envelope_of_any_version():
    assert envelope_problems(event("x", {})) == []
    assert envelope_problems({"id": 1, "type": "x", "data": {"object": None}}) == [
        "id has type int",
        "data.object is not an object",
    ]
    assert envelope_problems({}) == ["id is missing", "type is missing", "data is missing"]
