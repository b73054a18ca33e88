"""The Gift Aid parts of the donate form, the runner's address for Gift Aid on their page, and
the event's runner benefit: what HMRC's schedule and Chapter 3.38 need, asked where it is needed.

Sources: gov.uk, "Schedule spreadsheet to claim back tax on Gift Aid donations" (title at most
4 characters, names at most 35); HMRC Charities, "Chapter 3: Gift Aid", 3.38 onwards (gifts from
a participant or a connected person are excluded where the participant gets a benefit tied to
the fundraising)."""

from __future__ import annotations

from sqlalchemy import select

from fundraiser.models import Event
from fundraiser.receipts.values import gift_aid_exclusion
from tests.functional.pages.test_events import event_form

DECLARATION = {
    "gift_aid": "y",
    "gift_aid_first_name": "Ada",
    "gift_aid_last_name": "Lovelace",
    "gift_aid_house": "12",
    "gift_aid_address": "Kitchen Lane, Leeds",
    "gift_aid_postcode": "LS1 4AP",
}


def test_the_title_is_offered_from_a_list_and_kept_to_4_characters(
    factories, session, donate_form, donations
):
    page = factories.page()
    session.commit()
    form = donate_form(page)
    assert 'list="gift-aid-titles"' in form.html
    for title in ("Mr", "Mrs", "Miss", "Ms", "Mx", "Dr", "Prof", "Rev"):
        assert f'<option value="{title}">' in form.html

    response = form.post(**DECLARATION, gift_aid_title="Professor")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Use at most 4 characters for your title, like Prof or Rev (HMRC&#39;s limit)." in html
    assert donations() == []


def test_names_over_35_characters_are_refused_with_a_reason(factories, session, donate_form, donations):
    page = factories.page()
    session.commit()
    too_long = DECLARATION | {"gift_aid_first_name": "A" * 36, "gift_aid_last_name": "B" * 36}
    response = donate_form(page).post(**too_long)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "HMRC takes at most 35 characters: use your first name or initial." in html
    assert "HMRC takes at most 35 characters for a last name." in html
    assert donations() == []


def test_the_family_question_is_asked_only_on_events_with_a_runner_benefit(factories, session, donate_form):
    plain = factories.page()
    benefit = factories.page(event=factories.event(participant_benefit=True))
    session.commit()
    assert "Are you a family member of the runner?" not in donate_form(plain).html
    form = donate_form(benefit)
    assert "Are you a family member of the runner?" in form.html

    response = form.post(**DECLARATION)
    assert response.status_code == 422
    assert "Say whether you are a family member of the runner." in response.get_data(as_text=True)


def test_the_organiser_says_whether_runners_get_a_benefit(factories, session, signed_in):
    organiser = factories.user(is_event_organiser=True)
    cause = factories.cause()
    session.commit()
    client = signed_in(organiser)
    assert "Runners get a benefit for their fundraising" in client.get("/events/new").get_data(as_text=True)
    response = client.post("/events/new", data=event_form(cause, distance_km="10", participant_benefit="y"))
    assert response.status_code == 302
    event = session.scalar(select(Event).where(Event.slug == "harbour-half"))
    assert event.participant_benefit is True
    assert (
        client.post("/events/harbour-half/edit", data=event_form(cause, distance_km="10")).status_code == 302
    )
    session.expire_all()
    assert session.get(Event, event.id).participant_benefit is False


def test_the_runner_keeps_an_address_for_gift_aid_on_their_page(factories, session, signed_in):
    runner = factories.user()
    page = factories.page(runner=runner, slug="ritas-run", title="Rita runs")
    session.commit()
    client = signed_in(runner)
    assert "Your home address for Gift Aid (optional)" in client.get("/ritas-run/edit").get_data(as_text=True)
    base = {"title": "Rita runs", "slug": "ritas-run", "story": "", "target": "500"}

    partial = client.post("/ritas-run/edit", data={**base, "sponsor_first_name": "Rita"})
    assert partial.status_code == 422
    assert "Enter your last name, or leave all four empty." in partial.get_data(as_text=True)

    saved = client.post(
        "/ritas-run/edit",
        data={
            **base,
            "sponsor_first_name": "Rita",
            "sponsor_last_name": "Smith-Jones",
            "sponsor_house_name_or_number": "1",
            "sponsor_postcode": "ls61aa",
        },
    )
    assert saved.status_code == 302
    session.expire_all()
    page = session.get(type(page), page.id)
    assert (page.sponsor_last_name, page.sponsor_postcode) == ("Smith-Jones", "LS6 1AA")

    assert client.post("/ritas-run/edit", data=base).status_code == 302
    session.expire_all()
    assert session.get(type(page), page.id).sponsor_postcode == ""


def test_pages_of_other_countries_are_not_asked_for_a_gift_aid_address(factories, session, signed_in):
    runner = factories.user()
    factories.page(runner=runner, cause=factories.cause("US"), slug="us-run")
    session.commit()
    assert "for Gift Aid" not in signed_in(runner).get("/us-run/edit").get_data(as_text=True)


def test_a_family_members_answer_is_kept_with_the_declaration(
    factories, session, donate_form, donations, localstripe
):
    """Through the form to the payment step: the answer is stored with the declaration, and
    the donor's receipt will say why Gift Aid cannot be claimed (receipts.values)."""
    page = factories.page(event=factories.event(participant_benefit=True))
    session.commit()
    response = donate_form(page).post(**DECLARATION, gift_aid_title="Mx", gift_aid_runner_family="yes")
    assert response.status_code == 200
    (donation,) = donations()
    assert (donation.gift_aid_declaration.title, donation.gift_aid_declaration.is_runner_family) == (
        "Mx",
        True,
    )
    assert "family of the runner" in gift_aid_exclusion(donation)
