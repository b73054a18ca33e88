from datetime import date

import pyotp
from sqlalchemy import event as sa_event
from sqlalchemy import select

from fundraiser.extensions import db
from fundraiser.models import Event, FundraisingTotal


def event_form(*causes, **overrides):
    data = {
        "name": "Harbour Half",
        "slug": "harbour-half",
        "starts_on": "2027-05-16",
        "place": "Bristol",
        "distance_km": "21.0975",
        "description": "Flat and fast.",
        "cause_ids": [str(c.id) for c in causes],
        "is_open": "y",
    }
    data.update(overrides)
    return data


def test_organiser_creates_and_edits_an_event(factories, session, signed_in):
    organiser = factories.user(is_event_organiser=True)
    cause = factories.cause()
    session.commit()
    client = signed_in(organiser)
    assert client.get("/events/new").status_code == 200

    refused = client.post("/events/new", data=event_form(cause))
    assert refused.status_code == 422
    assert "km as a number" in refused.get_data(as_text=True) or "kilometres" in refused.get_data(
        as_text=True
    )

    response = client.post("/events/new", data=event_form(cause, distance_km="42.195"))
    assert response.status_code == 302
    event = session.scalar(select(Event).where(Event.slug == "harbour-half"))
    assert (event.distance_m, event.starts_on, event.organiser_id) == (
        42_195,
        date(2027, 5, 16),
        organiser.id,
    )
    assert [c.id for c in event.causes] == [cause.id]

    edit = client.get("/events/harbour-half/edit").get_data(as_text=True)
    assert 'value="42.195"' in edit
    response = client.post(
        "/events/harbour-half/edit",
        data=event_form(cause, name="Harbour Virtual", place="", is_virtual="y", distance_km="5", is_open=""),
    )
    assert response.status_code == 302
    session.expire_all()
    event = session.get(Event, event.id)
    assert event.is_virtual and event.place == "" and event.distance_m == 5_000 and not event.is_open
    html = signed_in(organiser).get("/events/harbour-half").get_data(as_text=True)
    assert "Virtual" in html and "5 km" in html and cause.name in html


def test_event_form_errors_are_next_to_fields(factories, session, signed_in):
    organiser = factories.user(is_event_organiser=True)
    session.commit()
    response = signed_in(organiser).post(
        "/events/new",
        data=event_form(slug="events", starts_on="16/05/2027", place="", distance_km="far", name="Kept name"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "used by the site" in html
    assert "Enter the date" in html or "Not a valid date" in html
    assert 'value="Kept name"' in html and 'value="far"' in html
    assert session.scalar(select(Event)) is None


def test_only_organisers_and_admins_create_events(factories, session, signed_in):
    runner = factories.user()
    session.commit()
    client = signed_in(runner)
    assert client.get("/events/new").status_code == 403
    assert client.post("/events/new", data=event_form()).status_code == 403


def test_organiser_edits_only_their_own_events(factories, session, signed_in, new_client):
    owner = factories.user(is_event_organiser=True)
    other = factories.user(is_event_organiser=True)
    admin = factories.user(is_platform_admin=True)
    cause = factories.cause()
    factories.event(slug="owned-event", organiser=owner, causes=(cause,))
    session.commit()
    client = signed_in(other)
    assert client.get("/events/owned-event/edit").status_code == 403
    assert client.post("/events/owned-event/edit", data=event_form(cause)).status_code == 403
    admin_client = new_client()
    admin_client.post("/signin", data={"email": admin.email, "password": factories.password})
    admin_client.post("/signin/code", data={"code": pyotp.TOTP(admin.totp_secret).now()})
    assert admin_client.get("/events/owned-event/edit").status_code == 200


def test_event_page_paginates_pages_by_raised(factories, session, client):
    cause = factories.cause()
    event = factories.event(slug="big-event", causes=(cause,))
    runner = factories.user()
    for n in range(30):
        page = factories.page(
            runner=runner, event=event, cause=cause, slug=f"bulk-{n:02d}", title=f"Bulk page {n:02d}"
        )
        page.raised_amount = n * 100
    factories.page(runner=runner, event=event, cause=cause, title="A draft here", status="draft")
    session.commit()

    first = client.get("/events/big-event").get_data(as_text=True)
    assert "Pledge pages (30)" in first
    assert first.count('class="card page-card"') == 24
    assert first.index("Bulk page 29") < first.index("Bulk page 28")
    assert "Bulk page 05" not in first and "A draft here" not in first
    assert "Page 1 of 2" in first and "page=2" in first

    second = client.get("/events/big-event?page=2").get_data(as_text=True)
    assert second.count('class="card page-card"') == 6
    assert "Bulk page 05" in second and "Bulk page 00" in second
    for junk in ("abc", "-1", "99999999999", "0"):
        assert client.get(f"/events/big-event?page={junk}").status_code == 200


def test_event_totals_come_from_fundraising_totals(factories, session, client):
    cause = factories.cause()
    event = factories.event(slug="totals-event", causes=(cause,))
    session.add(
        FundraisingTotal(
            scope="event", scope_id=event.id, currency="GBP", raised_amount=123_400, donation_count=3
        )
    )
    session.add(
        FundraisingTotal(
            scope="event", scope_id=event.id, currency="USD", raised_amount=5_000, donation_count=1
        )
    )
    session.commit()
    html = client.get("/events/totals-event").get_data(as_text=True)
    assert "£1,234.00" in html and "3 donations" in html
    assert "US$50.00" in html and "1 donation" in html


def test_events_list_shows_open_events_first(factories, session, client):
    cause = factories.cause()
    factories.event(name="Closed Early Run", causes=(cause,), is_open=False, starts_on=date(2027, 1, 1))
    factories.event(name="Open Later Run", causes=(cause,), starts_on=date(2027, 6, 1))
    session.commit()
    html = client.get("/events").get_data(as_text=True)
    assert html.index("Open Later Run") < html.index("Closed Early Run")


def test_event_page_query_count_does_not_grow_with_its_pages(factories, session, client):
    cause = factories.cause()
    event = factories.event(slug="many-pages", causes=(cause,))
    runner = factories.user()
    for n in range(40):
        factories.page(runner=runner, event=event, cause=cause, slug=f"many-{n:02d}")
    session.commit()
    statements = []

    def count(*args):
        statements.append(args[2])

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/events/many-pages").status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 8, statements
