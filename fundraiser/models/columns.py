"""Column helpers shared by the models: UTC timestamps and status columns checked in SQL."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def sql_list(values: tuple[str, ...] | type[StrEnum]) -> str:
    """`'a', 'b'` for an SQL IN list of fixed strings (our own enum values, never input)."""
    return ", ".join(f"'{value}'" for value in values)


def one_of(column: str, values: type[StrEnum], name: str) -> CheckConstraint:
    """CHECK (column IN (...)) built from the enum, so a value added to the enum is added to
    the database's check as well (by the migration that the change then needs)."""
    return CheckConstraint(f"{column} IN ({sql_list(values)})", name=name)
