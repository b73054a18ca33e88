import io
from datetime import UTC, datetime

import pyotp
from sqlalchemy import select

from fundraiser.models import PageUpdate, PledgePage

CONFIRMED = datetime(2026, 1, 5, tzinfo=UTC)


def page_form(event, cause, **overrides):
    data = {
        "event_id": str(event.id),
        "cause_id": str(cause.id),
        "title": "Amara runs for hot meals",
        "slug": "amara-runs",
        "story": "I am running **because**.<script>alert(1)</script>",
        "target": "250.50",
        "status": "published",
    }
    data.update(overrides)
    return data


def test_runner_creates_and_publishes_a_page(factories, signed_in, session, new_client, photo_file):
    cause = factories.cause()
    event = factories.event(causes=(cause,))
    runner = factories.user(email_confirmed_at=CONFIRMED)
    session.commit()
    client = signed_in(runner)

    form = client.get("/pages/new").get_data(as_text=True)
    assert 'for="title"' in form and event.name in form

    response = client.post(
        "/pages/new",
        data=page_form(event, cause, photo=photo_file()),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/amara-runs")
    page = session.scalar(select(PledgePage).where(PledgePage.slug == "amara-runs"))
    assert page.target_amount == 25_050 and page.currency == "GBP"
    assert page.status == "published" and page.published_at is not None
    assert "<strong>because</strong>" in page.story_html and "<script" not in page.story_html
    assert page.photo_path and page.photo_path.endswith(".jpg")

    public = new_client().get("/amara-runs")
    assert public.status_code == 200
    html = public.get_data(as_text=True)
    assert "Amara runs for hot meals" in html and "<script>alert" not in html
    photo = new_client().get(f"/uploads/{page.photo_path}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"


def test_slug_is_suggested_from_the_title_when_left_empty(factories, signed_in, session):
    cause = factories.cause()
    event = factories.event(causes=(cause,))
    factories.page(slug="amara-runs-for-hot-meals", event=event, cause=cause)
    runner = factories.user(email_confirmed_at=CONFIRMED)
    session.commit()
    response = signed_in(runner).post("/pages/new", data=page_form(event, cause, slug=""))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/amara-runs-for-hot-meals-2")


def test_bad_input_keeps_what_was_typed_and_says_why(factories, signed_in, session):
    cause = factories.cause()
    other_cause = factories.cause()
    event = factories.event(causes=(cause,))
    factories.page(slug="taken-slug", event=event, cause=cause)
    runner = factories.user()
    session.commit()
    client = signed_in(runner)

    response = client.post(
        "/pages/new", data=page_form(event, other_cause, slug="taken-slug", target="12.345", title="My title")
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "“taken-slug” is taken; try taken-slug-2." in html
    assert "at most 2 digits" in html
    assert "supports:" in html
    assert 'value="My title"' in html and 'value="12.345"' in html
    assert session.scalar(select(PledgePage).where(PledgePage.runner_id == runner.id)) is None


def test_reserved_slug_and_bad_target_are_refused(factories, signed_in, session):
    cause = factories.cause()
    event = factories.event(causes=(cause,))
    runner = factories.user()
    session.commit()
    client = signed_in(runner)
    for slug, target, message in [
        ("events", "250", "used by the site"),
        ("Bad Slug", "250", "lowercase"),
        ("good-slug", "abc", "in numbers"),
        ("good-slug", "-5", "above zero"),
        ("good-slug", "99999999999", "below"),
    ]:
        response = client.post("/pages/new", data=page_form(event, cause, slug=slug, target=target))
        assert response.status_code == 422, slug
        assert message in response.get_data(as_text=True)


def test_closed_event_takes_no_new_pages(factories, signed_in, session):
    cause = factories.cause()
    event = factories.event(causes=(cause,), is_open=False)
    runner = factories.user()
    session.commit()
    response = signed_in(runner).post("/pages/new", data=page_form(event, cause))
    assert response.status_code == 422
    assert session.scalar(select(PledgePage)) is None


def test_non_image_upload_is_a_form_error(factories, signed_in, session):
    cause = factories.cause()
    event = factories.event(causes=(cause,))
    runner = factories.user()
    session.commit()
    response = signed_in(runner).post(
        "/pages/new",
        data=page_form(event, cause, photo=(io.BytesIO(b"not really a jpeg"), "holiday.jpg")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "not a photo" in response.get_data(as_text=True)
    assert session.scalar(select(PledgePage)) is None


def test_oversize_upload_is_a_form_error(factories, signed_in, session, app, photo_file):
    cause = factories.cause()
    event = factories.event(causes=(cause,))
    runner = factories.user()
    session.commit()
    client = signed_in(runner)
    limit = app.config["MAX_PHOTO_BYTES"]
    app.config["MAX_PHOTO_BYTES"] = 100
    try:
        response = client.post(
            "/pages/new", data=page_form(event, cause, photo=photo_file()), content_type="multipart/form-data"
        )
    finally:
        app.config["MAX_PHOTO_BYTES"] = limit
    assert response.status_code == 422
    assert "smaller than" in response.get_data(as_text=True)


def test_owner_edits_the_page(factories, signed_in, session):
    page = factories.page(slug="old-slug", target_amount=10_000)
    session.commit()
    client = signed_in(page.runner)
    form = client.get("/old-slug/edit").get_data(as_text=True)
    assert 'value="100"' in form

    response = client.post(
        "/old-slug/edit",
        data={
            "title": "New title",
            "slug": "new-slug",
            "story": "[x](javascript:alert(1)) *hi*",
            "target": "300",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/new-slug")
    session.expire_all()
    page = session.get(PledgePage, page.id)
    assert (page.title, page.slug, page.target_amount) == ("New title", "new-slug", 30_000)
    assert "javascript" not in page.story_html and "<em>hi</em>" in page.story_html
    assert client.get("/old-slug").status_code == 404


def test_clearing_the_slug_on_edit_keeps_the_address(factories, signed_in, session):
    page = factories.page(slug="stay-here")
    session.commit()
    response = signed_in(page.runner).post(
        "/stay-here/edit", data={"title": "Brand new title", "slug": "", "story": "", "target": "100"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/stay-here")


def test_failed_edit_changes_nothing(factories, signed_in, session):
    page = factories.page(slug="keep-me", title="Keep", target_amount=10_000)
    session.commit()
    response = signed_in(page.runner).post(
        "/keep-me/edit", data={"title": "Changed", "slug": "keep-me", "story": "", "target": "nope"}
    )
    assert response.status_code == 422
    assert 'value="Changed"' in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(PledgePage, page.id).title == "Keep"


def test_publish_and_unpublish(factories, signed_in, session, new_client):
    page = factories.page(
        slug="draft-page", status="draft", runner=factories.user(email_confirmed_at=CONFIRMED)
    )
    session.commit()
    anonymous = new_client()
    assert anonymous.get("/draft-page").status_code == 404

    owner = signed_in(page.runner)
    draft_view = owner.get("/draft-page")
    assert draft_view.status_code == 200 and "draft" in draft_view.get_data(as_text=True)
    assert owner.post("/draft-page/publish").status_code == 302
    assert anonymous.get("/draft-page").status_code == 200

    assert owner.post("/draft-page/unpublish").status_code == 302
    assert anonymous.get("/draft-page").status_code == 404


def test_draft_is_visible_to_platform_admins_only(factories, signed_in, session, new_client):
    factories.page(slug="secret-draft", status="draft")
    stranger = factories.user()
    admin = factories.user(is_platform_admin=True)
    session.commit()
    assert signed_in(stranger).get("/secret-draft").status_code == 404
    admin_client = new_client()
    admin_client.post("/signin", data={"email": admin.email, "password": factories.password})
    admin_client.post("/signin/code", data={"code": pyotp.TOTP(admin.totp_secret).now()})
    assert admin_client.get("/secret-draft").status_code == 200


def test_owner_posts_a_dated_update(factories, signed_in, session):
    page = factories.page(slug="with-updates")
    session.commit()
    client = signed_in(page.runner)
    response = client.post(
        "/with-updates/updates", data={"body": "Week 6: **15K** done <img src=x onerror=alert(1)>"}
    )
    assert response.status_code == 302
    client.post("/with-updates/updates", data={"body": "Week 7: taper"})
    update = session.scalar(select(PageUpdate).where(PageUpdate.page_id == page.id).order_by(PageUpdate.id))
    assert "<strong>15K</strong>" in update.body_html and "onerror" not in update.body_html
    html = client.get("/with-updates").get_data(as_text=True)
    assert html.index("Week 7") < html.index("Week 6")

    empty = client.post("/with-updates/updates", data={"body": "   "})
    assert empty.status_code == 422
    assert "Write your update" in empty.get_data(as_text=True)


def test_wrong_person_gets_403_on_every_owner_route(factories, signed_in, session):
    page = factories.page(slug="not-yours")
    stranger = factories.user()
    session.commit()
    client = signed_in(stranger)
    assert client.get("/not-yours/edit").status_code == 403
    assert client.post("/not-yours/edit", data={"title": "x", "target": "1"}).status_code == 403
    assert client.post("/not-yours/publish").status_code == 403
    assert client.post("/not-yours/unpublish").status_code == 403
    assert client.post("/not-yours/updates", data={"body": "hi"}).status_code == 403
    session.expire_all()
    assert session.get(PledgePage, page.id).status == "published"


def test_signed_out_visitor_is_sent_to_sign_in(factories, session, client):
    factories.page(slug="someones-page")
    session.commit()
    for path in ("/someones-page/edit", "/pages/new"):
        response = client.get(path)
        assert response.status_code == 302 and "/signin" in response.headers["Location"]


def test_unknown_slugs_are_404(factories, signed_in, session, client):
    assert client.get("/no-such-page").status_code == 404
    assert "Page not found" in client.get("/no-such-page").get_data(as_text=True)
    runner = factories.user()
    session.commit()
    signed = signed_in(runner)
    for path in (
        "/no-such-page/edit",
        "/events/no-such-event",
        "/causes/no-such-cause",
        "/teams/no-such-team",
    ):
        assert signed.get(path).status_code == 404, path
    assert signed.post("/no-such-page/publish").status_code == 404
    assert signed.get("/uploads/../../etc/passwd").status_code == 404
    assert signed.get("/uploads/" + "a" * 32 + ".jpg").status_code == 404
