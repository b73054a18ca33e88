"""The smallest gift: 2.00 unless the charity sets its own, never below Stripe's minimum
charge (docs.stripe.com/currencies#minimum-and-maximum-charge-amounts: £0.30, $0.50, ¥50).
Tried: the minimum gift was £0.30, the amount card testers send."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from fundraiser.models import SmallestGift
from tests.functional.pages.test_causes import cause_form

SMALLEST = "The smallest gift we can take is"


def answer(donate_form, page, typed: str) -> tuple[int, str]:
    response = donate_form(page).post(amount_choice="other", other_amount=typed)
    return response.status_code, response.get_data(as_text=True)


def test_by_default_the_smallest_gift_is_two_pounds_dollars_or_euros(
    factories, session, donate_form, localstripe
):
    pages = {currency: factories.page(currency=currency) for currency in ("GBP", "USD", "CAD", "EUR", "JPY")}
    session.commit()

    assert answer(donate_form, pages["GBP"], "0.30")[0] == 422
    status, html = answer(donate_form, pages["GBP"], "1.99")
    assert status == 422 and f"{SMALLEST} £2.00." in html
    assert answer(donate_form, pages["GBP"], "2.00")[0] == 200
    assert f"{SMALLEST} US$2.00." in answer(donate_form, pages["USD"], "1.99")[1]
    assert f"{SMALLEST} CA$2.00." in answer(donate_form, pages["CAD"], "1.99")[1]
    assert f"{SMALLEST} €2.00." in answer(donate_form, pages["EUR"], "1.99")[1]
    # Elsewhere Stripe's minimum stays the floor.
    assert f"{SMALLEST} JP¥50." in answer(donate_form, pages["JPY"], "49")[1]
    assert answer(donate_form, pages["JPY"], "50")[0] == 200


def test_a_charity_sets_its_own_smallest_gift(
    factories, session, signed_in, client, donate_form, localstripe
):
    charity_admin = factories.user()
    cause = factories.cause(admins=(charity_admin,), slug="my-charity")
    page = factories.page(cause=cause)
    session.commit()
    admin = signed_in(charity_admin)

    saved = admin.post("/causes/my-charity/edit", data=cause_form(slug="my-charity", smallest_gift="5"))

    assert saved.status_code == 302
    assert 'name="smallest_gift" type="text" value="5"' in admin.get("/causes/my-charity/edit").get_data(
        as_text=True
    )
    assert f"{SMALLEST} £5.00." in answer(donate_form, page, "4.99")[1]
    assert answer(donate_form, page, "5.00")[0] == 200
    estimate = client.get(f"/{page.slug}/donate/fee?amount=4.99")
    assert estimate.status_code == 400 and f"{SMALLEST} £5.00." in estimate.get_json()["error"]
    # Emptied, the default comes back.
    admin.post("/causes/my-charity/edit", data=cause_form(slug="my-charity", smallest_gift=""))
    assert answer(donate_form, page, "2.00")[0] == 200


def test_a_charity_cannot_go_below_stripes_minimum(factories, session, signed_in, donate_form, localstripe):
    charity_admin = factories.user()
    cause = factories.cause(admins=(charity_admin,), slug="tiny-gifts")
    page = factories.page(cause=cause)
    session.commit()
    admin = signed_in(charity_admin)

    refused = admin.post("/causes/tiny-gifts/edit", data=cause_form(slug="tiny-gifts", smallest_gift="0.29"))
    lowest = admin.post("/causes/tiny-gifts/edit", data=cause_form(slug="tiny-gifts", smallest_gift="0.30"))

    assert refused.status_code == 422
    assert "Stripe cannot take a card payment below £0.30" in refused.get_data(as_text=True)
    assert lowest.status_code == 302
    assert answer(donate_form, page, "0.30")[0] == 200
    assert answer(donate_form, page, "0.29")[0] == 422


def test_the_database_refuses_a_smallest_gift_below_stripes_minimum(factories, session):
    cause = factories.cause()
    session.add(SmallestGift(cause_id=cause.id, currency="GBP", amount=29))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
