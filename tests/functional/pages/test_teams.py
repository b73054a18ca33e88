from sqlalchemy import select

from fundraiser.models import PledgePage, Team


def test_runner_creates_a_team_and_joins_with_their_page(factories, session, signed_in, new_client):
    runner = factories.user()
    page = factories.page(runner=runner, title="My GBP page")
    session.commit()
    client = signed_in(runner)
    assert client.get("/teams/new").status_code == 200
    response = client.post(
        "/teams/new",
        data={
            "name": "Leeds Harriers",
            "slug": "leeds-harriers",
            "description": "Club",
            "target": "2000",
            "currency": "GBP",
        },
    )
    assert response.status_code == 302
    team = session.scalar(select(Team).where(Team.slug == "leeds-harriers"))
    assert (team.captain_id, team.target_amount) == (runner.id, 200_000)

    team_html = client.get("/teams/leeds-harriers").get_data(as_text=True)
    assert "My GBP page" in team_html and "Join the team" in team_html
    assert client.post("/teams/leeds-harriers/join", data={"page_id": str(page.id)}).status_code == 302
    session.expire_all()
    assert session.get(PledgePage, page.id).team_id == team.id

    assert client.post("/teams/leeds-harriers/leave", data={"page_id": str(page.id)}).status_code == 302
    session.expire_all()
    assert session.get(PledgePage, page.id).team_id is None


def test_team_total_is_the_sum_of_member_pages_in_its_currency(factories, session, client):
    team = factories.team(slug="summing-team", target_amount=100_000, currency="GBP")
    for raised in (1_000, 2_500):
        page = factories.page(team=team)
        page.raised_amount = raised
    stranger = factories.page()
    stranger.raised_amount = 99_999
    session.commit()
    html = client.get("/teams/summing-team").get_data(as_text=True)
    assert "£35.00" in html and 'max="100" value="3"' in html
    assert "£1,000 target" in html


def test_page_in_another_currency_cannot_join(factories, session, signed_in):
    runner = factories.user()
    us_cause = factories.cause(country="US")
    page = factories.page(runner=runner, cause=us_cause)
    factories.team(slug="pounds-team", currency="GBP")
    session.commit()
    response = signed_in(runner).post("/teams/pounds-team/join", data={"page_id": str(page.id)})
    assert response.status_code == 422
    assert "raises in GBP" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(PledgePage, page.id).team_id is None


def test_runner_cannot_add_someone_elses_page(factories, session, signed_in):
    other_page = factories.page()
    team = factories.team(slug="no-stealing")
    runner = factories.user()
    session.commit()
    client = signed_in(runner)
    assert client.post("/teams/no-stealing/join", data={"page_id": str(other_page.id)}).status_code == 403
    for junk in ("", "abc", "999999"):
        assert client.post("/teams/no-stealing/join", data={"page_id": junk}).status_code == 422
    other_page.team_id = team.id
    session.commit()
    assert client.post("/teams/no-stealing/leave", data={"page_id": str(other_page.id)}).status_code == 403
    session.expire_all()
    assert session.get(PledgePage, other_page.id).team_id == team.id


def test_captain_edits_the_team_and_others_cannot(factories, session, signed_in, new_client):
    captain = factories.user()
    factories.team(slug="captained", captain=captain, currency="GBP")
    stranger = factories.user()
    session.commit()
    client = signed_in(captain)
    assert 'value="2000"' in client.get("/teams/captained/edit").get_data(as_text=True)
    bad = client.post("/teams/captained/edit", data={"name": "New", "slug": "captained", "target": "zero"})
    assert bad.status_code == 422 and 'value="zero"' in bad.get_data(as_text=True)
    ok = client.post(
        "/teams/captained/edit",
        data={"name": "Renamed", "slug": "renamed-team", "description": "", "target": "3000"},
    )
    assert ok.status_code == 302
    team = session.scalar(select(Team).where(Team.slug == "renamed-team"))
    assert (team.name, team.target_amount, team.currency) == ("Renamed", 300_000, "GBP")

    other = new_client()
    other.post("/signin", data={"email": stranger.email, "password": factories.password})
    assert other.get("/teams/renamed-team/edit").status_code == 403
    assert (
        other.post(
            "/teams/renamed-team/edit", data={"name": "Hijack", "slug": "renamed-team", "target": "1"}
        ).status_code
        == 403
    )


def test_captain_can_remove_a_member_page(factories, session, signed_in):
    captain = factories.user()
    team = factories.team(slug="tidy-team", captain=captain)
    member_page = factories.page(team=team)
    session.commit()
    assert (
        signed_in(captain).post("/teams/tidy-team/leave", data={"page_id": str(member_page.id)}).status_code
        == 302
    )
    session.expire_all()
    assert session.get(PledgePage, member_page.id).team_id is None


def test_team_slug_rules_apply(factories, session, signed_in):
    runner = factories.user()
    factories.team(slug="taken-team")
    session.commit()
    client = signed_in(runner)
    for slug, message in (
        ("teams", "used by the site"),
        ("taken-team", "is taken"),
        ("x", "between 3 and 60"),
    ):
        response = client.post(
            "/teams/new", data={"name": "T", "slug": slug, "target": "10", "currency": "GBP"}
        )
        assert response.status_code == 422 and message in response.get_data(as_text=True)
