"""Receipt work owed, written in the transaction that owes it (the transactional outbox).

A payment, a refund or a new receipt writes an `owed_work` row in its own transaction; the
job queued after the commit deletes the row in the transaction that does the work. A process
killed between the commit and the queueing leaves the row behind, and `flask receipts
sweep-owed` (receipts/tasks.py) does the work once the row is older than a minute: the job
may still be on its way until then.

Doing the work twice is harmless: the job deletes the row first, which on PostgreSQL holds
the row until it commits (so a second runner waits, then finds the receipt issued), and
`issue_receipt` checks again under the cause's counter lock in any case.
"""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from fundraiser.models import OwedWork, OwedWorkKind
from fundraiser.models.columns import utcnow


def owe(session: Session, kind: OwedWorkKind, donation_id: int, *, now: datetime | None = None) -> None:
    """Record that `kind` of work is owed for the donation; owing it again restarts its minute.

    ON CONFLICT DO UPDATE rather than DO NOTHING: the update locks a row a job is about to
    delete, so the job's later read sees this transaction's change (a second refund)."""
    session.execute(
        _owe_statement(session.get_bind().dialect.name),
        {"kind": str(kind), "donation_id": donation_id, "owed_since": now or utcnow()},
    )


@functools.cache
def _owe_statement(dialect: str):
    table = OwedWork.__table__
    insert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)
    return insert.on_conflict_do_update(
        index_elements=[table.c.kind, table.c.donation_id],
        set_={"owed_since": insert.excluded.owed_since},
    )


def settle(session: Session, kind: OwedWorkKind, donation_id: int) -> bool:
    """The work is being done in this transaction: forget it when it commits. Call it before
    reading what the work needs, so a concurrent runner of the same work waits for this one."""
    table = OwedWork.__table__
    result = session.execute(
        delete(table).where(table.c.kind == str(kind), table.c.donation_id == donation_id)
    )
    return bool(result.rowcount)


def owed_before(session: Session, cutoff: datetime) -> list[tuple[OwedWorkKind, int]]:
    """(kind, donation id) of the work owed since before `cutoff`, oldest first."""
    rows = session.execute(
        select(OwedWork.kind, OwedWork.donation_id)
        .where(OwedWork.owed_since < cutoff)
        .order_by(OwedWork.owed_since, OwedWork.id)
    )
    return [(OwedWorkKind(kind), donation_id) for kind, donation_id in rows]
