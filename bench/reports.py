"""Time the charity reports over N donations, each beside a raw SQL floor over the same rows.

    python bench/reports.py [--donations 1000000] [--database-url URL]

An empty database is filled with bench/seed.py's `seed` first; a seeded one is reused as it
is (its donation count is printed). The period is the seeded year, 2025, for the biggest
cause (70% of the gifts). For each dashboard query the floor is the fastest plain
hand-written SQL we know that reads the same rows and groups them the same way (the median
by a running count over amounts, pages grouped by `page_id + 0` as the app does, so SQLite
stays on the covering index); the CSV's floor is a raw cursor
fetching the same rows; the CSV's peak memory is measured in a fresh subprocess (ru_maxrss)
for a one-day period and for the whole year, to show it stays flat.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ is first on sys.path, where a bench named like a standard module
# (bench/http.py) would hide it: import from the project root only.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from config import database_url  # noqa: E402

REPEATS = 3
WHERE = "cause_id = :c AND paid_at >= :s AND paid_at < :e AND status IN ('paid', 'refunded')"


def timed(func, repeats: int = REPEATS) -> float:
    """Median seconds over `repeats` runs (after the caller has warmed the caches)."""
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def make_app(url: str):
    from fundraiser import create_app

    folder = tempfile.mkdtemp(prefix="bench-reports-")
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": folder, "REPORT_FOLDER": folder})


def _floors(conn, dialect: str, params: dict, currencies: list[tuple[str, int]]) -> dict:
    month = "date_trunc('month', paid_at)" if dialect == "postgresql" else "substr(paid_at, 1, 7)"

    def run(sql: str, **extra):
        return lambda: conn.execute(sa.text(sql), {**params, **extra}).all()

    def medians():
        for currency, count in currencies:
            conn.execute(
                sa.text(
                    "SELECT MIN(CASE WHEN running >= :lo THEN amount END), MIN(CASE WHEN running >= :hi THEN amount END) "
                    "FROM (SELECT amount, SUM(COUNT(*)) OVER (ORDER BY amount) AS running FROM donations "
                    f"WHERE {WHERE} AND currency = :cur GROUP BY amount) AS counted"
                ),
                {**params, "cur": currency, "lo": (count + 1) // 2, "hi": count // 2 + 1},
            ).all()

    def tops():
        for currency, _count in currencies:
            conn.execute(
                sa.text(
                    f"SELECT page_id + 0, SUM(amount) FROM donations WHERE {WHERE} AND currency = :cur "
                    "GROUP BY page_id + 0 ORDER BY 2 DESC LIMIT 10"
                ),
                {**params, "cur": currency},
            ).all()

    sums = run(
        "SELECT currency, COUNT(*), SUM(amount), SUM(refunded_amount), SUM(disputed_amount), SUM(fee_cover_amount) "
        f"FROM donations WHERE {WHERE} GROUP BY currency"
    )
    donors = run(
        "SELECT currency, COUNT(*) FROM (SELECT currency, lower(donor_email) AS email FROM donations "
        f"WHERE {WHERE} GROUP BY currency, lower(donor_email)) AS pairs GROUP BY currency"
    )

    def totals():
        sums()
        donors()

    return {
        "bare COUNT/SUM (reference)": run(
            f"SELECT currency, COUNT(*), SUM(amount) FROM donations WHERE {WHERE} GROUP BY currency"
        ),
        "totals, donors, medians": lambda: (totals(), medians()),
        "gift aid": run(
            "SELECT COUNT(*), SUM(d.amount) FROM donations d JOIN gift_aid_declarations g ON g.donation_id = d.id "
            "WHERE d.cause_id = :c AND d.paid_at >= :s AND d.paid_at < :e AND d.status = 'paid' AND d.currency = 'GBP'"
        ),
        "participation": run(f"SELECT COUNT(DISTINCT page_id) FROM donations WHERE {WHERE}"),
        "by event": run(
            f"SELECT event_id, currency, COUNT(*), SUM(amount) FROM donations WHERE {WHERE} GROUP BY event_id, currency"
        ),
        "top pages": tops,
        "by team": run(
            f"SELECT team_id, currency, COUNT(*), SUM(amount) FROM donations WHERE {WHERE} GROUP BY team_id, currency"
        ),
        "by month": run(
            f"SELECT {month}, currency, COUNT(*), SUM(amount) FROM donations WHERE {WHERE} GROUP BY 1, currency"
        ),
        "donor messages": run(
            f"SELECT donor_name, message FROM donations WHERE {WHERE} AND message <> '' ORDER BY paid_at DESC LIMIT 8"
        ),
    }


def _ours(session, cause, period, currencies: list[str]) -> dict:
    from fundraiser.reports import figures as q
    from fundraiser.reports.giftaid import gift_aid_totals

    return {
        "totals, donors, medians": lambda: q.currency_totals(session, cause.id, period),
        "gift aid": lambda: gift_aid_totals(session, cause.id, period),
        "participation": lambda: q.participation(session, cause.id, period),
        "by event": lambda: q.by_event(session, cause.id, period),
        "top pages": lambda: [q.top_pages(session, cause.id, period, c) for c in currencies],
        "by team": lambda: q.by_team(session, cause.id, period),
        "by month": lambda: q.by_month(session, cause.id, period),
        "donor messages": lambda: q.donor_messages(session, cause.id, period),
    }


def _list_pages(session, cause) -> None:
    """The donations list's seek paging: a page deep in the list costs what the first does."""
    from fundraiser.reports import ledger as q

    deep_id = (
        session.scalar(sa.text("SELECT MIN(id) FROM donations WHERE cause_id = :c"), {"c": cause.id}) + 5_000
    )
    cases = {
        "first page": (q.DonationFilters(), None),
        "page 5,000 rows from the end": (q.DonationFilters(), deep_id),
        "status=failed": (q.DonationFilters(status="failed"), None),
        "event filter": (q.DonationFilters(event_id=1), None),
        "search (scan)": (q.DonationFilters(search="donor42@"), None),
    }
    print()
    for name, (filters, before) in cases.items():
        seconds = timed(lambda f=filters, b=before: q.donations_page(session, cause.id, f, b))
        print(f"donations list, {name:<30}{seconds * 1000:>8.1f} ms")


def csv_memory(url: str, first: str, last: str) -> None:
    """Subprocess entry: stream the ledger to nowhere and print the peak RSS in MB as JSON."""
    from sqlalchemy import select

    from fundraiser.extensions import db
    from fundraiser.models import Cause
    from fundraiser.reports.csv import ledger_csv
    from fundraiser.reports.periods import make_period

    app = make_app(url)
    with app.app_context():
        cause = db.session.scalar(select(Cause).order_by(Cause.id))
        period = make_period("custom", date.fromisoformat(first), date.fromisoformat(last), cause.timezone)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows = sum(chunk.count("\r\n") for chunk in ledger_csv(db.session, cause, period)) - 1
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": rows, "before_mb": round(before, 1), "peak_mb": round(after, 1)}))


def _memory_run(url: str, first: str, last: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--database-url", url, "--csv-memory", first, last],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--donations", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'instance' / 'bench-reports.sqlite'}")
    parser.add_argument("--csv-memory", nargs=2, metavar=("FROM", "TO"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = database_url(args.database_url)
    if args.csv_memory:
        csv_memory(url, *args.csv_memory)
        return
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        seeded = sa.inspect(conn).has_table("donations") and conn.scalar(
            sa.text("SELECT COUNT(*) FROM donations")
        )
    if not seeded:
        from bench.seed import seed

        print(f"Seeding {args.donations:,} donations ...", flush=True)
        print(f"  seeded in {seed(engine, donations=args.donations, quiet=False)['seconds']:.0f} s")
    engine.dispose()
    run_bench(url)


def run_bench(url: str) -> None:
    from sqlalchemy import select

    from fundraiser.extensions import db
    from fundraiser.models import Cause
    from fundraiser.reports import csv as report_csv
    from fundraiser.reports import figures, pdf
    from fundraiser.reports.periods import make_period

    app = make_app(url)
    with app.app_context():
        session = db.session
        dialect = db.engine.dialect.name
        total_rows = session.scalar(sa.text("SELECT COUNT(*) FROM donations"))
        cause = session.scalar(select(Cause).order_by(Cause.id))
        period = make_period("custom", date(2025, 1, 1), date(2025, 12, 31), cause.timezone)
        totals = figures.currency_totals(session, cause.id, period)
        in_period = sum(t.donations for t in totals)
        print(
            f"{dialect}: {total_rows:,} donations in the database; {cause.name}, 2025: {in_period:,} paid gifts"
        )
        params = {"c": cause.id, "s": period.start, "e": period.end}
        if dialect == "sqlite":
            params = {
                k: (v.strftime("%Y-%m-%d %H:%M:%S.%f") if hasattr(v, "strftime") else v)
                for k, v in params.items()
            }
        conn = session.connection()
        floors = _floors(conn, dialect, params, [(t.currency, t.donations) for t in totals])
        ours = _ours(session, cause, period, [t.currency for t in totals])
        print(f"\n{'dashboard query':<24}{'ours ms':>10}{'floor ms':>10}{'ratio':>8}")
        sum_ours = sum_floor = 0.0
        reference = floors.pop("bare COUNT/SUM (reference)")
        reference()
        print(f"{'(bare COUNT/SUM floor)':<24}{'':>10}{timed(reference) * 1000:>10.1f}")
        for name in ours:
            ours[name](), floors[name]()  # warm
            mine, floor = timed(ours[name]), timed(floors[name])
            sum_ours, sum_floor = sum_ours + mine, sum_floor + floor
            print(f"{name:<24}{mine * 1000:>10.1f}{floor * 1000:>10.1f}{mine / floor:>8.2f}")
        whole = timed(lambda: figures.build_report(session, cause, period), 1)
        print(
            f"{'sum of the above':<24}{sum_ours * 1000:>10.1f}{sum_floor * 1000:>10.1f}{sum_ours / sum_floor:>8.2f}"
        )
        print(
            f"{'build_report (all)':<24}{whole * 1000:>10.1f}{sum_floor * 1000:>10.1f}{whole / sum_floor:>8.2f}"
        )

        _list_pages(session, cause)
        group_floor = timed(floors["by event"])
        ledger_sql = sa.text(
            "SELECT id, public_id, created_at, paid_at, status, currency, amount, fee_cover_amount, refunded_amount, "
            "disputed_amount, donor_name, donor_email, is_anonymous, is_company FROM donations "
            "WHERE cause_id = :c AND paid_at >= :s AND paid_at < :e"
        )

        def raw_fetch() -> int:
            result = conn.execute(
                ledger_sql, params, execution_options={"stream_results": True, "yield_per": 2000}
            )
            return sum(1 for _ in result)

        fetch_floor = timed(raw_fetch, 1)
        started = time.perf_counter()
        written = sum(chunk.count("\r\n") for chunk in report_csv.ledger_csv(session, cause, period)) - 1
        csv_seconds = time.perf_counter() - started
        print(
            f"\nCSV ledger: {written:,} rows in {csv_seconds:.2f} s; raw streamed fetch of the same rows "
            f"{fetch_floor:.2f} s (ratio {csv_seconds / fetch_floor:.2f}); GROUP BY floor {group_floor * 1000:.0f} ms"
        )
        session.rollback()
        started = time.perf_counter()
        document = pdf.impact_pdf(session, cause, period)
        pdf_seconds = time.perf_counter() - started
        print(
            f"Impact PDF: {pdf_seconds:.2f} s ({len(document) // 1024} KB); GROUP BY floor {group_floor * 1000:.0f} ms; "
            f"its queries alone {whole:.2f} s"
        )
    small = _memory_run(url, "2025-06-01", "2025-06-01")
    big = _memory_run(url, "2025-01-01", "2025-12-31")
    print(
        f"CSV peak memory (ru_maxrss, fresh process): {small['rows']:,} rows {small['peak_mb']} MB; "
        f"{big['rows']:,} rows {big['peak_mb']} MB (before export: {big['before_mb']} MB)"
    )


if __name__ == "__main__":
    main()
