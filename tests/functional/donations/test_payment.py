"""Valid gifts become a pending donation and one PaymentIntent at localstripe, for the
amount the server computed; the thank-you page follows the webhook, not the browser."""

from __future__ import annotations

import re

from fundraiser.donations.fees import fee_cover
from tests.stripe_fixtures import PUBLISHABLE_KEY, assert_money_adds_up


def pay_url(response) -> str:
    match = re.search(r'data-pay-url="(/donations/[0-9a-f]{32}/pay)"', response.get_data(as_text=True))
    assert match, "the pay step says where to send the card's PaymentMethod"
    return match.group(1)


def test_valid_gift_creates_a_pending_donation_and_its_payment_intent(
    factories, session, donate_form, donations, localstripe
):
    page = factories.page()
    session.commit()

    response = donate_form(page).post(cover_fees="y", amount="1", charged_amount="1")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    (donation,) = donations()
    fee = fee_cover(2500, "GBP")
    assert (donation.status, donation.amount, donation.fee_cover_amount) == ("pending", 2500, fee)
    intent = localstripe.get(f"/v1/payment_intents/{donation.stripe_payment_intent_id}")
    assert intent["amount"] == 2500 + fee
    assert intent["currency"] == "gbp"
    assert intent["metadata"]["public_id"] == donation.public_id
    assert intent["metadata"]["donation_id"] == str(donation.id)
    assert pay_url(response) == f"/donations/{donation.public_id}/pay"
    assert 'data-setup-secret="seti_' in html
    assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in html
    assert localstripe.url + "/js.stripe.com/v3/" in html
    assert f"Pay £{(2500 + fee) / 100:.2f}" in html
    assert 'role="alert" aria-live="assertive"' in html


def test_the_same_attempt_posted_twice_makes_one_donation_and_one_payment_intent(
    factories, session, donate_form, donations, localstripe
):
    page = factories.page()
    session.commit()
    form = donate_form(page)

    first = form.post(amount_choice="other", other_amount="40")
    second = form.post(amount_choice="other", other_amount="40")

    assert first.status_code == second.status_code == 200
    (donation,) = donations()
    assert donation.public_id == form.data["attempt"]
    assert pay_url(first) == pay_url(second) == f"/donations/{donation.public_id}/pay"
    paid_intents = [
        intent
        for intent in localstripe.get("/v1/payment_intents", limit=100)["data"]
        if intent["metadata"].get("public_id") == donation.public_id
    ]
    assert len(paid_intents) == 1


def test_jpy_gifts_are_charged_in_whole_yen(factories, session, donate_form, donations, localstripe):
    page = factories.page(cause=factories.cause("US"), currency="JPY")
    session.commit()

    response = donate_form(page).post(amount_choice="other", other_amount="¥3,500")

    assert response.status_code == 200
    (donation,) = donations()
    intent = localstripe.get(f"/v1/payment_intents/{donation.stripe_payment_intent_id}")
    assert (donation.amount, intent["amount"], intent["currency"]) == (3500, 3500, "jpy")


def test_gift_aid_declaration_is_stored_with_the_wording(
    factories, session, donate_form, donations, localstripe
):
    page = factories.page(cause=factories.cause("GB", legal_name="Hot Meals UK Charity"))
    session.commit()

    response = donate_form(page).post(
        gift_aid="y",
        gift_aid_past_and_future="y",
        gift_aid_title="Dr",
        gift_aid_first_name="Ada",
        gift_aid_last_name="Lovelace",
        gift_aid_house="12",
        gift_aid_address="Kitchen Lane, Leeds",
        gift_aid_postcode="ls14ap",
    )

    assert response.status_code == 200
    (donation,) = donations()
    declaration = donation.gift_aid_declaration
    assert (declaration.first_name, declaration.last_name, declaration.postcode) == (
        "Ada",
        "Lovelace",
        "LS1 4AP",
    )
    assert declaration.covers_past_and_future is True
    assert "Hot Meals UK Charity" in declaration.wording
    assert "Capital Gains Tax" in declaration.wording
    assert declaration.wording in response.get_data(as_text=True)


def test_gift_aid_fields_are_ignored_for_causes_outside_the_uk(
    factories, session, donate_form, donations, localstripe
):
    page = factories.page(cause=factories.cause("US"))
    session.commit()

    response = donate_form(page).post(
        gift_aid="y",
        gift_aid_first_name="Ada",
        gift_aid_last_name="Lovelace",
        gift_aid_house="12",
        gift_aid_address="Kitchen Lane",
        gift_aid_postcode="LS1 4AP",
    )

    assert response.status_code == 200
    (donation,) = donations()
    assert donation.gift_aid_declaration is None


def test_canadian_gifts_keep_the_donor_address(factories, session, donate_form, donations, localstripe):
    page = factories.page(cause=factories.cause("CA"))
    session.commit()

    response = donate_form(page).post(
        address_line1="88 Maple Avenue",
        address_city="Toronto",
        address_region="ON",
        address_postcode="m5v2t6",
        address_country="CA",
    )

    assert response.status_code == 200
    (donation,) = donations()
    assert (
        donation.address_line1,
        donation.address_city,
        donation.address_region,
        donation.address_postcode,
        donation.address_country,
    ) == (
        "88 Maple Avenue",
        "Toronto",
        "ON",
        "M5V 2T6",
        "CA",
    )


def test_thank_you_page_shows_processing_until_the_webhook_marks_it_paid(
    factories, session, donate_form, donations, client, localstripe, stripe_events
):
    page = factories.page()
    session.commit()
    donate_form(page).post(amount_choice="other", other_amount="25.00")
    (donation,) = donations()
    thank_you = f"/thank-you/{donation.public_id}"
    status = f"/donations/{donation.public_id}/status"

    before = client.get(thank_you)
    before_json = client.get(status)
    assert "Processing" in before.get_data(as_text=True)
    assert before.headers["Cache-Control"] == "no-store"
    assert before_json.headers["Cache-Control"] == "no-store"
    assert before_json.get_json()["status"] == "pending"

    delivered = stripe_events.deliver(client, stripe_events.payment_intent(donation))
    assert delivered.status_code == 200

    after = client.get(thank_you).get_data(as_text=True)
    body = client.get(status).get_json()
    assert "Confirmed" in after and "£25.00" in after
    assert body == {
        "status": "paid",
        "name": "Ada Donor",
        "amount": "£25.00",
        "charged": "£25.00",
        "page_raised": "£25.00",
        "page_donation_count": 1,
        "failure_message": "",
    }
    assert_money_adds_up(session)


def test_anonymous_donors_stay_anonymous_in_html_and_json(
    factories, session, donate_form, donations, client, localstripe, stripe_events
):
    page = factories.page()
    session.commit()
    pay_step = donate_form(page).post(
        visibility="anonymous", donor_name="Secret Sam", donor_email="sam@example.test"
    )
    (donation,) = donations()
    stripe_events.deliver(client, stripe_events.payment_intent(donation))

    thank_you = client.get(f"/thank-you/{donation.public_id}").get_data(as_text=True)
    body = client.get(f"/donations/{donation.public_id}/status").get_data(as_text=True)

    assert donation.is_anonymous
    assert "Anonymous" in pay_step.get_data(as_text=True)
    assert "Anonymous" in thank_you and "Secret Sam" not in thank_you
    assert '"name":"Anonymous"' in body.replace(" ", "")
    assert "Secret Sam" not in body and "sam@example.test" not in body


def test_unknown_donations_are_not_found(client, app):
    assert client.get("/thank-you/" + "0" * 32).status_code == 404
    assert client.get("/donations/" + "0" * 32 + "/status").status_code == 404
    assert client.get("/thank-you/not-an-id").status_code == 404


def test_pay_confirms_the_payment_intent_with_the_card_and_explains_declines(
    factories, session, donate_form, donations, client, localstripe
):
    page = factories.page()
    session.commit()
    donate_form(page).post()
    donate_form(page).post(amount_choice="5000")
    donate_form(page).post(amount_choice="10000")
    good, bad, secure = donations()

    paid = client.post(
        f"/donations/{good.public_id}/pay", json={"payment_method": localstripe.payment_method("visa")}
    )
    declined = client.post(
        f"/donations/{bad.public_id}/pay", json={"payment_method": localstripe.payment_method("declined")}
    )
    challenged = client.post(
        f"/donations/{secure.public_id}/pay", json={"payment_method": localstripe.payment_method("3ds")}
    )
    forged = client.post(f"/donations/{good.public_id}/pay", json={"payment_method": "<script>"})
    missing = client.post(f"/donations/{good.public_id}/pay", json={})

    assert paid.status_code == 200 and paid.get_json()["status"] == "succeeded"
    assert (declined.status_code, declined.get_json()["error"]) == (402, "Your card was declined.")
    assert challenged.get_json()["status"] == "requires_action"
    assert challenged.get_json()["client_secret"].startswith(secure.stripe_payment_intent_id + "_secret_")
    assert forged.status_code == 402 and missing.status_code == 400
    assert localstripe.get(f"/v1/payment_intents/{good.stripe_payment_intent_id}")["status"] == "succeeded"
    # Only Stripe's webhook marks a donation paid; the browser's word counts for nothing.
    assert [d.status for d in donations()] == ["pending", "pending", "pending"]


def test_a_reload_after_paying_goes_to_the_thank_you_page(
    factories, session, donate_form, donations, client, localstripe, stripe_events
):
    page = factories.page()
    session.commit()
    form = donate_form(page)
    form.post()
    (donation,) = donations()
    stripe_events.deliver(client, stripe_events.payment_intent(donation))

    again = form.post()

    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/thank-you/{donation.public_id}")
    assert len(donations()) == 1


def test_when_stripe_cannot_be_reached_the_same_attempt_can_be_retried(
    factories, session, donate_form, donations, app, localstripe
):
    page = factories.page()
    session.commit()
    form = donate_form(page)
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there

    refused = form.post(amount_choice="other", other_amount="30")

    html = refused.get_data(as_text=True)
    assert refused.status_code == 503
    assert "We could not reach our card processor" in html
    assert 'value="30"' in html
    app.config["STRIPE_API_BASE"] = localstripe.url
    retried = form.post(amount_choice="other", other_amount="30")
    assert retried.status_code == 200
    (donation,) = donations()
    assert donation.public_id == form.data["attempt"]
    assert localstripe.get(f"/v1/payment_intents/{donation.stripe_payment_intent_id}")["amount"] == 3000


def test_pay_refuses_garbage_without_a_500(factories, session, donate_form, donations, client, localstripe):
    page = factories.page()
    session.commit()
    donate_form(page).post()
    (donation,) = donations()
    url = f"/donations/{donation.public_id}/pay"

    answers = [
        client.post(url, data=b"[1, 2]", content_type="application/json").status_code,
        client.post(url, data=b"\xff\xfe", content_type="application/json").status_code,
        client.post(url, data={"payment_method": "pm_x"}).status_code,
        client.post(url, json={"payment_method": ["pm_x"]}).status_code,
        client.post(url, json={"payment_method": "pm_" + "x" * 5000}).status_code,
        client.post("/donations/" + "0" * 32 + "/pay", json={"payment_method": "pm_x"}).status_code,
    ]

    assert answers == [400, 400, 400, 400, 402, 404]
    assert donations()[0].status == "pending"


def test_thank_you_page_links_to_the_receipt_once_paid(
    factories, session, donate_form, donations, client, localstripe, stripe_events
):
    page = factories.page()
    session.commit()
    donate_form(page).post(amount_choice="other", other_amount="25.00")
    (donation,) = donations()
    assert "Download your receipt" not in client.get(f"/thank-you/{donation.public_id}").get_data(
        as_text=True
    )

    assert stripe_events.deliver(client, stripe_events.payment_intent(donation)).status_code == 200

    html = client.get(f"/thank-you/{donation.public_id}").get_data(as_text=True)
    link = re.search(r'href="([^"]+\.pdf)">Download your receipt', html).group(1)
    pdf = client.get(link)
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
