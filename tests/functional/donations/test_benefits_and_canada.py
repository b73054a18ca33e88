"""The donate form's thank-you benefits and a Canadian cause's rules: CAD only, a province or
territory and a postal code on the donor's address."""

from __future__ import annotations

from html import unescape

from fundraiser.models import Benefit

CA_ADDRESS = {
    "address_line1": "5 Birch Road",
    "address_city": "Ottawa",
    "address_region": "ON",
    "address_postcode": "k1a0b1",
    "address_country": "CA",
}


def offer(session, cause, event=None, **fields) -> Benefit:
    values = dict(
        description="Race T-shirt",
        currency=cause.default_currency,
        fair_market_value=800,
        min_gift_amount=2500,
    )
    values.update(fields)
    benefit = Benefit(cause_id=cause.id, event_id=event.id if event else None, **values)
    session.add(benefit)
    session.commit()
    return benefit


def test_a_donor_takes_a_t_shirt_with_a_gift_at_its_threshold(
    factories, session, donate_form, donations, localstripe
):
    page = factories.page(cause=factories.cause("US"))
    benefit = offer(session, page.cause)

    form = donate_form(page)
    assert "Race T-shirt (worth US$8.00), with a gift of US$25.00 or more" in unescape(form.html)
    response = form.post(amount_choice="2500", benefit=str(benefit.id))

    assert response.status_code == 200
    (donation,) = donations()
    assert (donation.benefit_id, donation.advantage_amount, donation.advantage_description) == (
        benefit.id,
        800,
        "Race T-shirt",
    )


def test_a_gift_below_the_threshold_cannot_take_the_benefit(factories, session, donate_form, donations):
    page = factories.page(cause=factories.cause("US"))
    benefit = offer(session, page.cause)

    response = donate_form(page).post(amount_choice="other", other_amount="24.99", benefit=str(benefit.id))

    assert response.status_code == 422
    assert "Race T-shirt comes with a gift of US$25.00 or more" in unescape(response.get_data(as_text=True))
    assert donations() == []


def test_a_benefit_of_another_cause_or_event_is_refused(factories, session, donate_form, donations):
    page = factories.page(cause=factories.cause("US"))
    elsewhere = offer(session, factories.cause("US"))
    other_event = offer(session, page.cause, event=factories.event(causes=(page.cause,)))

    for benefit in (elsewhere, other_event):
        response = donate_form(page).post(amount_choice="5000", benefit=str(benefit.id))
        assert response.status_code == 422
        assert "Choose one of the thank-you gifts offered, or none." in unescape(
            response.get_data(as_text=True)
        )
    assert donations() == []


def test_a_canadian_cause_refuses_a_gift_in_us_dollars(factories, session, donate_form, donations):
    """CRA, "Issuing complete and accurate donation receipts": receipts are in Canadian dollars;
    a gift in another currency is refused with a reason (not converted)."""
    page = factories.page(cause=factories.cause("CA"), currency="USD")
    session.commit()

    response = donate_form(page).post(**CA_ADDRESS)

    assert response.status_code == 422
    assert "A Canada charity takes gifts in CAD only" in unescape(response.get_data(as_text=True))
    assert donations() == []


def test_a_canadian_donor_gives_a_province_or_territory(
    factories, session, donate_form, donations, localstripe
):
    """CRA: the donor's full address, including province or territory and postal code."""
    page = factories.page(cause=factories.cause("CA"))
    session.commit()

    missing = donate_form(page).post(**{**CA_ADDRESS, "address_region": ""})
    assert missing.status_code == 422
    assert "Choose your province or territory." in missing.get_data(as_text=True)

    assert donate_form(page).post(**CA_ADDRESS).status_code == 200
    (donation,) = donations()
    assert (donation.address_region, donation.address_postcode) == ("ON", "K1A 0B1")
