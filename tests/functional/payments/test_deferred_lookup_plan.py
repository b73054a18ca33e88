"""The lookup every payment makes for events waiting on it must stay an index lookup on the
small partial index of deferred events, even in a plan PostgreSQL prepared once for any
parameters (psycopg prepares a statement after its fifth run), and on a table of many events."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql

from fundraiser.extensions import db
from fundraiser.payments.handlers import _DEFERRED_FOR


def _many_processed_events(connection, count: int = 2_000) -> None:
    connection.exec_driver_sql(
        "INSERT INTO stripe_events (id, type, status, object_id, payload, stripe_created, received_at) "
        "VALUES "
        + ", ".join(
            f"('evt_plan_{n}', 'payment_intent.succeeded', 'processed', 'pi_plan_{n}', '{{}}', 0, "
            "CURRENT_TIMESTAMP)"
            for n in range(count)
        )
    )


def test_the_deferred_lookup_uses_the_partial_index(app):
    with db.engine.connect() as connection:
        _many_processed_events(connection)
        if connection.dialect.name == "sqlite":
            sql = str(_DEFERRED_FOR.compile(dialect=connection.dialect)).replace("?", "'pi_1'")
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
        else:
            sql = (
                str(_DEFERRED_FOR.compile(dialect=postgresql.dialect()))
                .replace("%(payment_intent_id)s", "$1")
                .replace("%(charge_id)s", "$2")
            )
            connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
            connection.exec_driver_sql(f"PREPARE deferred_lookup (text, text) AS {sql}")
            plan = " ".join(
                row[0]
                for row in connection.exec_driver_sql("EXPLAIN EXECUTE deferred_lookup('pi_1', 'ch_1')")
            )
        connection.rollback()
    assert "ix_stripe_events_deferred_object" in plan, plan
