"""Two-factor sign-in: a TOTP authenticator app (RFC 6238, through pyotp) and one-time
recovery codes. Charity admins may turn it on; platform admins must (accounts.views sends
them to set it up before anything else)."""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import UTC, datetime

import pyotp
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from fundraiser.models import RecoveryCode, User

RECOVERY_CODE_COUNT = 10
# 10 characters of base32: 50 random bits each.
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def needs_two_factor(user: User) -> bool:
    """Platform admins may do nothing else until their authenticator is set up."""
    return user.is_platform_admin and not user.has_two_factor


def may_use_two_factor(user: User) -> bool:
    return user.is_platform_admin or bool(user.administered_cause_ids)


def start_enrolment(user: User) -> str:
    """A secret for the person's app, kept on the account until a code confirms it (the
    same one again if they reload the set-up page)."""
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def provisioning_uri(user: User, platform_name: str) -> str:
    return pyotp.TOTP(start_enrolment(user)).provisioning_uri(name=user.email, issuer_name=platform_name)


def qr_svg(uri: str) -> str:
    """The set-up QR code as inline SVG (no image request, no third-party service)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True, title="Set-up code")
    return out.getvalue().decode()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def totp_matches(user: User, code: str) -> bool:
    """The app's current code, or the one just before or after (clocks drift)."""
    code = _normalise(code)
    return bool(
        user.totp_secret and code.isdigit() and pyotp.TOTP(user.totp_secret).verify(code, valid_window=1)
    )


def confirm_enrolment(session: Session, user: User, code: str) -> list[str] | None:
    """Turn two-factor on when `code` comes from the app; returns the new recovery codes
    (shown once, kept only as hashes), or None for a wrong code. Flushes; the caller commits."""
    if user.totp_secret is None or not totp_matches(user, code):
        return None
    user.totp_enabled_at = datetime.now(UTC)
    return new_recovery_codes(session, user)


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the account's recovery codes with fresh ones."""
    user.recovery_codes.clear()
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)
    ]
    user.recovery_codes.extend(RecoveryCode(code_hash=_hash(code)) for code in codes)
    session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def check_second_factor(session: Session, user: User, code: str) -> bool:
    """A code from the app, or an unused recovery code (which is then used up)."""
    if totp_matches(user, code):
        return True
    found = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return False
    found.used_at = datetime.now(UTC)
    return True
