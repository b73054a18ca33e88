"""What the donations services raise, and the one test of typed text they all apply."""

from __future__ import annotations

import re

# NUL and other control characters: PostgreSQL refuses NUL in text, and none belongs in a name.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTERS_MESSAGE = "Remove the invisible control characters from this field."


class InvalidDonation(Exception):
    """One or more fields break a rule: `errors` maps field name to a message for a person."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


class IllegalTransition(Exception):
    """The donation is not in a state that allows this change."""
