"""The platform admin area: a list of people with role toggles, for platform admins only."""

from __future__ import annotations

import pyotp
import pytest

from fundraiser.models import User


@pytest.fixture
def people(factories, session):
    admin = factories.user(name="Ada Admin", is_platform_admin=True)
    runner = factories.user(name="Rita Runner")
    session.commit()
    return admin, runner


def grant(client, user: User, role: str, granted: bool = True):
    return client.post(
        f"/admin/users/{user.id}/roles", data={"role": role, "granted": "yes" if granted else "no"}
    )


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    _, runner = people
    response = client.get("/admin")
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]
    assert grant(client, runner, "event_organiser").status_code == 302


def test_runners_organisers_and_charity_admins_get_403(signed_in, factories, session, people):
    _, runner = people
    organiser = factories.user(is_event_organiser=True)
    charity_admin = factories.user()
    factories.cause(admins=(charity_admin,))
    session.commit()
    for person in (runner, organiser, charity_admin):
        client = signed_in(person)
        assert client.get("/admin").status_code == 403
        assert grant(client, runner, "platform_admin").status_code == 403
    session.expire_all()
    assert not session.get(User, runner.id).is_platform_admin


def test_a_platform_admin_sees_everyone_and_can_search(signed_in, people):
    admin, runner = people
    client = signed_in(admin)
    html = client.get("/admin").get_data(as_text=True)
    assert "Ada Admin" in html and "Rita Runner" in html
    assert html.count("<h1>") == 1
    html = client.get("/admin?q=rita").get_data(as_text=True)
    assert "Rita Runner" in html and "Ada Admin" not in html


def test_a_platform_admin_grants_and_revokes_roles(signed_in, session, people):
    admin, runner = people
    client = signed_in(admin)

    response = grant(client, runner, "event_organiser")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, runner.id).is_event_organiser
    assert "Rita Runner is now event organiser" in client.get("/admin").get_data(as_text=True)

    grant(client, runner, "platform_admin")
    session.expire_all()
    assert session.get(User, runner.id).is_platform_admin

    grant(client, runner, "event_organiser", granted=False)
    grant(client, runner, "platform_admin", granted=False)
    session.expire_all()
    runner = session.get(User, runner.id)
    assert not runner.is_event_organiser and not runner.is_platform_admin


def test_a_new_organiser_can_reach_the_admin_area_only_once_made_platform_admin(signed_in, session, people):
    admin, runner = people
    grant(signed_in(admin), runner, "platform_admin")
    client = signed_in(runner)
    response = client.get("/admin")
    assert response.status_code == 302, "a new platform admin sets up two-factor sign-in first"
    assert response.headers["Location"] == "/account/two-factor"
    client.get("/account/two-factor")
    session.expire_all()
    code = pyotp.TOTP(session.get(User, runner.id).totp_secret).now()
    assert client.post("/account/two-factor", data={"code": code}).status_code == 200
    assert client.get("/admin").status_code == 200


def test_an_admin_cannot_remove_their_own_platform_admin_role(signed_in, session, people):
    admin, _ = people
    client = signed_in(admin)
    response = grant(client, admin, "platform_admin", granted=False)
    assert response.status_code == 422
    assert "cannot remove your own" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, admin.id).is_platform_admin


@pytest.mark.parametrize(
    "data",
    [{}, {"role": "superuser", "granted": "yes"}, {"role": "platform_admin", "granted": "maybe"}],
)
def test_unknown_roles_and_values_are_refused(signed_in, session, people, data):
    admin, runner = people
    response = signed_in(admin).post(f"/admin/users/{runner.id}/roles", data=data)
    assert response.status_code == 422
    session.expire_all()
    assert not session.get(User, runner.id).is_platform_admin


def test_an_unknown_person_is_404(signed_in, people):
    admin, _ = people
    response = signed_in(admin).post(
        "/admin/users/999999/roles", data={"role": "platform_admin", "granted": "yes"}
    )
    assert response.status_code == 404


def test_role_changes_need_the_csrf_token(app_with, factories, session, people):
    admin, runner = people
    protected = app_with(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    page = client.get("/signin").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/signin", data={"email": admin.email, "password": factories.password, "csrf_token": token})
    code = pyotp.TOTP(admin.totp_secret).now()
    code_page = client.get("/signin/code").get_data(as_text=True)
    token = code_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/signin/code", data={"code": code, "csrf_token": token})
    admin_page = client.get("/admin")
    assert admin_page.status_code == 200
    # Signing in starts a fresh session, and with it a new CSRF token.
    token = admin_page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]

    assert grant(client, runner, "event_organiser").status_code == 400
    response = client.post(
        f"/admin/users/{runner.id}/roles",
        data={"role": "event_organiser", "granted": "yes", "csrf_token": token},
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, runner.id).is_event_organiser


def test_only_platform_admins_see_the_admin_link(signed_in, people):
    admin, runner = people
    assert 'href="/admin"' not in signed_in(runner).get("/").get_data(as_text=True)
    assert 'href="/admin"' in signed_in(admin).get("/").get_data(as_text=True)


def test_search_takes_percent_and_underscore_literally(signed_in, factories, session, people):
    admin, _ = people
    factories.user(name="Per_cent 100%", email="per_cent@example.com")
    session.commit()
    client = signed_in(admin)
    found = client.get("/admin?q=_").get_data(as_text=True)
    assert "Per_cent 100%" in found and "Rita Runner" not in found
    everyone = client.get("/admin?q=%25").get_data(as_text=True)
    assert "Per_cent 100%" in everyone and "Rita Runner" not in everyone
