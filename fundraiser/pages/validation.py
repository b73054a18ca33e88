"""What the pages services share: the errors they raise (a view turns them into form errors
or a 403) and the checks of amounts and slugs."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fundraiser.money import MoneyError, parse_amount
from fundraiser.pages.slugs import SlugError, slug_taken, unique_slug, validate_slug


class InvalidInput(Exception):
    """One or more fields break a rule: `errors` maps field name to a message for a person."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


class NotYours(Exception):
    """The signed-in person may not use this object for this action (a 403)."""


def money_field(text: str | None, currency: str, name: str, errors: dict[str, str]) -> int:
    """The amount in minor units; a refused one puts its reason under `name` and gives 0."""
    try:
        return parse_amount(text, currency)
    except MoneyError as error:
        errors[name] = str(error)
        return 0


def free_slug(session: Session, model, text: str | None, own_id: int | None, errors: dict[str, str]) -> str:
    """A valid slug no other row of `model` has; else the reason (with a free one) under "slug"."""
    try:
        slug = validate_slug(text)
    except SlugError as error:
        errors["slug"] = str(error)
        return ""
    if slug_taken(session, model, slug, exclude_id=own_id):
        errors["slug"] = f"“{slug}” is taken; try {unique_slug(session, model, slug)}."
    return slug
