"""The one rule for an account's email address, for sign-up and `flask create-admin` alike:
valid syntax, and a domain that can receive mail. Special-use names (RFC 6761 and
email-validator's list: .test, .localhost, .invalid, .local, .onion, .arpa) cannot, so an
account there could never confirm its address or reset its password. No DNS look-up: the
confirmation email is the deliverability check."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from wtforms import Field, Form, ValidationError

ASK = "Enter an email address like name@example.com."


def address_problem(address: str) -> str | None:
    """Why `address` cannot be an account's email, in words; None when it can."""
    try:
        validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return None


def account_address(form: Form, field: Field) -> None:
    """WTForms validator applying the rule."""
    if field.data and address_problem(field.data) is not None:
        raise ValidationError(f"{ASK} {address_problem(field.data)}")
