import re
from datetime import UTC, datetime, timedelta

from fundraiser.models import Donation, PledgePage


def meta(html: str, key: str) -> str | None:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    return match.group(1) if match else None


def test_page_shows_stored_totals_impact_and_progress(factories, session, client):
    page = factories.page(slug="stored-totals", target_amount=50_000)
    page.raised_amount = 6_250
    page.donation_count = 7
    session.commit()
    html = client.get("/stored-totals").get_data(as_text=True)
    assert "£62.50" in html
    assert "7 donations" in html
    assert 'max="100" value="12"' in html
    assert "<strong>12</strong> hot meals" in html
    assert page.runner.name in html and page.event.name in html and page.cause.name in html
    assert f'href="/events/{page.event.slug}"' in html and f'href="/causes/{page.cause.slug}"' in html


def test_totals_come_from_the_page_row_not_from_donations(factories, session, client):
    page = factories.page(slug="row-totals")
    session.add(_donation(page, 99_900, "Big Giver", paid=True))
    session.commit()
    html = client.get("/row-totals").get_data(as_text=True)
    assert "£0.00" in html and "£999.00" not in html.split("Donors")[0]


def test_open_graph_and_twitter_tags(factories, session, signed_in, photo_file, app):
    page = factories.page(slug="share-me", title="Share me please")
    session.commit()
    client = signed_in(page.runner)
    client.post(
        "/share-me/edit",
        data={
            "title": "Share me please",
            "slug": "share-me",
            "story": "",
            "target": "500",
            "photo": photo_file(),
        },
        content_type="multipart/form-data",
    )
    html = client.get("/share-me").get_data(as_text=True)
    public_url = app.config["PUBLIC_URL"].rstrip("/")
    assert meta(html, "og:title") == "Share me please"
    assert page.cause.name in meta(html, "og:description")
    assert meta(html, "og:url") == f"{public_url}/share-me"
    assert re.fullmatch(rf"{re.escape(public_url)}/uploads/[0-9a-f]{{32}}\.jpg", meta(html, "og:image"))
    assert meta(html, "twitter:card") == "summary_large_image"
    assert html.count("<h1") == 1


def test_donor_wall_lists_latest_paid_gifts_and_hides_anonymous_amounts(factories, session, client):
    page = factories.page(slug="donor-wall")
    now = datetime.now(UTC)
    session.add(_donation(page, 1_000, "Early Bird", paid=True, when=now - timedelta(days=2), message="Go!"))
    session.add(_donation(page, 2_500, "Secret Sam", paid=True, when=now - timedelta(days=1), anonymous=True))
    session.add(_donation(page, 7_000, "Pending Pat", paid=False))
    for n in range(10):
        session.add(_donation(page, 100 + n, f"Recent {n}", paid=True, when=now - timedelta(minutes=n)))
    session.commit()
    html = client.get("/donor-wall").get_data(as_text=True)
    wall = html.split("<h2>Donors</h2>")[1]
    assert "Recent 0" in wall and "Recent 9" in wall
    assert "Early Bird" not in wall and "Anonymous" not in wall  # only the latest 10
    assert "Pending Pat" not in html
    assert wall.index("Recent 0") < wall.index("Recent 9")


def test_anonymous_donor_shows_no_name_or_amount(factories, session, client):
    page = factories.page(slug="anon-wall")
    session.add(_donation(page, 2_500, "Secret Sam", paid=True, anonymous=True, message="Good luck"))
    session.commit()
    wall = client.get("/anon-wall").get_data(as_text=True).split("<h2>Donors</h2>")[1]
    assert "Anonymous" in wall and "Good luck" in wall
    assert "Secret Sam" not in wall and "£25.00" not in wall


def test_home_lists_open_events_and_top_pages(factories, session, client):
    cause = factories.cause()
    open_event = factories.event(causes=(cause,), name="Open Spring 10K")
    factories.event(causes=(cause,), name="Closed Winter 5K", is_open=False)
    top = factories.page(event=open_event, title="Top raiser")
    top.raised_amount = 90_000
    factories.page(event=open_event, title="Hidden draft", status="draft")
    session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "raise money for charities" in html
    assert "Open Spring 10K" in html and "Closed Winter 5K" not in html
    assert "Top raiser" in html and "Hidden draft" not in html


def test_dashboard_lists_own_pages_with_status_and_raised(factories, session, signed_in):
    runner = factories.user()
    mine = factories.page(runner=runner, title="My draft", status="draft")
    mine.raised_amount = 1_234
    factories.page(title="Someone else's page")
    session.commit()
    html = signed_in(runner).get("/me").get_data(as_text=True)
    assert "My draft" in html and "Draft" in html and "£12.34" in html
    assert f"/{mine.slug}/edit" in html and f"/{mine.slug}/publish" in html
    assert "Someone else" not in html


def _donation(
    page: PledgePage, amount: int, name: str, *, paid: bool, when=None, anonymous=False, message=""
):
    return Donation(
        page_id=page.id,
        cause_id=page.cause_id,
        event_id=page.event_id,
        currency=page.currency,
        amount=amount,
        charged_amount=amount,
        donor_name=name,
        donor_email="donor@example.test",
        is_anonymous=anonymous,
        message=message,
        status="paid" if paid else "pending",
        paid_at=(when or datetime.now(UTC)) if paid else None,
    )


def test_hidden_pages_stay_out_of_listings_but_open_by_link(factories, session, client):
    cause = factories.cause(slug="listing-cause")
    factories.page(cause=cause, slug="unlisted-page", title="Unlisted page", show_in_listings=False)
    session.commit()
    assert "Unlisted page" not in client.get("/causes/listing-cause").get_data(as_text=True)
    assert client.get("/unlisted-page").status_code == 200


def test_dashboard_links_causes_a_charity_admin_looks_after(factories, session, signed_in):
    charity_admin = factories.user()
    factories.cause(admins=(charity_admin,), slug="looked-after", name="Looked After")
    factories.cause(slug="not-mine", name="Not Mine")
    session.commit()
    html = signed_in(charity_admin).get("/me").get_data(as_text=True)
    assert "/causes/looked-after/edit" in html and "Not Mine" not in html
    assert "/causes/looked-after/dashboard" in html


def test_causes_list_links_every_cause(factories, session, client):
    factories.cause(slug="first-cause", name="First Cause")
    factories.cause(slug="second-cause", name="Second Cause", country="CA")
    session.commit()
    html = client.get("/causes").get_data(as_text=True)
    assert 'href="/causes/first-cause"' in html and 'href="/causes/second-cause"' in html


def test_uploads_are_served_with_nosniff(factories, session, signed_in, photo_file, client):
    page = factories.page(slug="photo-page")
    session.commit()
    signed_in(page.runner).post(
        "/photo-page/edit",
        data={
            "title": "T",
            "slug": "photo-page",
            "story": "",
            "target": "50",
            "photo": photo_file("PNG", "p.png"),
        },
        content_type="multipart/form-data",
    )
    session.expire_all()
    name = session.get(PledgePage, page.id).photo_path
    response = client.get(f"/uploads/{name}")
    assert response.status_code == 200 and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data[:3] == b"\xff\xd8\xff"  # re-encoded as JPEG


def test_page_without_photo_shares_a_summary_card(factories, session, client):
    factories.page(slug="no-photo")
    session.commit()
    html = client.get("/no-photo").get_data(as_text=True)
    assert meta(html, "twitter:card") == "summary"
    assert meta(html, "og:image") is None
    assert meta(html, "og:url").endswith("/no-photo")
