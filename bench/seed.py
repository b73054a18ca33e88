"""Fill a database with N donations spread over causes, events, pages and teams, quickly.

    python bench/seed.py --donations 1000000 [--database-url URL]

The database must be empty: this creates the tables with `create_all` (the same schema the
tests use; it does not run migrations). Rows go in with bulk inserts: COPY on PostgreSQL,
`executemany` in one transaction on SQLite. Other benches import `seed(engine, donations=N)`.

What it makes, deterministically (a fixed random seed): three causes (GB 70% of gifts, US 20%,
CA 10%), 20 events, 2,000 pledge pages (a few GB pages in EUR), 50 teams, donors, and
donations paid through 2025 with failures, pending gifts, full and partial refunds, open,
won and lost disputes, Gift Aid declarations on about 40% of UK gifts, fee cover and messages.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is first on sys.path, where a bench named like a standard module
# (bench/http.py) would hide it: import from the project root only.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fundraiser import models  # noqa: E402,F401  (every table must be registered)
from fundraiser.extensions import db  # noqa: E402

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
SECONDS_IN_YEAR = 365 * 24 * 3600
CAUSES = [
    ("bench-hot-meals", "Bench Hot Meals", "GB", "GBP", "Europe/London", 0.7),
    ("bench-clean-water", "Bench Clean Water", "US", "USD", "America/New_York", 0.2),
    ("bench-trail-kids", "Bench Trail Kids", "CA", "CAD", "America/Toronto", 0.1),
]
EVENTS, PAGES, TEAMS, RUNNERS, DONORS = 20, 2_000, 50, 2_000, 5_000
PASSWORD_HASH = "pbkdf2:sha256:1$bench$0"


def _table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def _complete(table: sa.Table, rows: list[dict]) -> tuple[list[str], list[tuple]]:
    """Fill columns the rows leave out with their scalar default, or NULL."""
    given = list(rows[0].keys())
    extra = {}
    for column in table.columns:
        if column.name in given:
            continue
        default = column.default
        if default is not None and default.is_scalar:
            extra[column.name] = default.arg
        elif column.nullable:
            extra[column.name] = None
        else:
            raise RuntimeError(f"seed does not know how to fill {table.name}.{column.name}")
    names = given + list(extra)
    tail = tuple(extra.values())
    return names, [tuple(row[name] for name in given) + tail for row in rows]


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def bulk_insert(conn: sa.Connection, table_name: str, rows: list[dict]) -> None:
    """COPY on PostgreSQL, executemany on SQLite; ids are given so the sequences are set after."""
    if not rows:
        return
    table = _table(table_name)
    names, values = _complete(table, rows)
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        columns = ", ".join(f'"{n}"' for n in names)
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table_name}" ({columns}) FROM STDIN') as copy:
            for row in values:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in names)
        columns = ", ".join(f'"{n}"' for n in names)
        raw.executemany(
            f'INSERT INTO "{table_name}" ({columns}) VALUES ({marks})',
            ([_sqlite_value(v) for v in row] for row in values),
        )


def _fix_sequences(conn: sa.Connection) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.columns and isinstance(table.columns["id"].type, sa.Integer):
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )
            )


def _people(now: datetime) -> list[dict]:
    people = [
        dict(id=1, email="charity@bench.test", name="Bench Charity Admin", password_hash=PASSWORD_HASH),
        dict(id=2, email="admin@bench.test", name="Bench Platform Admin", password_hash=PASSWORD_HASH),
    ]
    for n in range(RUNNERS + DONORS):
        kind = "runner" if n < RUNNERS else "donor"
        people.append(
            dict(
                id=3 + n,
                email=f"{kind}{n}@bench.test",
                name=f"Bench {kind.title()} {n}",
                password_hash=PASSWORD_HASH,
            )
        )
    for person in people:
        person.update(is_platform_admin=person["id"] == 2, is_event_organiser=False, created_at=now)
    return people


def _structure(conn: sa.Connection, rng: random.Random, now: datetime) -> dict:
    bulk_insert(conn, "users", _people(now))
    causes = [
        dict(
            id=i + 1,
            slug=slug,
            name=name,
            legal_name=f"{name} Charity",
            country=country,
            registration_number="1234567",
            default_currency=currency,
            timezone=zone,
            address="1 Bench Road",
            website="",
            description="",
            signatory_name="",
            created_at=now,
        )
        for i, (slug, name, country, currency, zone, _) in enumerate(CAUSES)
    ]
    bulk_insert(conn, "causes", causes)
    bulk_insert(
        conn, "cause_admins", [dict(id=i + 1, user_id=1, cause_id=c["id"]) for i, c in enumerate(causes)]
    )
    bulk_insert(
        conn,
        "impact_units",
        [
            dict(
                id=i + 1,
                cause_id=c["id"],
                amount=500,
                currency=c["default_currency"],
                singular="hot meal",
                plural="hot meals",
                verb="provides",
            )
            for i, c in enumerate(causes)
        ],
    )
    events = [
        dict(
            id=n + 1,
            slug=f"bench-event-{n}",
            name=f"Bench Event {n}",
            starts_on=date(2025, 1 + n % 12, 10),
            place="Leeds",
            is_virtual=False,
            distance_m=None if n % 7 == 6 else 5_000 * (1 + n % 4),
            description="",
            is_open=True,
            created_at=now,
        )
        for n in range(EVENTS)
    ]
    bulk_insert(conn, "events", events)
    bulk_insert(
        conn, "event_causes", [dict(event_id=e["id"], cause_id=c["id"]) for e in events for c in causes]
    )
    teams = [
        dict(
            id=n + 1,
            slug=f"bench-team-{n}",
            name=f"Bench Team {n}",
            description="",
            captain_id=3 + n,
            target_amount=500_000,
            currency="GBP",
            created_at=now,
        )
        for n in range(TEAMS)
    ]
    bulk_insert(conn, "teams", teams)
    weights = [c[5] for c in CAUSES]
    pages = []
    for n in range(PAGES):
        cause = rng.choices(causes, weights)[0]
        currency = "EUR" if cause["country"] == "GB" and n % 25 == 0 else cause["default_currency"]
        pages.append(
            dict(
                id=n + 1,
                slug=f"bench-page-{n}",
                runner_id=3 + n % RUNNERS,
                event_id=1 + n % EVENTS,
                cause_id=cause["id"],
                team_id=(1 + n % TEAMS) if currency == "GBP" and n % 3 == 0 else None,
                title=f"Bench page {n}",
                story_markdown="",
                story_html="",
                target_amount=100_000,
                currency=currency,
                status="published",
                show_in_listings=n % 10 != 0,
                raised_amount=0,
                donation_count=0,
                created_at=now,
                updated_at=now,
                published_at=now,
            )
        )
    bulk_insert(conn, "pledge_pages", pages)
    return {
        "pages": pages,
        "runner_emails": {p["id"]: f"runner{(p['runner_id'] - 3)}@bench.test" for p in pages},
    }


def _donations(
    rng: random.Random, pages: list[dict], count: int, first_id: int
) -> tuple[list[dict], list[dict]]:
    donations, declarations = [], []
    amounts = [500, 1000, 1000, 2000, 2500, 2500, 5000, 5000, 10000, 25000, 60000]
    for n in range(count):
        did = first_id + n
        page = pages[rng.randrange(len(pages))]
        amount = rng.choice(amounts) + rng.randrange(0, 100)
        fee_cover = (amount * 3 // 100) if n % 4 == 0 else 0
        roll = rng.random()
        status = (
            "paid" if roll < 0.90 else "failed" if roll < 0.94 else "pending" if roll < 0.98 else "refunded"
        )
        created = YEAR_START + timedelta(seconds=rng.randrange(SECONDS_IN_YEAR))
        paid_at = created + timedelta(seconds=30) if status in ("paid", "refunded") else None
        refunded = (
            amount + fee_cover
            if status == "refunded"
            else (amount // 2 if status == "paid" and n % 97 == 0 else 0)
        )
        disputed = amount if status == "paid" and n % 211 == 0 else 0
        donor = rng.randrange(DONORS)
        donations.append(
            dict(
                id=did,
                public_id=f"{did:032x}",
                page_id=page["id"],
                cause_id=page["cause_id"],
                event_id=page["event_id"],
                team_id=page["team_id"],
                donor_user_id=None,
                currency=page["currency"],
                amount=amount,
                fee_cover_amount=fee_cover,
                charged_amount=amount + fee_cover,
                refunded_amount=refunded,
                disputed_amount=disputed,
                status=status,
                donor_name=f"Donor {donor}",
                donor_email=f"donor{donor}@bench.test",
                message="Good luck!" if n % 50 == 0 else "",
                is_anonymous=n % 20 == 0,
                is_company=n % 150 == 0,
                failure_message="card declined" if status == "failed" else "",
                created_at=created,
                paid_at=paid_at,
            )
        )
        if page["currency"] == "GBP" and n % 5 < 2:
            declarations.append(
                dict(
                    id=len(declarations) + 1,
                    donation_id=did,
                    title="",
                    first_name="Donor",
                    last_name=str(donor),
                    house_name_or_number=str(1 + donor % 200),
                    address="Bench Road",
                    postcode="LS1 4AP",
                    covers_past_and_future=False,
                    wording="I want Gift Aid to be claimed.",
                    declared_at=created,
                )
            )
    return donations, declarations


def seed(engine: Engine, donations: int = 100_000, *, batch: int = 50_000, quiet: bool = True) -> dict:
    """Create the tables and fill them; returns what a bench needs to know (cause slugs, period)."""
    db.metadata.create_all(engine)
    rng = random.Random(20250101)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with engine.begin() as conn:
        if conn.scalar(sa.text("SELECT COUNT(*) FROM causes")):
            raise RuntimeError("the database already has causes: seed an empty one")
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA synchronous = OFF")
        structure = _structure(conn, rng, now)
    made, declared = 0, 0
    while made < donations:
        size = min(batch, donations - made)
        rows, declarations = _donations(rng, structure["pages"], size, made + 1)
        for row in declarations:
            row["id"] = declared + row["id"]
        with engine.begin() as conn:
            bulk_insert(conn, "donations", rows)
            bulk_insert(conn, "gift_aid_declarations", declarations)
        made += size
        declared += len(declarations)
        if not quiet:
            print(f"  {made:,} donations ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    with engine.begin() as conn:
        _fix_sequences(conn)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # VACUUM sets PostgreSQL's visibility map, so covering indexes can be read alone.
        conn.exec_driver_sql("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE")
    return {
        "causes": [c[0] for c in CAUSES],
        "first": date(2025, 1, 1),
        "last": date(2025, 12, 31),
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--donations", type=int, default=100_000)
    parser.add_argument("--database-url", default="sqlite:///bench.sqlite")
    args = parser.parse_args()
    from config import database_url

    engine = sa.create_engine(database_url(args.database_url))
    result = seed(engine, donations=args.donations, quiet=False)
    print(
        f"Seeded {args.donations:,} donations in {result['seconds']:.1f} s into {engine.url.render_as_string()}"
    )


if __name__ == "__main__":
    main()
