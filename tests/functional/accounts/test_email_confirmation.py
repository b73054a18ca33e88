"""Proving an email address is yours: a link sent through SMTP at sign-up."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from fundraiser.accounts import services
from fundraiser.models import User

NOTICE = "Please confirm your email address"


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    (link,) = re.findall(r"https?://\S+/confirm/\S+", body)
    return urlsplit(link).path


def test_sign_up_emails_a_link_that_confirms_the_address(client, session, smtp_server):
    response = client.post(
        "/signup", data={"name": "Amara Okafor", "email": "amara@example.com", "password": "long-enough-pw"}
    )
    assert response.status_code == 302
    (message,) = smtp_server.messages
    assert message["To"] == "amara@example.com"
    assert "Confirm your email" in message["Subject"]
    signed_in = client.post("/signin", data={"email": "amara@example.com", "password": "long-enough-pw"})
    assert signed_in.status_code == 302
    assert NOTICE in client.get("/me").get_data(as_text=True)

    response = client.get(link_in(message))
    assert response.status_code == 302
    assert services.find_user_by_email(session, "amara@example.com").email_confirmed_at is not None
    page = client.get("/me").get_data(as_text=True)
    assert "amara@example.com is confirmed" in page
    assert NOTICE not in page
    assert client.get(link_in(message)).status_code == 302, "opening the link again is harmless"


class LastMonthSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 30 * 24 * 60 * 60


class LastMonthSerializer(URLSafeTimedSerializer):
    default_signer = LastMonthSigner


def test_old_forged_or_mismatched_links_confirm_nothing(client, factories, session):
    user = factories.user()
    session.commit()
    old = services.confirm_serializer(LastMonthSerializer).dumps({"user": user.id, "email": user.email})
    forged = URLSafeTimedSerializer("not-our-secret", salt=services.CONFIRM_SALT).dumps(
        {"user": user.id, "email": user.email}
    )
    other_address = services.confirm_serializer().dumps({"user": user.id, "email": "else@example.com"})
    for token in (old, forged, other_address, "garbage"):
        assert client.get(f"/confirm/{token}").status_code == 302
    session.expire_all()
    assert session.get(User, user.id).email_confirmed_at is None
    assert services.confirm_email(session, services.make_confirm_token(user), max_age=-1) is None


def test_a_signed_in_person_can_ask_for_the_link_again(signed_in, factories, session, smtp_server):
    user = factories.user()
    session.commit()
    client = signed_in(user)
    response = client.post("/confirm/again", data={"next": "/events"})
    assert response.status_code == 302 and response.headers["Location"] == "/events"
    (message,) = smtp_server.messages
    assert message["To"] == user.email
    client.get(link_in(message))
    session.expire_all()
    assert session.get(User, user.id).email_confirmed_at is not None


def test_asking_again_needs_a_signed_in_person(client, smtp_server):
    response = client.post("/confirm/again")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert smtp_server.messages == []


def test_a_password_reset_link_also_proves_the_address(client, factories, session):
    user = factories.user()
    session.commit()
    token = services.make_reset_token(user)
    client.post(
        f"/reset/{token}", data={"password": "a-brand-new-password", "confirm": "a-brand-new-password"}
    )
    session.expire_all()
    assert session.get(User, user.id).email_confirmed_at is not None


def test_confirming_through_accounts_shows_receipts_of_gifts_made_as_a_guest(app, factories, session):
    from tests.world import build_world, request_as

    world = build_world(app, factories)
    guest = factories.user(email="guest@example.com")
    world.receipt.donor_email = "guest@example.com"
    world.receipt.donor_user_id = None
    session.commit()
    number = world.receipt.display_number
    assert number not in request_as(app, guest, "/me/receipts").get_data(as_text=True)
    request_as(app, guest, f"/confirm/{services.make_confirm_token(guest)}")
    session.expire_all()
    assert number in request_as(app, session.get(User, guest.id), "/me/receipts").get_data(as_text=True)
