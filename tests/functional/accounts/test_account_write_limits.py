"""Page, update, team and photo writes are limited per account, whatever the address they
come from (issue 14): one budget shared by all of them."""

from __future__ import annotations


def sign_in(client, user, password: str) -> None:
    assert client.post("/signin", data={"email": user.email, "password": password}).status_code == 302


def test_one_account_shares_one_write_budget_across_addresses_and_forms(app_with, factories, session):
    runner = factories.user()
    other = factories.user()
    page = factories.page(runner=runner, slug="busy-runner")
    other_page = factories.page(runner=other, slug="calm-runner")
    session.commit()
    limited = app_with(RATELIMIT_ENABLED=True, ACCOUNT_WRITE_RATE_LIMIT="3/minute")
    client = limited.test_client()
    sign_in(client, runner, factories.password)

    statuses = [
        client.post(
            f"/{page.slug}/updates", data={"body": "Week 1"}, environ_base={"REMOTE_ADDR": "203.0.113.1"}
        ),
        client.post(
            f"/{page.slug}/updates", data={"body": "Week 2"}, environ_base={"REMOTE_ADDR": "203.0.113.2"}
        ),
        client.post("/teams/new", data={"name": "Striders"}, environ_base={"REMOTE_ADDR": "203.0.113.3"}),
        client.post(
            f"/{page.slug}/updates", data={"body": "Week 3"}, environ_base={"REMOTE_ADDR": "203.0.113.4"}
        ),
        client.post(f"/{page.slug}/edit", data={"title": "x"}, environ_base={"REMOTE_ADDR": "203.0.113.5"}),
    ]
    assert [response.status_code for response in statuses][3:] == [429, 429]
    assert all(response.status_code != 429 for response in statuses[:3])
    assert client.get(f"/{page.slug}/edit").status_code == 200, "only writes are limited"

    someone_else = limited.test_client()
    sign_in(someone_else, other, factories.password)
    assert someone_else.post(f"/{other_page.slug}/updates", data={"body": "Hi"}).status_code == 302
