"""Webhook throughput against its floor, with exact totals at the end.

    .venv/bin/python bench/webhooks.py        (or: make bench-webhooks)

For each database (SQLite, then PostgreSQL in a database `bench_webhooks` it creates and
drops) and each way of running receipts (inline in the webhook request when REDIS_URL is
unset; queued to a Redis it starts itself, and not run, when it is set), it seeds bench data
plus N pending donations, starts the app under gunicorn with the production config, and
sends N distinct signed `payment_intent.succeeded` events (plus ~10% repeats of them, in a
shuffled order) from concurrent asyncio clients on 127.0.0.1. The same payloads go first to
the floor route, which only verifies the signature. It prints events/s for both, checks that
every donation is paid once, that every stored total (page, event, cause) equals the sum of
its paid donations, and that no request failed; then writes docs/performance.md's table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

import aiohttp  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench._common import (  # noqa: E402
    CORES,
    WEBHOOK_SECRET,
    add_pending,
    bench_database,
    engine_for,
    errors_logged,
    free_port,
    gunicorn,
    log,
    machine_line,
    now_text,
    seed_world,
    total_mismatches,
    write_table,
)

CLIENTS = 16
ROUNDS = 5
MODES = {"inline": "receipts inline (no REDIS_URL)", "queued": "REDIS_URL set (receipt jobs queued)"}


def succeeded_event(n: int, donation: dict) -> dict:
    return {
        "id": f"evt_bench_{n:08d}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "livemode": False,
        "type": "payment_intent.succeeded",
        "data": {
            "object": {
                "id": donation["stripe_payment_intent_id"],
                "object": "payment_intent",
                "amount": donation["charged_amount"],
                "amount_received": donation["charged_amount"],
                "currency": donation["currency"].lower(),
                "status": "succeeded",
                "latest_charge": "ch_bench_" + donation["public_id"][:20],
                "metadata": {"donation_id": str(donation["id"]), "public_id": donation["public_id"]},
            }
        },
    }


def signature(payload: bytes) -> str:
    timestamp = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


async def _send_all(url: str, payloads: list[bytes], deadline: float) -> tuple[float, Counter]:
    """POST every payload once, CLIENTS at a time; returns (seconds, answers by kind)."""
    answers: Counter = Counter()
    queue: asyncio.Queue = asyncio.Queue()
    for payload in payloads:
        queue.put_nowait(payload)

    async def client(http: aiohttp.ClientSession) -> None:
        while not queue.empty() and time.monotonic() < deadline:
            payload = queue.get_nowait()
            headers = {"Stripe-Signature": signature(payload), "Content-Type": "application/json"}
            try:
                async with http.post(url, data=payload, headers=headers) as response:
                    body = await response.json(content_type=None)
                    kind = body.get("status", "?") if response.status == 200 else f"HTTP {response.status}"
            except (TimeoutError, aiohttp.ClientError, ValueError) as error:
                kind = f"client error {type(error).__name__}"
            answers[kind] += 1

    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=CLIENTS)
    started = time.perf_counter()
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        await asyncio.gather(*(client(http) for _ in range(CLIENTS)))
    answers["not sent (time limit)"] += queue.qsize()
    return time.perf_counter() - started, answers


def send_all(url: str, payloads: list[bytes], time_limit: float) -> tuple[float, Counter]:
    return asyncio.run(_send_all(url, payloads, time.monotonic() + time_limit))


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway redis-server on a free port of 127.0.0.1, without persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as folder:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.5)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


def paid_count(url: str) -> int:
    engine = engine_for(url)
    with engine.connect() as conn:
        count = conn.scalar(
            sa.text(
                "SELECT COUNT(*) FROM donations WHERE status = 'paid' "
                "AND stripe_payment_intent_id LIKE 'pi_bench_%'"
            )
        )
    engine.dispose()
    return int(count)


def measure(kind: str, mode: str, events: int, time_limit: float) -> dict:
    name = "bench_webhooks" if kind == "postgresql" else "bench-webhooks"
    measured = now_text()
    with bench_database(kind, name) as url, contextlib.ExitStack() as stack:
        seed_world(url, 1_000)
        pending = add_pending(engine_for(url), events)
        rng = random.Random(7)
        payloads = [json.dumps(succeeded_event(n, d)).encode() for n, d in enumerate(pending)]
        payloads += rng.sample(payloads, len(payloads) // 10)  # Stripe delivers some twice
        rng.shuffle(payloads)
        redis_url = stack.enter_context(redis_server()) if mode == "queued" else None
        server = stack.enter_context(gunicorn(url, redis_url=redis_url))
        send_all(server.url + "/_floor/stripe-webhook", payloads[:50], time_limit)  # warm the workers
        # Floor and webhook take turns on the same slices of the events, so each round's ratio
        # compares two measurements seconds apart: the shared machine's speed drifts by more
        # than the effect being measured over a minute.
        floor_answers: Counter = Counter()
        answers: Counter = Counter()
        floor_seconds = seconds = 0.0
        ratios = []
        for part in (payloads[n::ROUNDS] for n in range(ROUNDS)):
            floor_took, floor_got = send_all(server.url + "/_floor/stripe-webhook", part, time_limit)
            took, got = send_all(server.url + "/stripe/webhook", part, time_limit)
            floor_answers += floor_got
            answers += got
            floor_seconds += floor_took
            seconds += took
            ratios.append(floor_took / took)
        tracebacks = errors_logged(server)
        paid = paid_count(url)
        mismatches = total_mismatches(url)
    bad = sum(n for k, n in answers.items() if k not in ("processed", "duplicate"))
    result = {
        "measured": measured,
        "kind": kind,
        "mode": mode,
        "sent": len(payloads),
        "floor_rate": sum(floor_answers.values()) / floor_seconds,
        "floor_bad": sum(n for k, n in floor_answers.items() if k != "verified"),
        "rate": len(payloads) / seconds,
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "answers": dict(answers),
        "errors": bad + tracebacks,
        "paid": paid,
        "expected_paid": events,
        "mismatches": mismatches,
    }
    result["exact"] = not mismatches and paid == events
    log(
        f"[{kind}, {MODES[mode]}] floor {result['floor_rate']:.0f} ev/s, webhook {result['rate']:.0f} ev/s; "
        f"ratio by round {', '.join(f'{r:.2f}' for r in ratios)} (median {result['ratio']:.2f}); answers {dict(answers)}; "
        f"paid {paid}/{events}; totals {'exact' if not mismatches else mismatches[:5]}; "
        f"server tracebacks {tracebacks}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events", type=int, default=3_000, help="distinct payment_intent.succeeded events, receipts queued"
    )
    parser.add_argument(
        "--inline-events",
        type=int,
        default=500,
        help="the same with receipts drawn in the request (about 20 a second)",
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--modes", default="inline,queued")
    parser.add_argument("--time-limit", type=float, default=240, help="seconds at most per phase")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    results = [
        measure(kind, mode, args.inline_events if mode == "inline" else args.events, args.time_limit)
        for kind in args.databases.split(",")
        for mode in args.modes.split(",")
    ]
    print(
        f"\n{'database':11} {'receipts':38} {'floor ev/s':>10} {'webhook ev/s':>12} {'ratio':>6}  exact  errors"
    )
    rows = []
    for r in results:
        ratio = r["ratio"]
        print(
            f"{r['kind']:11} {MODES[r['mode']]:38} {r['floor_rate']:10.0f} {r['rate']:12.0f} {ratio:6.2f}"
            f"  {'yes' if r['exact'] else 'NO':5}  {r['errors']}"
        )
        rows.append(
            [
                r["kind"],
                f"{CORES}",
                r["measured"],
                MODES[r["mode"]],
                f"{r['sent']:,} ({r['expected_paid']:,} distinct)",
                f"{r['floor_rate']:.0f}",
                f"{r['rate']:.0f}",
                f"{ratio:.2f}",
                "yes" if r["exact"] else "NO",
                str(r["errors"]),
            ]
        )
    print(f"\nbench/webhooks.py took {time.perf_counter() - started:.0f} s")
    if not args.no_docs:
        write_table(
            "bench-webhooks",
            [
                "database",
                "cores",
                "measured (UTC, load avg)",
                "receipts",
                "events sent",
                "floor ev/s",
                "webhook ev/s",
                f"÷ floor (median of {ROUNDS} rounds)",
                "totals exact",
                "errors",
            ],
            rows,
            machine_line() + f" {CLIENTS} concurrent asyncio clients.",
        )
    if not all(r["exact"] and r["errors"] == 0 for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
