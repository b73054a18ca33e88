"""Common and guessable passwords are refused with the reason (NIST SP 800-63B 5.1.1.2:
"compare the prospective secrets against a list that contains values known to be commonly
used"), and wrong passwords slow down one account whatever the address they come from
(SP 800-63B 5.2.2, rate limiting; OWASP ASVS 4.0 V2.2.1), until a password reset."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fundraiser.accounts import services
from fundraiser.accounts.passwords import common_passwords
from fundraiser.models import User


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("1234567890", "one of the most common passwords"),
        ("q1w2e3r4t5", "one of the most common passwords"),
        ("Password123!", "easy to guess"),
        ("liverpool1234", "easy to guess"),
        ("qwertyuiop12", "easy to guess"),
        ("amaraokafor1", "easy to guess"),
    ],
)
def test_sign_up_refuses_a_common_or_guessable_password_and_says_why(client, session, password, reason):
    response = client.post(
        "/signup", data={"name": "Amara Okafor", "email": "amara@example.com", "password": password}
    )
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_the_bundled_list_holds_the_most_common_passwords():
    listed = common_passwords()
    assert len(listed) == 10_000
    assert {"123456", "password", "qwerty", "1234567890", "q1w2e3r4t5"} <= listed


def test_a_password_reset_refuses_a_common_password_too(client, factories, session):
    user = factories.user()
    session.commit()
    token = services.make_reset_token(user)
    response = client.post(f"/reset/{token}", data={"password": "1234567890", "confirm": "1234567890"})
    assert response.status_code == 422
    assert "one of the most common passwords" in response.get_data(as_text=True)


def sign_in(client, email: str, password: str):
    return client.post("/signin", data={"email": email, "password": password})


def test_wrong_passwords_back_off_one_account_from_any_address(new_client, factories, session, app):
    """Five wrong passwords are free; then 30 s, doubling with each one. Each attempt comes
    from a new client, as from another address, so only the per-account limit can stop them."""
    user = factories.user()
    session.commit()
    for attempt in range(app.config["SIGNIN_ACCOUNT_FREE_ATTEMPTS"] - 1):
        assert sign_in(new_client(), user.email, f"wrong-{attempt}").status_code == 422
    assert sign_in(new_client(), user.email, "wrong-fifth").status_code == 422
    session.expire_all()
    waits = [session.get(User, user.id).signin_blocked_until]
    blocked = sign_in(new_client(), user.email, factories.password)
    assert blocked.status_code == 429, "while blocked, even the right password is not tried"
    assert "Try again in 1 minute" in blocked.get_data(as_text=True)

    for _ in range(2):
        account = session.get(User, user.id)
        account.signin_blocked_until = None  # as if the wait had passed
        session.commit()
        assert sign_in(new_client(), user.email, "wrong-again").status_code == 422
        session.expire_all()
        waits.append(session.get(User, user.id).signin_blocked_until)
    account = session.get(User, user.id)
    assert account.failed_signins == 7
    assert "Try again in 2 minutes" in sign_in(new_client(), user.email, "x").get_data(as_text=True)


def test_backoff_doubles_up_to_its_ceiling():
    from datetime import timedelta

    backoff = services.Backoff(free=5, first=timedelta(seconds=30), longest=timedelta(hours=1))
    assert [backoff.wait_after(n) for n in (4, 5, 6, 7)] == [
        None,
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
    ]
    assert backoff.wait_after(12) == timedelta(hours=1)
    assert backoff.wait_after(10_000) == timedelta(hours=1)


def test_a_password_reset_lifts_the_block(new_client, factories, session, app):
    user = factories.user()
    session.commit()
    for attempt in range(app.config["SIGNIN_ACCOUNT_FREE_ATTEMPTS"]):
        sign_in(new_client(), user.email, f"wrong-{attempt}")
    assert sign_in(new_client(), user.email, factories.password).status_code == 429
    token = services.make_reset_token(session.get(User, user.id))
    new_password = "a-brand-new-password"
    reset = new_client().post(f"/reset/{token}", data={"password": new_password, "confirm": new_password})
    assert reset.status_code == 302
    assert sign_in(new_client(), user.email, new_password).status_code == 302


def test_a_right_password_before_the_limit_clears_the_count(new_client, factories, session):
    user = factories.user()
    session.commit()
    for attempt in range(4):
        sign_in(new_client(), user.email, f"wrong-{attempt}")
    assert sign_in(new_client(), user.email, factories.password).status_code == 302
    session.expire_all()
    assert session.get(User, user.id).failed_signins == 0
