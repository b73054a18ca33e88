"""Each public page reads the database a small, fixed number of times, however many
donations there are: totals are stored, the donor wall is bounded, lists are paged."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, insert, update

from fundraiser.extensions import db
from fundraiser.models import Donation, FundraisingTotal, PledgePage

# The most statements any public page may run (the pledge page needs 4, event and cause 5).
MOST_QUERIES = 6
START = datetime(2026, 3, 1, tzinfo=UTC)


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def add_paid_donations(page: SimpleNamespace, count: int, first: int) -> None:
    """Insert `count` paid gifts in one statement, and add them to the stored totals."""
    rows = [
        dict(
            public_id=f"{first + n:032x}",
            page_id=page.id,
            cause_id=page.cause_id,
            event_id=page.event_id,
            team_id=page.team_id,
            currency=page.currency,
            amount=1000,
            fee_cover_amount=0,
            charged_amount=1000,
            status="paid",
            donor_name=f"Donor {first + n}",
            donor_email="donor@example.test",
            message="Go!" if n % 3 == 0 else "",
            is_anonymous=n % 5 == 0,
            created_at=START + timedelta(minutes=first + n),
            paid_at=START + timedelta(minutes=first + n, seconds=30),
        )
        for n in range(count)
    ]
    db.session.execute(insert(Donation).values(rows))
    db.session.execute(
        update(PledgePage)
        .where(PledgePage.id == page.id)
        .values(
            raised_amount=PledgePage.raised_amount + 1000 * count,
            donation_count=PledgePage.donation_count + count,
        )
    )
    for scope, scope_id in (("event", page.event_id), ("cause", page.cause_id)):
        total = db.session.query(FundraisingTotal).filter_by(scope=scope, scope_id=scope_id).one_or_none()
        if total is None:
            total = FundraisingTotal(scope=scope, scope_id=scope_id, currency=page.currency)
            total.raised_amount, total.donation_count = 0, 0
            db.session.add(total)
        total.raised_amount += 1000 * count
        total.donation_count += count
    db.session.commit()


def statements_for(client, url: str) -> int:
    db.session.expunge_all()  # each request starts with an empty identity map, as in production
    with counted_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


@pytest.mark.parametrize("kind", ["pledge", "event", "cause", "team", "home"])
def test_a_public_page_runs_the_same_few_queries_with_10_and_1000_donations(client, factories, kind):
    cause = factories.cause()
    event_ = factories.event(causes=(cause,))
    team = factories.team()
    pages = [factories.page(event=event_, cause=cause, team=team) for _ in range(3)]
    page = SimpleNamespace(
        **{
            name: getattr(pages[0], name)
            for name in ("id", "slug", "cause_id", "event_id", "team_id", "currency")
        }
    )
    db.session.commit()
    url = {
        "pledge": f"/{page.slug}",
        "event": f"/events/{event_.slug}",
        "cause": f"/causes/{cause.slug}",
        "team": f"/teams/{team.slug}",
        "home": "/",
    }[kind]

    add_paid_donations(page, 10, first=1)
    with_ten = statements_for(client, url)
    add_paid_donations(page, 990, first=11)
    with_a_thousand = statements_for(client, url)

    assert with_ten == with_a_thousand
    assert with_a_thousand <= MOST_QUERIES
    assert "£10,000.00" in client.get(url).get_data(as_text=True)
