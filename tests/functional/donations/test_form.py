"""The donate form refuses what it cannot take, next to the field, keeping what was typed."""

from __future__ import annotations

import pytest

from fundraiser.donations.fees import fee_cover


def errors_of(response) -> str:
    assert response.status_code == 422, response.status_code
    return response.get_data(as_text=True)


def test_form_offers_preset_amounts_in_the_page_currency(factories, session, donate_form):
    gbp = factories.page()
    jpy = factories.page(cause=factories.cause("US"), currency="JPY")
    session.commit()

    gbp_html = donate_form(gbp).html
    jpy_html = donate_form(jpy).html

    for label in ("£10", "£25", "£50", "£100", "Other amount"):
        assert label in gbp_html
    for label in ("JP¥1,000", "JP¥3,000", "JP¥5,000", "JP¥10,000"):
        assert label in jpy_html
    assert gbp_html.count("<h1>") == 1


def test_panel_link_preselects_an_amount(factories, session, client):
    page = factories.page()
    session.commit()

    html = client.get(f"/{page.slug}/donate?amount=5000").get_data(as_text=True)

    assert 'checked id="amount_choice-2" name="amount_choice" type="radio" value="5000"' in html


def test_unpublished_and_unknown_pages_take_no_donations(factories, session, client):
    page = factories.page(status="draft")
    session.commit()

    assert client.get(f"/{page.slug}/donate").status_code == 404
    assert client.post(f"/{page.slug}/donate", data={}).status_code == 404
    assert client.get("/no-such-page/donate").status_code == 404


BAD_AMOUNTS = [
    ("lots", "GBP", "Enter an amount in numbers"),
    ("12.345", "GBP", "at most 2 digits"),
    ("-5", "GBP", "above zero"),
    ("1.99", "GBP", "The smallest gift we can take is £2.00"),
    ("10000.01", "GBP", "The largest gift we can take online is £10,000.00"),
    ("1000.5", "JPY", "JPY has no minor unit: enter a whole number"),
    ("49", "JPY", "The smallest gift we can take is JP¥50"),
    ("1000001", "JPY", "The largest gift we can take online is JP¥1,000,000"),
    ("1.99", "USD", "The smallest gift we can take is US$2.00"),
]


def test_bad_custom_amounts_are_refused_with_the_typed_value_kept(factories, session, donate_form, donations):
    cause = factories.cause("US")
    pages = {currency: factories.page(cause=cause, currency=currency) for currency in ("GBP", "JPY", "USD")}
    session.commit()

    for typed, currency, message in BAD_AMOUNTS:
        html = errors_of(donate_form(pages[currency]).post(amount_choice="other", other_amount=typed))

        assert message in html, (typed, currency)
        assert f'name="other_amount" type="text" value="{typed}"' in html, typed
        assert 'value="Ada Donor"' in html
    assert donations() == []


def test_an_amount_must_be_chosen(factories, session, donate_form):
    page = factories.page()
    session.commit()

    html = errors_of(donate_form(page).post(amount_choice=None, other_amount=""))

    assert "Choose an amount, or enter your own." in html


def test_a_made_up_preset_is_refused(factories, session, donate_form, donations):
    page = factories.page()
    session.commit()

    html = errors_of(donate_form(page).post(amount_choice="1"))

    assert "Choose one of the amounts, or enter your own." in html
    assert donations() == []


BAD_DONOR_DETAILS = [
    ({"donor_email": ""}, "Enter your email address, so we can send your receipt."),
    ({"donor_email": "ada-at-example"}, "Enter an email address like name@example.com."),
    ({"donor_name": "  "}, "Enter your name."),
    ({"visibility": "shout"}, "Choose whether to show your name."),
]


def test_donor_details_are_required(factories, session, donate_form, donations):
    page = factories.page()
    session.commit()

    for fields, message in BAD_DONOR_DETAILS:
        html = errors_of(donate_form(page).post(**fields))

        assert message in html, fields
        assert 'value="2500"' in html and "Go well!" in html
    assert donations() == []


def test_gift_aid_declaration_uses_hmrc_wording_for_uk_charities_in_pounds(factories, session, donate_form):
    page = factories.page(cause=factories.cause("GB", legal_name="Hot Meals UK Charity"))
    session.commit()

    html = donate_form(page).html

    assert "I want to Gift Aid my donation of" in html
    assert "to Hot Meals UK Charity. I am a UK taxpayer" in html
    assert (
        "if I pay less Income Tax and/or Capital Gains Tax than the amount of Gift Aid claimed on all my "
        "donations in that tax year it is my responsibility to pay any difference"
    ) in html
    assert "any donations I make in the future or have made in the past 4 years" in html


@pytest.mark.parametrize(("country", "currency"), [("US", "USD"), ("CA", "CAD"), ("GB", "USD")])
def test_gift_aid_is_not_offered_outside_uk_gifts_in_pounds(
    factories, session, donate_form, country, currency
):
    page = factories.page(cause=factories.cause(country), currency=currency)
    session.commit()

    html = donate_form(page).html

    assert "Gift Aid" not in html
    assert 'name="gift_aid"' not in html


def test_gift_aid_needs_name_and_home_address(factories, session, donate_form, donations):
    page = factories.page()
    session.commit()

    html = errors_of(donate_form(page).post(gift_aid="y", gift_aid_first_name="Ada"))

    assert "Enter your last name for the Gift Aid declaration." in html
    assert "Enter your house name or number." in html
    assert "Enter your street and town." in html
    assert "Enter your home postcode: HMRC needs it for Gift Aid." in html
    assert 'name="gift_aid_first_name" type="text" value="Ada"' in html
    assert donations() == []


def test_gift_aid_needs_a_uk_postcode(factories, session, donate_form):
    page = factories.page()
    session.commit()

    for postcode in ("12345", "LS1", "ZZ99 9ZZZ", "SW1A-1AA"):
        html = errors_of(
            donate_form(page).post(
                gift_aid="y",
                gift_aid_first_name="Ada",
                gift_aid_last_name="Lovelace",
                gift_aid_house="12",
                gift_aid_address="Kitchen Lane, Leeds",
                gift_aid_postcode=postcode,
            )
        )

        assert "Enter a UK postcode, like LS1 4AP." in html, postcode
        assert f'value="{postcode}"' in html


def test_a_company_gift_cannot_have_gift_aid(factories, session, donate_form):
    page = factories.page()
    session.commit()

    html = errors_of(
        donate_form(page).post(
            gift_aid="y",
            is_company="y",
            gift_aid_first_name="Ada",
            gift_aid_last_name="Lovelace",
            gift_aid_house="12",
            gift_aid_address="Kitchen Lane, Leeds",
            gift_aid_postcode="LS1 4AP",
        )
    )

    assert "Gift Aid cannot be added to a company gift" in html


def test_canadian_causes_need_the_donor_address(factories, session, donate_form, donations):
    page = factories.page(cause=factories.cause("CA"))
    session.commit()
    form = donate_form(page)
    assert "official tax receipt must show your full address" in form.html

    html = errors_of(form.post(address_line1="88 Maple Avenue"))

    assert "Enter your town or city." in html
    assert "Enter your postal code." in html
    assert 'value="88 Maple Avenue"' in html
    assert donations() == []


def test_canadian_postal_codes_are_checked(factories, session, donate_form):
    page = factories.page(cause=factories.cause("CA"))
    session.commit()

    html = errors_of(
        donate_form(page).post(
            address_line1="88 Maple Avenue",
            address_city="Toronto",
            address_region="ON",
            address_postcode="90210",
            address_country="CA",
        )
    )

    assert "Enter a Canadian postal code, like M5V 2T6." in html


def test_a_stale_attempt_token_is_replaced(factories, session, donate_form):
    page = factories.page()
    session.commit()

    html = errors_of(donate_form(page).post(attempt="not-a-token"))

    assert "This form has expired" in html
    assert 'name="attempt" type="hidden" value="not-a-token"' not in html


def test_fee_estimate_json_is_computed_on_the_server(factories, session, client):
    page = factories.page()
    session.commit()

    body = client.get(f"/{page.slug}/donate/fee?amount=25.00").get_json()
    refused = client.get(f"/{page.slug}/donate/fee?amount=0.01")

    assert body["fee"] == fee_cover(2500, "GBP")
    assert body["total"] == 2500 + body["fee"]
    assert body["fee_formatted"].startswith("£")
    assert refused.status_code == 400
    assert "smallest gift" in refused.get_json()["error"]


def test_the_pledge_page_offers_the_donate_panel(factories, session, client):
    page = factories.page()
    session.commit()

    html = client.get(f"/{page.slug}").get_data(as_text=True)

    assert "Give to this page" in html
    assert f'href="/{page.slug}/donate?amount=2500"' in html
    assert f'href="/{page.slug}/donate"' in html
