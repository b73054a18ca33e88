"""Receipt numbers: one gapless series per cause and kind, and how a number is written.

Every change to a cause's receipts starts by locking that cause's counter row
(`UPDATE receipt_counters ... RETURNING`), so two jobs for the same cause run one after the
other: numbers come out without gaps, and "is there a receipt already?" is answered after
the lock, which makes issuing idempotent on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from fundraiser.models import ReceiptCounter, ReceiptKind


def cause_prefix(slug: str) -> str:
    """'hot-meals-leeds' -> 'HML'; a one-word slug gives its first three letters."""
    words = [word for word in slug.split("-") if word]
    if len(words) >= 2:
        return "".join(word[0] for word in words[:4]).upper()
    return (words[0] if words else "R")[:3].upper()


def display_number(slug: str, kind: str, number: int, tax_year: int | None = None) -> str:
    """'HM-000123' for a single receipt, 'HM-Y2026-00007' for a year-end one."""
    if kind == ReceiptKind.ANNUAL:
        return f"{cause_prefix(slug)}-Y{tax_year}-{number:05d}"
    return f"{cause_prefix(slug)}-{number:06d}"


def _counter_update(cause_id: int, series: str, step: int):
    table = ReceiptCounter.__table__
    return (
        update(table)
        .where(table.c.cause_id == cause_id, table.c.series == series)
        .values(last_number=table.c.last_number + step)
        .returning(table.c.last_number)
    )


def lock_series(session: Session, cause_id: int, series: str) -> int:
    """Lock the cause's counter row until the transaction ends (creating it on first use)."""
    number = session.execute(_counter_update(cause_id, series, 0)).scalar_one_or_none()
    if number is None:
        dialect = session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert(ReceiptCounter.__table__)
            .values(cause_id=cause_id, series=series, last_number=0)
            .on_conflict_do_nothing()
        )
        number = session.execute(_counter_update(cause_id, series, 0)).scalar_one()
    return number


def take_number(session: Session, cause_id: int, series: str) -> int:
    """The next number of the series; call `lock_series` first in the same transaction."""
    return session.execute(_counter_update(cause_id, series, 1)).scalar_one()
