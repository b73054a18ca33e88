"""Shared helpers for bench/http.py and bench/webhooks.py: benchmark databases, the extra
data they need on top of bench/seed.py, stored totals, a gunicorn server, wrk, and the
figures table in docs/performance.md. Everything here binds to 127.0.0.1 and stops itself."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
import sqlalchemy as sa
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.seed import _fix_sequences, bulk_insert, seed  # noqa: E402

PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
WEBHOOK_SECRET = "whsec_bench_running_together"
VIRAL_EVENT = "bench-viral-run"
VIRAL_PAGE = "bench-viral-page-0"
VIRAL_PAGES = 500
CORES = os.cpu_count() or 1
# gunicorn: the classic 2 x cores + 1 sync workers for CPU-bound Python behind a proxy.
WORKERS = 2 * CORES + 1
DOCS = ROOT / "docs" / "performance.md"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Databases ---------------------------------------------------------------------------------


@contextlib.contextmanager
def bench_database(kind: str, name: str) -> Iterator[str]:
    """A new, empty database (PostgreSQL `name`, or a SQLite file) dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as folder:
            yield f"sqlite:///{folder}/{name}.sqlite"
        return
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def engine_for(url: str) -> Engine:
    return sa.create_engine(url)


def next_id(conn: sa.Connection, table: str) -> int:
    return int(conn.scalar(sa.text(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"'))) + 1


def _donation(did: int, page: dict, *, status: str, amount: int, when: datetime, **extra) -> dict:
    row = dict(
        id=did,
        public_id=f"{did:032x}",
        page_id=page["id"],
        cause_id=page["cause_id"],
        event_id=page["event_id"],
        team_id=None,
        donor_user_id=None,
        currency=page["currency"],
        amount=amount,
        fee_cover_amount=0,
        charged_amount=amount,
        refunded_amount=0,
        disputed_amount=0,
        status=status,
        donor_name=f"Bench Donor {did}",
        donor_email=f"donor{did % 5000}@bench.test",
        message="Go go go!" if did % 7 == 0 else "",
        is_anonymous=did % 20 == 0,
        is_company=False,
        failure_message="",
        created_at=when,
        paid_at=when + timedelta(seconds=30) if status == "paid" else None,
        stripe_payment_intent_id=None,
    )
    row.update(extra)
    return row


def add_viral_event(engine: Engine, viral_donations: int) -> None:
    """An event with 500 pledge pages, and one page ("viral") with many paid gifts."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        event_id = next_id(conn, "events")
        bulk_insert(
            conn,
            "events",
            [
                dict(
                    id=event_id,
                    slug=VIRAL_EVENT,
                    name="Bench Viral Run",
                    starts_on=now.date(),
                    place="Leeds",
                    is_virtual=False,
                    distance_m=10_000,
                    description="",
                    is_open=True,
                    created_at=now,
                )
            ],
        )
        bulk_insert(conn, "event_causes", [dict(event_id=event_id, cause_id=1)])
        first_page = next_id(conn, "pledge_pages")
        pages = [
            dict(
                id=first_page + n,
                slug=f"bench-viral-page-{n}",
                runner_id=3 + n,
                event_id=event_id,
                cause_id=1,
                team_id=None,
                title=f"Running the viral run, page {n}",
                story_markdown="I am running for hot meals.",
                story_html="<p>I am running for hot meals.</p>",
                target_amount=100_000,
                currency="GBP",
                status="published",
                show_in_listings=True,
                raised_amount=0,
                donation_count=0,
                created_at=now,
                updated_at=now,
                published_at=now,
            )
            for n in range(VIRAL_PAGES)
        ]
        bulk_insert(conn, "pledge_pages", pages)
    viral = pages[0]
    first = datetime(2025, 6, 1, tzinfo=UTC)
    made = 0
    while made < viral_donations:
        size = min(50_000, viral_donations - made)
        with engine.begin() as conn:
            start = next_id(conn, "donations")
            rows = [
                _donation(
                    start + n,
                    viral,
                    status="paid" if n % 10 else "failed",
                    amount=1000 + (n % 50) * 100,
                    when=first + timedelta(seconds=made + n),
                )
                for n in range(size)
            ]
            bulk_insert(conn, "donations", rows)
        made += size
    with engine.begin() as conn:
        _fix_sequences(conn)


def add_pending(engine: Engine, count: int) -> list[dict]:
    """`count` pending donations with PaymentIntent ids, spread over the viral event's pages
    (so every payment also adds to the same event and cause totals: the hot rows)."""
    with engine.begin() as conn:
        pages = [
            dict(r._mapping)
            for r in conn.execute(
                sa.text(
                    "SELECT p.id, p.cause_id, p.event_id, p.currency FROM pledge_pages p "
                    "JOIN events e ON e.id = p.event_id WHERE e.slug = :slug ORDER BY p.id"
                ),
                {"slug": VIRAL_EVENT},
            )
        ]
        start = next_id(conn, "donations")
        now = datetime.now(UTC)
        rows = [
            _donation(
                start + n,
                pages[n % len(pages)],
                status="pending",
                amount=500 + (n % 40) * 125,
                when=now,
                stripe_payment_intent_id=f"pi_bench_{start + n:024x}",
            )
            for n in range(count)
        ]
        bulk_insert(conn, "donations", rows)
        _fix_sequences(conn)
    return rows


def seed_world(url: str, donations: int) -> dict:
    """bench/seed.py's data, the viral event and page, then stored totals that match."""
    engine = engine_for(url)
    started = time.perf_counter()
    seed(engine, donations=donations)
    add_viral_event(engine, max(100, donations // 10))
    recompute_totals(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE")
        paid = conn.scalar(
            sa.text(
                "SELECT d.public_id FROM donations d JOIN pledge_pages p ON p.id = d.page_id "
                "WHERE p.slug = :slug AND d.status = 'paid' ORDER BY d.id DESC LIMIT 1"
            ),
            {"slug": VIRAL_PAGE},
        )
        total = conn.scalar(sa.text("SELECT COUNT(*) FROM donations"))
    engine.dispose()
    return {"public_id": paid, "donations": total, "seconds": time.perf_counter() - started}


# Stored totals -----------------------------------------------------------------------------

_KEPT = (
    "CASE WHEN status IN ('paid', 'refunded') AND amount - refunded_amount - disputed_amount > 0 "
    "THEN amount - refunded_amount - disputed_amount ELSE 0 END"
)


def totals_from_donations(conn: sa.Connection) -> dict[tuple, tuple[int, int]]:
    """(scope, id, currency) -> (kept amount, gifts that still count), summed from the rows."""
    found: dict[tuple, tuple[int, int]] = {}
    for scope, column in (("page", "page_id"), ("event", "event_id"), ("cause", "cause_id")):
        rows = conn.execute(
            sa.text(
                f"SELECT {column}, currency, SUM({_KEPT}), SUM(CASE WHEN {_KEPT} > 0 THEN 1 ELSE 0 END) "
                f"FROM donations GROUP BY {column}, currency"
            )
        )
        for scope_id, currency, kept, count in rows:
            if kept or count:
                found[(scope, scope_id, currency)] = (int(kept), int(count))
    return found


def stored_totals(conn: sa.Connection) -> dict[tuple, tuple[int, int]]:
    stored: dict[tuple, tuple[int, int]] = {}
    for page_id, currency, raised, count in conn.execute(
        sa.text("SELECT id, currency, raised_amount, donation_count FROM pledge_pages")
    ):
        if raised or count:
            stored[("page", page_id, currency)] = (raised, count)
    for scope, scope_id, currency, raised, count in conn.execute(
        sa.text("SELECT scope, scope_id, currency, raised_amount, donation_count FROM fundraising_totals")
    ):
        if raised or count:
            stored[(scope, scope_id, currency)] = (raised, count)
    return stored


def recompute_totals(engine: Engine) -> None:
    """Set every stored total from the donation rows (bench/seed.py leaves them at zero)."""
    with engine.begin() as conn:
        found = totals_from_donations(conn)
        conn.execute(sa.text("UPDATE pledge_pages SET raised_amount = 0, donation_count = 0"))
        conn.execute(sa.text("DELETE FROM fundraising_totals"))
        pages = [
            {"id": key[1], "raised": value[0], "count": value[1]}
            for key, value in found.items()
            if key[0] == "page"
        ]
        if pages:
            conn.execute(
                sa.text(
                    "UPDATE pledge_pages SET raised_amount = :raised, donation_count = :count WHERE id = :id"
                ),
                pages,
            )
        others = [
            dict(scope=k[0], scope_id=k[1], currency=k[2], raised_amount=v[0], donation_count=v[1])
            for k, v in found.items()
            if k[0] != "page"
        ]
        for n, row in enumerate(others, start=1):
            row["id"] = n
        bulk_insert(conn, "fundraising_totals", others)
        _fix_sequences(conn)


def total_mismatches(url: str) -> list[str]:
    """Every stored total that differs from the sum of its donations (empty when exact)."""
    engine = engine_for(url)
    with engine.connect() as conn:
        found, stored = totals_from_donations(conn), stored_totals(conn)
    engine.dispose()
    return [
        f"{key}: stored {stored.get(key, (0, 0))}, donations say {found.get(key, (0, 0))}"
        for key in sorted(set(found) | set(stored), key=str)
        if found.get(key, (0, 0)) != stored.get(key, (0, 0))
    ]


# The server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path


@contextlib.contextmanager
def gunicorn(database_url: str, *, redis_url: str | None = None, workers: int = WORKERS) -> Iterator[Server]:
    """The app under gunicorn with the production config, on a free port of 127.0.0.1."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-instance-") as instance:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("FLASK_", "DATABASE_", "REDIS_", "STRIPE_"))
        }
        env.update(
            FLASK_CONFIG="production",
            SECRET_KEY="bench-secret-not-for-real-use",
            DATABASE_URL=database_url,
            INSTANCE_DIR=instance,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
            PUBLIC_URL=f"http://127.0.0.1:{port}",
        )
        if redis_url:
            env["REDIS_URL"] = redis_url
        log_path = Path(instance) / "gunicorn.log"
        with open(log_path, "wb") as out:
            process = subprocess.Popen(
                [
                    str(ROOT / ".venv" / "bin" / "gunicorn"),
                    "--workers",
                    str(workers),
                    "--worker-class",
                    "sync",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "60",
                    "bench.floor_routes:floor_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            server = Server(f"http://127.0.0.1:{port}", process, log_path)
            try:
                _wait_until_up(server)
                yield server
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.log_path.read_text()[-3000:]}")
        try:
            if requests.get(server.url + "/_floor", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def errors_logged(server: Server) -> int:
    """Tracebacks in the server's log (each unhandled error logs one); the first is printed,
    since the log goes with the server's temporary folder."""
    text = server.log_path.read_text(errors="replace")
    marker = "Traceback (most recent call last)"
    if marker in text:
        start = text.index(marker)
        log("first traceback in the server's log:\n" + text[max(0, start - 300) : start + 4000])
    return text.count(marker)


# wrk --------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, seconds: int, connections: int = 16, threads: int = 1, headers: dict | None = None) -> Load:
    """Drive `url` with wrk for `seconds` and read its figures (latency percentiles included)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        command + [url], capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if "50" not in percentiles or "99" not in percentiles:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        # Sync workers close each connection after answering, which wrk may count as a read
        # error; connect errors and timeouts are real failures.
        errors += int(socket_errors.group(1)) + int(socket_errors.group(4))
    return Load(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        requests=total,
        errors=errors,
    )


# docs/performance.md ----------------------------------------------------------------------------


def write_table(marker: str, header: list[str], rows: list[list[str]], preface: str) -> None:
    """Replace the block between `<!-- marker:start -->` and `<!-- marker:end -->` in
    docs/performance.md (appending it if absent) with a Markdown table. Rows of databases this
    run did not measure (the first cell) are kept, so one database can be re-run alone."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    text = DOCS.read_text() if DOCS.exists() else "# Performance\n"
    measured = {row[0] for row in rows}
    kept = []
    if start in text and end in text:
        old = text[text.index(start) : text.index(end)].splitlines()
        for line in old:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if line.startswith("| ") and len(cells) == len(header) and cells[0] not in measured:
                if cells[0] != header[0]:  # an older header line, whatever its wording
                    kept.append(cells)
    lines = [start, preface, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in kept + rows]
    block = "\n".join(lines + [end])
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(text)


def machine_line() -> str:
    return (
        f"{CORES} cores; gunicorn {WORKERS} sync workers, production config; "
        "load generated on the same machine over 127.0.0.1."
    )


def now_text() -> str:
    load = os.getloadavg()[0]
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} (load {load:.1f})"
