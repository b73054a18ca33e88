"""Password reset by an emailed link, end to end through a real SMTP server."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from fundraiser.accounts import services
from fundraiser.models import User

NEW_PASSWORD = "a-brand-new-password"
BACKOFF = services.Backoff(free=5, first=timedelta(seconds=30), longest=timedelta(hours=1))


def reset_link_from(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    (link,) = re.findall(r"https?://\S+/reset/\S+", body)
    return urlsplit(link).path


def request_reset(client, email: str):
    return client.post("/reset", data={"email": email})


def test_reset_link_arrives_by_smtp_sets_a_new_password_and_works_once(
    client, factories, session, smtp_server
):
    user = factories.user(name="Amara Okafor")
    session.commit()

    response = request_reset(client, user.email)
    assert response.status_code == 302
    (message,) = smtp_server.messages
    assert message["To"] == user.email
    assert "Reset your" in message["Subject"]
    assert "Hello Amara Okafor" in message.get_body(preferencelist=("plain",)).get_content()
    path = reset_link_from(message)

    form = client.get(path)
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer"
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    client.post("/signout")

    assert (
        client.post("/signin", data={"email": user.email, "password": factories.password}).status_code == 422
    )
    response = client.post("/signin", data={"email": user.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    client.post("/signout")

    again = client.get(path)
    assert again.status_code == 302, "a used link must not work a second time"
    assert again.headers["Location"].endswith("/reset")
    again = client.post(path, data={"password": "yet-another-password", "confirm": "yet-another-password"})
    assert again.status_code == 302
    session.expire_all()
    assert services.authenticate(session, user.email, NEW_PASSWORD, BACKOFF) is not None


def test_reset_for_an_unknown_email_gives_the_same_answer_and_sends_nothing(client, smtp_server):
    response = request_reset(client, "nobody@example.test")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/signin")
    assert smtp_server.messages == []


def test_mismatched_new_passwords_are_refused_next_to_the_field(client, factories, session):
    user = factories.user()
    session.commit()
    token = services.make_reset_token(user)
    response = client.post(f"/reset/{token}", data={"password": NEW_PASSWORD, "confirm": "something-else"})
    assert response.status_code == 422
    assert "do not match" in response.get_data(as_text=True)
    assert services.user_for_reset_token(session, token) is not None, "a failed attempt keeps the link usable"


def test_an_expired_token_is_refused(app, factories, session):
    user = factories.user()
    session.commit()
    token = services.make_reset_token(user)
    assert services.user_for_reset_token(session, token) == user
    assert services.user_for_reset_token(session, token, max_age=-1) is None


class TwoHoursAgoSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 2 * services.RESET_TOKEN_MAX_AGE


class TwoHoursAgoSerializer(URLSafeTimedSerializer):
    default_signer = TwoHoursAgoSigner


def test_a_link_signed_two_hours_ago_no_longer_opens_the_form(client, factories, session):
    user = factories.user()
    session.commit()
    old_token = services.reset_serializer(TwoHoursAgoSerializer).dumps(services.reset_token_payload(user))
    response = client.get(f"/reset/{old_token}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reset")
    response = client.post(f"/reset/{old_token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    session.expire_all()
    assert services.authenticate(session, user.email, NEW_PASSWORD, BACKOFF) is None


def test_forged_and_garbled_tokens_are_refused(client, factories, session, app):
    user = factories.user()
    session.commit()
    forged = URLSafeTimedSerializer("not-our-secret", salt=services.RESET_SALT).dumps(
        services.reset_token_payload(user)
    )
    wrong_payload = services.reset_serializer().dumps({"user": "1", "pw": "x"})
    for token in (forged, wrong_payload, "garbage", "a" * 5000):
        response = client.get(f"/reset/{token}")
        assert response.status_code == 302, token
    assert client.get("/reset/%00").status_code == 404


def test_the_token_carries_no_part_of_the_password_hash(factories, session):
    user = factories.user()
    token = services.make_reset_token(user)
    payload = services.reset_serializer().loads(token)
    assert set(payload) == {"user", "pw"}
    assert payload["pw"] not in user.password_hash


def test_without_a_mail_server_the_email_is_printed_to_the_console(client, factories, session, app, capfd):
    assert not app.config["MAIL_SERVER"]
    user = factories.user()
    session.commit()
    assert request_reset(client, user.email).status_code == 302
    printed = capfd.readouterr()
    output = printed.out + printed.err
    assert f"To: {user.email}" in output
    assert "/reset/" in output


def test_a_mail_server_that_refuses_does_not_break_the_request(client, factories, session, smtp_server):
    smtp_server.refuse = True
    user = factories.user()
    session.commit()
    response = request_reset(client, user.email)
    assert response.status_code == 302
    assert smtp_server.messages == []
    assert session.get(User, user.id) is not None


def test_changing_the_password_signs_out_every_other_session(app, factories, session):
    from tests.world import client_for

    user = factories.user()
    session.commit()
    with app.app_context():
        laptop = client_for(app, user)
        assert laptop.get("/me").status_code == 200
    with app.app_context():
        phone = app.test_client()
        token = services.make_reset_token(user)
        response = phone.post(f"/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 302
        assert phone.get("/me").status_code == 200, "the session that reset the password stays in"
    with app.app_context():
        response = laptop.get("/me")
        assert response.status_code == 302 and "/signin" in response.headers["Location"]


def test_a_session_cookie_naming_an_unknown_or_garbled_user_is_anonymous(app, factories, session):
    user = factories.user()
    session.commit()
    for session_id in (f"{user.id}:wrong", "99999999999:x", "abc", "", f"{user.id}", "١:x"):
        with app.app_context():
            client = app.test_client()
            with client.session_transaction() as cookie:
                cookie["_user_id"] = session_id
            assert client.get("/me").status_code == 302, session_id


def test_the_emailed_link_is_on_public_url_whatever_host_the_request_named(
    app, client, factories, session, smtp_server
):
    user = factories.user()
    session.commit()
    client.post("/reset", data={"email": user.email}, headers={"Host": "evil.test"})
    (message,) = smtp_server.messages
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "evil.test" not in body
    assert f"{app.config['PUBLIC_URL'].rstrip('/')}/reset/" in body
