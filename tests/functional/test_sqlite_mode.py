"""The embedded default: SQLite in write-ahead-log mode with durable commits, and writers
that wait their turn long enough for one drawing a receipt."""

from sqlalchemy import text

from fundraiser.extensions import db


def test_sqlite_runs_in_wal_mode_with_full_sync(app):
    if db.engine.dialect.name != "sqlite":
        assert db.session.scalar(text("SHOW synchronous_commit")) == "on"  # PostgreSQL: durable too
        return
    assert db.session.scalar(text("PRAGMA journal_mode")) == "wal"
    assert db.session.scalar(text("PRAGMA synchronous")) == 2  # FULL
    assert db.session.scalar(text("PRAGMA busy_timeout")) == 30_000  # ms a writer waits its turn
