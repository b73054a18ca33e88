"""Forms for signing up, signing in, password reset and the admin role toggles."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, ValidationError

from fundraiser.accounts.addresses import account_address
from fundraiser.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from fundraiser.accounts.services import GRANTABLE_ROLES
from fundraiser.forms import BaseForm

# Control characters (BaseForm already drops NUL): none belongs in a name, email or password.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(form: FlaskForm, field) -> None:
    if field.data and _CONTROL.search(field.data):
        raise ValidationError("Remove the invisible control characters from this field.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _password_field(label: str) -> PasswordField:
    """A new password: password managers offer to generate one."""
    return PasswordField(
        label,
        render_kw={"autocomplete": "new-password"},
        validators=[
            DataRequired("Enter a password."),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Use {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
            ),
            printable,
        ],
    )


def _email_field() -> EmailField:
    return EmailField(
        "Email",
        filters=[_strip],
        render_kw={"autocomplete": "email"},
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254),
            printable,
            account_address,
        ],
    )


class SignUpForm(BaseForm):
    name = StringField(
        "Your name",
        filters=[_strip],
        render_kw={"autocomplete": "name"},
        validators=[DataRequired("Enter your name."), Length(max=120), printable],
    )
    email = _email_field()
    password = _password_field(f"Password (at least {MIN_PASSWORD_LENGTH} characters)")


class SignInForm(BaseForm):
    email = EmailField(
        "Email",
        filters=[_strip],
        render_kw={"autocomplete": "username"},
        validators=[DataRequired("Enter your email address."), Length(max=254), printable],
    )
    password = PasswordField(
        "Password",
        render_kw={"autocomplete": "current-password"},
        validators=[DataRequired("Enter your password."), Length(max=200), printable],
    )
    keep = BooleanField("Keep me signed in on this device for 14 days")


class CodeForm(BaseForm):
    """A six-digit code from an authenticator app, or a recovery code."""

    code = StringField(
        "Code",
        filters=[_strip],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "characters"},
        validators=[DataRequired("Enter the code."), Length(max=20), printable],
    )


class ResetRequestForm(BaseForm):
    """Only looks an address up, so any text is allowed through to the same answer."""

    email = EmailField(
        "Email",
        filters=[_strip],
        render_kw={"autocomplete": "email"},
        validators=[DataRequired("Enter your email address."), Length(max=254), printable],
    )


class ResetPasswordForm(BaseForm):
    password = _password_field(f"New password (at least {MIN_PASSWORD_LENGTH} characters)")
    confirm = PasswordField(
        "Repeat the new password",
        render_kw={"autocomplete": "new-password"},
        validators=[
            DataRequired("Repeat the new password."),
            EqualTo("password", "The passwords do not match."),
        ],
    )


class RoleForm(BaseForm):
    """One role toggle on the admin list: a button that grants or revokes it."""

    role = HiddenField(validators=[AnyOf(list(GRANTABLE_ROLES), "Choose a role that exists.")])
    granted = HiddenField(validators=[AnyOf(["yes", "no"], "Choose grant or revoke.")])
