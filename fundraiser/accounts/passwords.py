"""Which passwords we refuse: too short, one of the most common, or easy to guess.

The strength estimate is zxcvbn's (Dropbox's estimator, kept on PyPI); the list of common
passwords ships beside this module (common_passwords.txt says where it came from), so a
password from it is refused by name even where zxcvbn would score its variations."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# zxcvbn's scores run 0 (guessed at once) to 4; 3 is "safely unguessable: moderate protection
# from an offline attack" (about 10^10 guesses).
MIN_STRENGTH_SCORE = 3
# zxcvbn refuses more than 72 characters; the first 72 are the part worth estimating.
_ESTIMATED_LENGTH = 72
_COMMON_LIST = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _personal_words(personal: tuple[str, ...]) -> list[str]:
    """zxcvbn matches each input whole: "Amara Okafor" as "amara", "okafor" and "amaraokafor",
    an email by its part before the @ likewise."""
    found: list[str] = []
    for value in personal:
        words = [word for word in re.split(r"[\W_]+", value.lower().split("@")[0]) if len(word) > 2]
        found += [*words, "".join(words)]
    return found


def password_problem(password: str, *, personal: tuple[str, ...] = ()) -> str | None:
    """Why `password` would be easy to guess, in words a person can act on; None when it is fine.
    `personal` holds the person's name and email, which zxcvbn also tries."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if password.lower() in common_passwords():
        return "That is one of the most common passwords: choose another."
    estimate = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=_personal_words(personal))
    if estimate["score"] >= MIN_STRENGTH_SCORE:
        return None
    feedback = estimate["feedback"]
    advice = " ".join([feedback.get("warning") or "", *feedback.get("suggestions", [])]).strip()
    return f"That password would be easy to guess. {advice or 'Add another word or two.'}".strip()
