"""Charity reports too big to make during a request, made in the background and kept."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fundraiser.extensions import db
from fundraiser.models.columns import UTCDateTime, one_of, utcnow


class ReportKind(StrEnum):
    DONATIONS_CSV = "donations_csv"
    SUMMARY_CSV = "summary_csv"
    IMPACT_PDF = "impact_pdf"
    GIFT_AID_CSV = "gift_aid_csv"


class ReportJobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportJob(db.Model):
    """One requested report file: its parameters, how far it has got, and where it was written."""

    __tablename__ = "report_jobs"
    __table_args__ = (
        one_of("kind", ReportKind, "report_job_kind"),
        one_of("status", ReportJobStatus, "report_job_status"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="report_job_progress"),
        Index("ix_report_jobs_cause_created", "cause_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: uuid.uuid4().hex)
    cause_id: Mapped[int] = mapped_column(ForeignKey("causes.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict] = mapped_column(JSON, default=dict, comment="period: from/to dates (ISO)")
    status: Mapped[str] = mapped_column(String(10), default=ReportJobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0, comment="percent done")
    rows_written: Mapped[int] = mapped_column(default=0)
    file_path: Mapped[str] = mapped_column(String(255), default="", comment="name under REPORT_FOLDER")
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
