from sqlalchemy import select

from fundraiser.models import Cause, CauseAdmin, FundraisingTotal


def cause_form(**overrides):
    data = {
        "name": "River Rescue",
        "slug": "river-rescue",
        "legal_name": "River Rescue CIO",
        "country": "GB",
        "registration_number": "1098765",
        "default_currency": "GBP",
        "address": "1 Quay, Bristol BS1 1AA",
        "timezone": "Europe/London",
        "website": "https://river.example.org",
        "description": "Lifeboats on the Avon.",
        "signatory_name": "Sam Treasurer",
        "impact_units-0-amount": "10",
        "impact_units-0-currency": "GBP",
        "impact_units-0-singular": "life jacket",
        "impact_units-0-plural": "life jackets",
        "impact_units-1-amount": "",
        "impact_units-1-currency": "GBP",
        "impact_units-1-singular": "",
        "impact_units-1-plural": "",
    }
    data.update(overrides)
    return data


def sign_in_as(new_client, factories, user):
    client = new_client()
    response = client.post("/signin", data={"email": user.email, "password": factories.password})
    assert response.status_code == 302
    return client


def test_platform_admin_creates_a_cause_with_impact_units_and_logo(
    factories, session, signed_in, photo_file, client
):
    admin = factories.user(is_platform_admin=True)
    session.commit()
    signed = signed_in(admin)
    form = signed.get("/causes/new").get_data(as_text=True)
    assert "Impact unit 1" in form and 'for="impact_units-0-amount"' in form

    data = cause_form(logo=photo_file("PNG", "logo.png"))
    response = signed.post("/causes/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    cause = session.scalar(select(Cause).where(Cause.slug == "river-rescue"))
    assert [(u.amount, u.singular, u.plural) for u in cause.impact_units] == [
        (1_000, "life jacket", "life jackets")
    ]
    assert cause.logo_path
    html = client.get("/causes/river-rescue").get_data(as_text=True)
    assert "River Rescue CIO" in html and "1098765" in html and "life jacket" in html
    assert f"/uploads/{cause.logo_path}" in html


def test_cause_form_refuses_bad_values_next_to_fields(factories, session, signed_in):
    admin = factories.user(is_platform_admin=True)
    session.commit()
    response = signed_in(admin).post(
        "/causes/new",
        data=cause_form(
            country="CA",
            registration_number="12345",
            timezone="Mars/Olympus",
            **{"impact_units-0-amount": "ten", "impact_units-1-singular": "shelter night"},
        ),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "RR suffix" in html
    assert "time zone" in html
    assert "in numbers" in html
    assert "Give the plural" in html
    assert 'value="Mars/Olympus"' in html
    assert session.scalar(select(Cause)) is None


def test_only_platform_admins_create_causes(factories, session, signed_in):
    charity_admin = factories.user()
    factories.cause(admins=(charity_admin,))
    session.commit()
    client = signed_in(charity_admin)
    assert client.get("/causes/new").status_code == 403
    assert client.post("/causes/new", data=cause_form()).status_code == 403


def test_charity_admin_edits_their_cause_and_removes_a_unit(factories, session, signed_in):
    charity_admin = factories.user()
    cause = factories.cause(admins=(charity_admin,), slug="my-charity")
    session.commit()
    client = signed_in(charity_admin)
    form = client.get("/causes/my-charity/edit").get_data(as_text=True)
    assert 'value="hot meal"' in form and 'value="5"' in form
    assert "Add a charity admin" not in form

    response = client.post(
        "/causes/my-charity/edit",
        data=cause_form(
            slug="my-charity",
            name="Renamed",
            **{
                "impact_units-0-amount": "5",
                "impact_units-0-singular": "hot meal",
                "impact_units-0-plural": "hot meals",
                "impact_units-0-remove": "y",
                "impact_units-1-amount": "25",
                "impact_units-1-singular": "night in a shelter",
                "impact_units-1-plural": "nights in a shelter",
            },
        ),
    )
    assert response.status_code == 302
    session.expire_all()
    cause = session.get(Cause, cause.id)
    assert cause.name == "Renamed"
    assert [(u.amount, u.singular) for u in cause.impact_units] == [(2_500, "night in a shelter")]


def test_other_charity_admins_cannot_edit(factories, session, signed_in):
    admin_of_a = factories.user()
    factories.cause(admins=(admin_of_a,))
    factories.cause(slug="cause-b")
    session.commit()
    client = signed_in(admin_of_a)
    assert client.get("/causes/cause-b/edit").status_code == 403
    assert client.post("/causes/cause-b/edit", data=cause_form(slug="cause-b")).status_code == 403
    assert client.post("/causes/cause-b/admins", data={"email": admin_of_a.email}).status_code == 403


def test_platform_admin_adds_a_charity_admin_by_email(factories, session, signed_in):
    admin = factories.user(is_platform_admin=True)
    newcomer = factories.user(email="treasurer@example.test")
    cause = factories.cause(slug="needs-admin")
    session.commit()
    client = signed_in(admin)
    assert "Add a charity admin" in client.get("/causes/needs-admin/edit").get_data(as_text=True)

    missing = client.post("/causes/needs-admin/admins", data={"email": "nobody@example.test"})
    assert missing.status_code == 422 and "No account has that email" in missing.get_data(as_text=True)

    assert (
        client.post("/causes/needs-admin/admins", data={"email": "Treasurer@Example.test"}).status_code == 302
    )
    assert (
        client.post("/causes/needs-admin/admins", data={"email": "treasurer@example.test"}).status_code == 302
    )
    memberships = session.scalars(select(CauseAdmin).where(CauseAdmin.cause_id == cause.id)).all()
    assert [m.user_id for m in memberships] == [newcomer.id]


def test_cause_page_lists_published_pages_and_totals(factories, session, client):
    cause = factories.cause(slug="listed-cause")
    factories.page(cause=cause, title="Published one")
    factories.page(cause=cause, title="Draft one", status="draft")
    session.add(
        FundraisingTotal(
            scope="cause", scope_id=cause.id, currency="GBP", raised_amount=4_200, donation_count=2
        )
    )
    session.commit()
    html = client.get("/causes/listed-cause").get_data(as_text=True)
    assert "Published one" in html and "Draft one" not in html
    assert "£42.00" in html and "2 donations" in html
    assert "Pledge pages (1)" in html


def test_website_must_be_a_web_link(factories, session, signed_in):
    admin = factories.user(is_platform_admin=True)
    session.commit()
    response = signed_in(admin).post(
        "/causes/new", data=cause_form(website="javascript://example.org/%0Aalert(1)")
    )
    assert response.status_code == 422
    assert session.scalar(select(Cause)) is None
