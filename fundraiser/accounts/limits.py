"""Rate limits counted per signed-in account rather than per address: one account cannot
write pages, updates, teams and photos (uploaded with the page forms) faster than
ACCOUNT_WRITE_RATE_LIMIT, however many addresses it comes from (issue 14)."""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from fundraiser.extensions import limiter


def account_key() -> str:
    """The signed-in account, or the address for anyone else (who is sent to sign in)."""
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return get_remote_address()


# One budget shared by every write it decorates, POSTs only (the forms themselves are free).
account_writes = limiter.shared_limit(
    lambda: current_app.config["ACCOUNT_WRITE_RATE_LIMIT"],
    scope="account-writes",
    key_func=account_key,
    methods=["POST"],
)
