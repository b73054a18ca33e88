"""What a thank-you link shows, and for how long.

The link (/thank-you/<public id>) is a capability: whoever holds it (a shared screen, a
browser history, a forwarded address) sees what it shows. For THANK_YOU_DETAILS_HOURS
(a day) after the gift it shows the donor's name and the receipt download; after that only
the gift and its page, since the receipt came by email (whose link expires on its own,
RECEIPT_LINK_DAYS)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fundraiser.models import Donation
from fundraiser.models.columns import utcnow


def shows_donor_details(donation: Donation, hours: int, *, now: datetime | None = None) -> bool:
    """True while the thank-you page may still show the donor's name and receipt link."""
    return (now or utcnow()) - donation.created_at < timedelta(hours=hours)
