"""Slugs: the short, readable names in our URLs. Pledge pages live at the top level
(/amara-runs-leeds), so a slug must never be a path the app uses or may one day use."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

MIN_LENGTH = 3
MAX_LENGTH = 60

# Every first path segment the app uses or may use. The single list: views, forms and
# tests all read it from here.
RESERVED_SLUGS = frozenset(
    {
        "about",
        "account",
        "accounts",
        "admin",
        "api",
        "causes",
        "contact",
        "dashboard",
        "donate",
        "donations",
        "edit",
        "events",
        "favicon.ico",
        "healthz",
        "help",
        "login",
        "logout",
        "me",
        "new",
        "p",
        "pages",
        "privacy",
        "receipts",
        "reports",
        "reset",
        "robots.txt",
        "search",
        "settings",
        "signin",
        "signout",
        "signup",
        "static",
        "stripe",
        "teams",
        "terms",
        "thank-you",
        "uploads",
    }
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class SlugError(ValueError):
    """The text cannot be a slug; the message says how to fix it."""


def validate_slug(text: str | None) -> str:
    """Return the slug (trimmed) or raise SlugError with a reason a person can act on."""
    slug = (text or "").strip()
    if not slug:
        raise SlugError("Enter a web address name.")
    if len(slug) < MIN_LENGTH or len(slug) > MAX_LENGTH:
        raise SlugError(f"Use between {MIN_LENGTH} and {MAX_LENGTH} characters.")
    if slug in RESERVED_SLUGS:
        raise SlugError(f"“{slug}” is used by the site itself; choose another.")
    if not _SLUG.match(slug):
        raise SlugError("Use only lowercase letters, digits and single hyphens, not at the start or end.")
    return slug


def suggest_slug(title: str | None) -> str:
    """A valid slug made from a title: "Amara's 10K for Hot Meals!" -> "amaras-10k-for-hot-meals"."""
    ascii_text = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    ascii_text = ascii_text.lower().replace("'", "").replace("’", "")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:MAX_LENGTH].strip("-")
    if len(slug) < MIN_LENGTH:
        slug = (slug + "-page").strip("-") if slug else "my-page"
    if slug in RESERVED_SLUGS:
        slug = f"{slug}-page"
    return slug


def slug_taken(session: Session, model: Any, slug: str, exclude_id: int | None = None) -> bool:
    query = select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return session.scalar(query.limit(1)) is not None


def unique_slug(session: Session, model: Any, base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free first for this model."""
    if not slug_taken(session, model, base):
        return base
    for number in range(2, 1000):
        suffix = f"-{number}"
        candidate = base[: MAX_LENGTH - len(suffix)].strip("-") + suffix
        if not slug_taken(session, model, candidate):
            return candidate
    raise SlugError("Choose a different web address name.")
