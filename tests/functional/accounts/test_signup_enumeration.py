"""Sign-up does not tell who has an account (issue 14; OWASP ASVS 4.0 V2.2, the "account
enumeration" note of the OWASP Authentication Cheat Sheet): an address that has one gets the
same answer as a new one, and its owner gets an email instead."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from fundraiser.models import User

FLASH = re.compile(r'<div class="alert[^"]*" role="status">(.*?)</div>', re.S)


def answer(client, email: str, name: str = "Second Person"):
    response = client.post("/signup", data={"name": name, "email": email, "password": "long-enough-pw"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.headers["Location"], FLASH.findall(page)


def test_a_taken_address_gets_the_same_answer_and_its_owner_an_email(
    new_client, factories, session, smtp_server
):
    owner = factories.user(email="taken@example.com", name="Tara Taken")
    session.commit()
    taken = answer(new_client(), "TAKEN@example.com")
    fresh = answer(new_client(), "fresh@example.com")
    assert taken == (302, "/signin?next=/pages/new", [fresh[2][0].replace("fresh@", "taken@")])
    assert fresh[0] == 302 and "fresh@example.com" in fresh[2][0]

    assert session.scalar(select(func.count()).select_from(User)) == 2, "nothing made for taken@"
    session.expire_all()
    assert session.get(User, owner.id).name == "Tara Taken"
    to_owner, to_new = smtp_server.messages
    assert to_owner["To"] == "taken@example.com"
    assert "already have" in to_owner["Subject"]
    body = to_owner.get_body(preferencelist=("plain",)).get_content()
    assert "/signin" in body and "/reset" in body
    assert to_new["To"] == "fresh@example.com" and "Confirm" in to_new["Subject"]


def test_sign_up_is_rate_limited(app_with):
    limited = app_with(RATELIMIT_ENABLED=True, SIGNUP_RATE_LIMIT="2/hour")
    client = limited.test_client()
    data = {"name": "Sam", "password": "long-enough-pw"}
    for number in range(2):
        assert client.post("/signup", data={**data, "email": f"sam{number}@example.com"}).status_code == 302
    assert client.post("/signup", data={**data, "email": "sam9@example.com"}).status_code == 429
