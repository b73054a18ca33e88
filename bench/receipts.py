"""Receipt rendering figures: `python bench/receipts.py [--donors 120]`.

Prints the median milliseconds per receipt over 50 renders in one warm process (loading the
donation from the database, building the plain values, template and PDF together) beside
WeasyPrint's time for a minimal one-page document in the same fonts (the floor), their ratio,
and the year-end bulk command's receipts per second with one and two workers.

Uses a throw-away SQLite database unless BENCH_DATABASE_URL names another (empty) one.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on sys.path, where its neighbours' names (http.py)
# would shadow the standard library: look in the repository root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, update  # noqa: E402

from fundraiser import create_app  # noqa: E402
from fundraiser.extensions import db  # noqa: E402
from fundraiser.models import (  # noqa: E402
    Cause,
    Donation,
    Event,
    PledgePage,
    Receipt,
    ReceiptCounter,
    User,
)
from fundraiser.receipts import issuing, numbering, values  # noqa: E402
from fundraiser.receipts.render import renderer  # noqa: E402

RENDERS = 50
# A tax year already over: year-end receipts are issued only once it has ended.
YEAR = 2025


def make_app(folder: Path):
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite'}"
    options = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {"pool_pre_ping": True}
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "REDIS_URL": None,
            "MAIL_SERVER": None,
        }
    )


def seed(donors: int) -> tuple[Cause, list[int]]:
    runner = User(email="bench-runner@example.test", name="Bench Runner", password_hash="x")
    cause = Cause(
        slug="bench-hot-meals",
        name="Hot Meals",
        legal_name="Hot Meals Portland Inc.",
        country="US",
        registration_number="12-3456789",
        default_currency="USD",
        address="400 Spring Street, Portland, OR 97204, USA",
        timezone="America/Los_Angeles",
        signatory_name="Pat Treasurer",
    )
    event = Event(
        slug="bench-10k", name="Portland 10K", starts_on=datetime(2026, 9, 1).date(), causes=[cause]
    )
    page = PledgePage(
        slug="bench-page",
        runner=runner,
        event=event,
        cause=cause,
        title="Bench runs the Portland 10K",
        target_amount=100_000,
        currency="USD",
        status="published",
    )
    db.session.add_all([runner, cause, event, page])
    db.session.flush()
    donation_ids = []
    paid = datetime(YEAR, 3, 1, 12, tzinfo=UTC)
    for n in range(donors * 2):
        donor = n % donors
        donation = Donation(
            page_id=page.id,
            cause_id=cause.id,
            event_id=event.id,
            currency="USD",
            amount=2500 + n,
            charged_amount=2500 + n,
            status="paid",
            paid_at=paid + timedelta(hours=n),
            donor_name=f"Donor {donor} Example",
            donor_email=f"donor{donor}@example.test",
            address_line1=f"{donor} Oak Street",
            address_city="Portland",
            address_postcode="97204",
            address_country="US",
        )
        db.session.add(donation)
        donation_ids.append(donation)
    db.session.flush()
    config = values.settings()
    for number, donation in enumerate(donation_ids, start=1):
        # Single receipts recorded without drawing: the bulk command only reads their values.
        text = numbering.display_number(cause.slug, "single", number)
        data = values.single_receipt_data(
            cause,
            donation,
            amount=donation.charged_amount,
            number=text,
            replaces_number=None,
            issued_at=donation.paid_at,
            config=config,
        )
        db.session.add(
            Receipt(
                cause_id=cause.id,
                number=number,
                display_number=text,
                kind="single",
                donation_id=donation.id,
                donor_email=donation.donor_email,
                gift_tax_year=YEAR,
                amount=donation.charged_amount,
                currency="USD",
                data=data,
                pdf=b"%PDF-bench",
                pdf_sha256="bench",
                email_status="sent",
            )
        )
    db.session.add(ReceiptCounter(cause_id=cause.id, series="single", last_number=len(donation_ids)))
    db.session.commit()
    return cause, [d.id for d in donation_ids]


def one_receipt(donation_id: int) -> bytes:
    """What issuing costs apart from storing: load, plain values, template, PDF/A, signature."""
    db.session.remove()
    donation = db.session.get(Donation, donation_id)
    cause = db.session.get(Cause, donation.cause_id)
    data = values.single_receipt_data(
        cause,
        donation,
        amount=values.receipted_amount(donation),
        number="BHM-000001",
        replaces_number=None,
        issued_at=datetime.now(UTC),
        config=values.settings(),
    )
    return issuing.signed_pdf(data, values.settings())


def median_ms(action, times: int = RENDERS) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds (CPU time is steadier on a shared machine)."""
    wall, cpu = [], []
    for _ in range(times):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def cpu_seconds() -> float:
    """CPU used by this process and its finished children (the bulk command's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bulk_rate(app, cause_id: int, workers: int) -> tuple[int, float, float, float]:
    """(receipts made, receipts per second, CPU ms per receipt, CPUs kept busy on average)."""
    db.session.execute(delete(Receipt).where(Receipt.kind == "annual"))
    db.session.execute(update(ReceiptCounter).where(ReceiptCounter.series == "annual").values(last_number=0))
    db.session.commit()
    start, start_cpu = time.perf_counter(), cpu_seconds()
    result = app.test_cli_runner().invoke(
        args=[
            "receipts",
            "annual",
            "--cause",
            "bench-hot-meals",
            "--year",
            str(YEAR),
            "--workers",
            str(workers),
        ]
    )
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - start_cpu
    if result.exit_code != 0:
        raise SystemExit(result.output + repr(result.exception))
    made = db.session.query(Receipt).filter(Receipt.kind == "annual", Receipt.pdf_sha256 != "").count()
    return made, made / elapsed, cpu * 1000 / made, cpu / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--donors", type=int, default=120, help="donors for the bulk year-end run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        with app.app_context():
            db.create_all()
            cause, donation_ids = seed(args.donors)
            cause_id = cause.id
            rates: dict[int, float] = {}
            draw = renderer(app.config["UPLOAD_FOLDER"])
            draw.warm()
            one_receipt(donation_ids[0])
            receipt_ms, receipt_cpu = median_ms(lambda: one_receipt(donation_ids[0]))
            floor_ms, floor_cpu = median_ms(draw.minimal_pdf)
            print(
                f"single receipt (load + template + PDF/A + signature): median {receipt_ms:6.1f} ms ({receipt_cpu:.1f} ms CPU)"
            )
            print(
                f"floor (minimal one-page PDF, same fonts): median {floor_ms:6.1f} ms ({floor_cpu:.1f} ms CPU)"
            )
            print(
                f"ratio receipt / floor: {receipt_ms / floor_ms:.2f}x wall, {receipt_cpu / floor_cpu:.2f}x CPU"
                " (target <= 3x)"
            )
            print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            for workers in (1, 2):
                made, rate, cpu_ms, busy = bulk_rate(app, cause_id, workers)
                rates[workers] = rate
                print(
                    f"year-end bulk, {workers} worker{'s' if workers > 1 else ' '}: {rate:6.1f} receipts/s"
                    f" ({made} receipts; {cpu_ms:.0f} ms CPU each; {busy:.2f} CPUs busy)"
                )
            print(f"speed-up with 2 workers: {rates[2] / rates[1]:.2f}x (target >= 1.8x)")
            print(f"load average at end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
