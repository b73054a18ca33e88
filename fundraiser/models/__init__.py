"""All models, imported here so Alembic and create_all see every table."""

from fundraiser.models.accounts import CauseAdmin, RecoveryCode, User
from fundraiser.models.benefits import Benefit
from fundraiser.models.causes import AgentPayout, Cause, ImpactUnit, SmallestGift
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
    OwedWork,
    OwedWorkKind,
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
    "OwedWorkKind",
    "ReceiptEmailStatus",
    "ReceiptKind",
    "ReportJobStatus",
    "ReportKind",
    "Benefit",
    "Cause",
    "CauseAdmin",
    "RecoveryCode",
    "Dispute",
    "Donation",
    "Event",
    "FundraisingTotal",
    "GiftAidDeclaration",
    "ImpactUnit",
    "OwedWork",
    "PageUpdate",
    "PledgePage",
    "Receipt",
    "ReceiptCounter",
    "ReceiptRefusal",
    "Refund",
    "ReportJob",
    "SmallestGift",
    "StripeEvent",
    "Team",
    "User",
    "event_causes",
]
