"""The proof-of-work challenge a donate form asks for when card testing is suspected: ALTCHA,
self-hosted (the `altcha` package here, its widget vendored in static/vendor/altcha/). No
third party sees the donor; the donor's browser spends a second or so of work, which costs a
tester running thousands of cards far more than it costs one person giving once.

A challenge is signed with ALTCHA_HMAC_KEY (derived from SECRET_KEY when unset), expires
after CHALLENGE_EXPIRY_MINUTES, and each solution is taken once (remembered in the
card-testing limits' storage until it would have expired anyway).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import altcha
from flask import current_app
from limits import RateLimitItemPerMinute

from fundraiser.donations import card_testing

ALGORITHM = "PBKDF2/SHA-256"
# Longer than any payload the widget makes (about 700 characters); longer ones are refused
# before they are decoded.
MAX_PAYLOAD_CHARS = 4000


def hmac_key() -> str:
    config = current_app.config
    if config.get("ALTCHA_HMAC_KEY"):
        return config["ALTCHA_HMAC_KEY"]
    return hmac.new(config["SECRET_KEY"].encode(), b"altcha challenge key", hashlib.sha256).hexdigest()


def new_challenge() -> str:
    """A fresh challenge, as the JSON the widget's `challenge` attribute takes."""
    config = current_app.config
    challenge = altcha.create_challenge(
        ALGORITHM,
        config["CHALLENGE_COST"],
        expires_at=int(time.time()) + 60 * config["CHALLENGE_EXPIRY_MINUTES"],
        hmac_secret=hmac_key(),
    )
    return json.dumps(challenge.to_dict())


def solution_accepted(payload: str | None) -> bool:
    """A real solution of a challenge we signed, not expired, and not used before."""
    if not payload or len(payload) > MAX_PAYLOAD_CHARS:
        return False
    result = altcha.verify_solution(payload, hmac_key())
    if not result.verified:
        return False
    signature = altcha.Payload.from_base64(payload).challenge.signature or ""
    once = RateLimitItemPerMinute(1, multiples=current_app.config["CHALLENGE_EXPIRY_MINUTES"])
    return card_testing.take_once(once, "altcha-solution", signature)
