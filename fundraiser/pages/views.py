"""The pages blueprint with every route on it: each view module adds its own routes to `bp`
when imported, so the app registers this module's `bp`."""

from __future__ import annotations

from fundraiser.pages import (  # noqa: F401  (routes on bp)
    benefit_views,
    cause_views,
    event_views,
    page_views,
    payment_views,
    team_views,
)
from fundraiser.pages.blueprint import bp

__all__ = ["bp"]
