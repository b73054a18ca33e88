"""All models, imported here so Alembic and create_all see every table."""

from fundraiser.models.accounts import CauseAdmin, User
from fundraiser.models.causes import Cause, ImpactUnit
from fundraiser.models.donations import Dispute, Donation, GiftAidDeclaration, Refund, StripeEvent
from fundraiser.models.events import Event, event_causes
from fundraiser.models.pages import FundraisingTotal, PageUpdate, PledgePage, Team
from fundraiser.models.receipts import Receipt, ReceiptCounter, ReceiptRefusal
from fundraiser.models.reports import ReportJob

__all__ = [
    "Cause",
    "CauseAdmin",
    "Dispute",
    "Donation",
    "Event",
    "FundraisingTotal",
    "GiftAidDeclaration",
    "ImpactUnit",
    "PageUpdate",
    "PledgePage",
    "Receipt",
    "ReceiptCounter",
    "ReceiptRefusal",
    "Refund",
    "ReportJob",
    "StripeEvent",
    "Team",
    "User",
    "event_causes",
]
