"""All models, imported here so Alembic and create_all see every table."""

from fundraiser.models.accounts import CauseAdmin, User
from fundraiser.models.causes import AgentPayout, Cause, ImpactUnit
from fundraiser.models.donations import (
    Dispute,
    DisputeStatus,
    Donation,
    DonationStatus,
    GiftAidDeclaration,
    Refund,
    StripeEvent,
    StripeEventStatus,
)
from fundraiser.models.events import Event, event_causes
from fundraiser.models.pages import FundraisingTotal, PageStatus, PageUpdate, PledgePage, Team, TotalScope
from fundraiser.models.receipts import (
    Receipt,
    ReceiptCounter,
    ReceiptEmailStatus,
    ReceiptKind,
    ReceiptRefusal,
)
from fundraiser.models.reports import ReportJob, ReportJobStatus, ReportKind

__all__ = [
    "AgentPayout",
    "DisputeStatus",
    "DonationStatus",
    "StripeEventStatus",
    "PageStatus",
    "TotalScope",
    "ReceiptEmailStatus",
    "ReceiptKind",
    "ReportJobStatus",
    "ReportKind",
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
