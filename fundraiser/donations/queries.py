"""Loading donations by what the outside world holds of them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fundraiser.models import Donation


def find_donation(session: Session, public_id: str) -> Donation | None:
    """The donation with this public id (the id in its thank-you link), or None."""
    return session.scalar(select(Donation).where(Donation.public_id == public_id))
