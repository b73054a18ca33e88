"""An event's, a cause's and the home page's lists of pages ("most raised first", 24 at a
time) are read in index order and stop after one page of results: no sort of every page,
so their cost does not grow as a viral event gathers thousands of pages."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from fundraiser.extensions import db
from fundraiser.models import PledgePage, User
from fundraiser.pages import listings
from fundraiser.pages.view_models import PAGE_SIZE

PAGES = 3_000


@pytest.fixture
def crowded_event(factories):
    """One event and cause with PAGES published pages, each with its own runner, copied from
    one page and runner made the usual way (the planner's choices depend on such proportions)."""
    first = factories.page()
    session = db.session
    runner = {c.name: getattr(first.runner, c.key) for c in User.__table__.columns if c.name != "id"}
    runner_ids = session.scalars(
        insert(User).returning(User.id),
        [runner | {"email": f"crowd-{n}@example.test"} for n in range(PAGES)],
    ).all()
    columns = {c.name: getattr(first, c.key) for c in PledgePage.__table__.columns if c.name != "id"}
    rows = [
        columns
        | {"slug": f"crowd-{n}", "runner_id": runner_id, "raised_amount": (n * 7919) % 100_000}
        | {"status": "published"}
        for n, runner_id in enumerate(runner_ids)
    ]
    session.execute(insert(PledgePage), rows)
    session.commit()
    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    return first


def plan(statement) -> str:
    connection = db.session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "sqlite":
        return " | ".join(str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    return " | ".join(row[0].strip() for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))


@pytest.mark.parametrize("scope", ["event", "cause", "home"])
def test_a_listing_reads_an_index_in_order_and_sorts_nothing(crowded_event, scope):
    criteria = {
        "event": (PledgePage.event_id == crowded_event.event_id,),
        "cause": (PledgePage.cause_id == crowded_event.cause_id,),
        "home": (),
    }[scope]
    statement = listings.listing_ids((*listings.listed_criteria(), *criteria)).limit(PAGE_SIZE)
    text = plan(statement)
    assert "_listing" in text, text
    assert "TEMP B-TREE" not in text and "Sort" not in text, text


def test_the_listing_shows_the_most_raised_first_then_the_newest(crowded_event):
    listed = listings.published_pages(db.session, PledgePage.event_id == crowded_event.event_id).items
    expected = (
        db.session.execute(
            select(PledgePage.id)
            .where(PledgePage.event_id == crowded_event.event_id, PledgePage.status == "published")
            .order_by(PledgePage.raised_amount.desc(), PledgePage.id.desc())
            .limit(PAGE_SIZE)
        )
        .scalars()
        .all()
    )
    assert [card.id for card in listed] == expected
    assert listed[0].raised_amount == max(card.raised_amount for card in listed)
