"""With CSRF on, as in production: the donate form and the card step's JSON call both need
the token the page carries."""

from __future__ import annotations

import re

from tests.functional.donations.conftest import attempt_token

STRIPE_SETTINGS = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_API_BASE", "STRIPE_JS_URL")


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    assert match, "the page carries a CSRF token"
    return match.group(1)


def test_the_form_and_the_pay_call_need_the_csrf_token(
    factories, session, app, variant_app, localstripe, donations
):
    page = factories.page()
    session.commit()
    client = variant_app(
        WTF_CSRF_ENABLED=True, **{key: app.config[key] for key in STRIPE_SETTINGS}
    ).test_client()
    html = client.get(f"/{page.slug}/donate").get_data(as_text=True)
    form = {
        "attempt": attempt_token(html),
        "amount_choice": "2500",
        "donor_name": "Ada Donor",
        "donor_email": "ada@example.test",
        "visibility": "named",
    }

    forged = client.post(f"/{page.slug}/donate", data=form)
    assert forged.status_code == 400
    assert "CSRF" in forged.get_data(as_text=True)
    assert donations() == []

    pay_step = client.post(f"/{page.slug}/donate", data={**form, "csrf_token": csrf_token(html)})
    assert pay_step.status_code == 200
    (donation,) = donations()
    url = f"/donations/{donation.public_id}/pay"
    card = {"payment_method": localstripe.payment_method("visa")}

    assert client.post(url, json=card).status_code == 400
    paid = client.post(url, json=card, headers={"X-CSRFToken": csrf_token(pay_step.get_data(as_text=True))})
    assert (paid.status_code, paid.get_json()["status"]) == (200, "succeeded")
