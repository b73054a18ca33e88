"""Web-tier throughput against the floor of our own stack.

    .venv/bin/python bench/http.py            (or: make bench-http)

For each database (SQLite, then PostgreSQL in a database `bench_http` it creates and drops)
and each size (1,000 donations, then --large, 1,000,000 by default), it seeds with
bench/seed.py plus an event of 500 pledge pages and one "viral" page holding a tenth of the
donations, starts the app under gunicorn with the production config, and drives each route
with wrk from a second process on 127.0.0.1 for --seconds. It prints requests/s and p50/p99
latency per route, each route's throughput as a share of the floor (a constant page from the
same app and gunicorn, no database), and the large run as a share of the small one; then
writes the table to docs/performance.md. Everything is bounded in time and stops by itself.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Run as a script, this file's folder leads sys.path, and this file would shadow the
# standard library's `http` for every import below: put the project root there instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import requests  # noqa: E402

from bench._common import (  # noqa: E402
    CORES,
    VIRAL_EVENT,
    VIRAL_PAGE,
    Load,
    bench_database,
    errors_logged,
    gunicorn,
    log,
    machine_line,
    now_text,
    seed_world,
    write_table,
    wrk,
)

# A visitor who has just given carries this cookie: their pages are drawn fresh every time
# (no render cache), which is the full cost of a page: queries plus template.
JUST_GAVE = {"Cookie": "rt_gave=1"}
ROUNDS = 3
ROUTES = (
    "floor",
    "pledge page",
    "pledge page, fresh",
    "event page (500 pages)",
    "event page, fresh",
    "cause page",
    "cause page, fresh",
    "status poll",
)


def route_paths(world: dict) -> dict[str, tuple[str, dict]]:
    pledge, event, cause = f"/{VIRAL_PAGE}", f"/events/{VIRAL_EVENT}", "/causes/bench-hot-meals"
    return {
        "floor": ("/_floor", {}),
        "pledge page": (pledge, {}),
        "pledge page, fresh": (pledge, JUST_GAVE),
        "event page (500 pages)": (event, {}),
        "event page, fresh": (event, JUST_GAVE),
        "cause page": (cause, {}),
        "cause page, fresh": (cause, JUST_GAVE),
        "status poll": (f"/donations/{world['public_id']}/status", {}),
    }


def measure(kind: str, size: int, seconds: int) -> tuple[dict[str, Load], dict]:
    name = "bench_http" if kind == "postgresql" else "bench-http"
    with bench_database(kind, name) as url:
        log(f"[{kind}] seeding {size:,} donations ...")
        world = seed_world(url, size)
        log(f"[{kind}] seeded {world['donations']:,} donation rows in {world['seconds']:.0f} s")
        with gunicorn(url) as server:
            paths = route_paths(world)
            for path, headers in paths.values():  # warm every worker's caches and connections
                for _ in range(20):
                    response = requests.get(server.url + path, headers=headers, timeout=10)
                    response.raise_for_status()
            # The machine is shared, so its speed drifts: each route is paired with a floor
            # measured just before it, in ROUNDS rounds; the round with the median ratio is kept.
            results, floors = {}, {}
            for route, (path, headers) in paths.items():
                if route == "floor":
                    continue
                rounds = []
                for _ in range(ROUNDS):
                    floor = wrk(server.url + paths["floor"][0], seconds)
                    load = wrk(server.url + path, seconds, headers=headers)
                    rounds.append((load.requests_per_second / floor.requests_per_second, floor, load))
                    for name, measured in (("floor", floor), (route, load)):
                        log(
                            f"[{kind} {size:,}] {name:24} {measured.requests_per_second:8.0f} req/s  "
                            f"p50 {measured.p50_ms:6.1f} ms  p99 {measured.p99_ms:6.1f} ms  "
                            f"errors {measured.errors}"
                        )
                _, floors[route], results[route] = sorted(rounds, key=lambda item: item[0])[ROUNDS // 2]
            results["floor"] = floors["pledge page"]
            floors["floor"] = floors["pledge page"]
            world["server_errors"] = errors_logged(server)
    return results, floors, world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", type=int, default=1_000_000, help="donations in the large run")
    parser.add_argument("--small", type=int, default=1_000, help="donations in the small run")
    parser.add_argument("--seconds", type=int, default=3, help="wrk duration per route and round")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--no-docs", action="store_true", help="print only, leave docs/performance.md")
    args = parser.parse_args()
    started = time.perf_counter()
    rows, lines, measured_at = [], [], {}
    for kind in args.databases.split(","):
        measured_at[kind] = now_text()
        small, floor_small, _ = measure(kind, args.small, args.seconds)
        large, floor_large, world = measure(kind, args.large, args.seconds)
        lines.append(f"\n{kind} ({CORES} cores), {args.small:,} vs {world['donations']:,} donation rows")
        lines.append(
            f"{'route':24} {'small r/s':>9} {'p50':>7} {'p99':>7} {'large r/s':>9} {'p50':>7} {'p99':>7}"
            f" {'small/floor':>11} {'large/floor':>11} {'large/small':>11}"
        )
        for route in ROUTES:
            s, g = small[route], large[route]
            ratio_small = s.requests_per_second / floor_small[route].requests_per_second
            ratio_large = g.requests_per_second / floor_large[route].requests_per_second
            # Large against small, each first divided by its own floor (the drift taken out).
            growth = ratio_large / ratio_small
            lines.append(
                f"{route:24} {s.requests_per_second:9.0f} {s.p50_ms:6.1f}ms {s.p99_ms:6.1f}ms"
                f" {g.requests_per_second:9.0f} {g.p50_ms:6.1f}ms {g.p99_ms:6.1f}ms"
                f" {ratio_small:11.2f} {ratio_large:11.2f} {growth:11.2f}"
            )
            rows.append(
                [
                    kind,
                    f"{CORES}",
                    measured_at[kind],
                    route,
                    f"{s.requests_per_second:.0f}",
                    f"{s.p50_ms:.1f} / {s.p99_ms:.1f}",
                    f"{g.requests_per_second:.0f}",
                    f"{g.p50_ms:.1f} / {g.p99_ms:.1f}",
                    f"{ratio_small:.2f}",
                    f"{ratio_large:.2f}",
                    f"{growth:.2f}",
                    str(s.errors + g.errors),
                ]
            )
        lines.append(f"server tracebacks in the large run: {world['server_errors']}")
    print("\n".join(lines))
    print(f"\nbench/http.py took {time.perf_counter() - started:.0f} s")
    if not args.no_docs:
        write_table(
            "bench-http",
            [
                "database",
                "cores",
                "measured (UTC, load avg)",
                "route",
                f"{args.small:,}: req/s",
                "p50 / p99 ms",
                f"{args.large:,}: req/s",
                "p50 / p99 ms",
                "small ÷ its floor",
                "large ÷ its floor",
                "large ÷ small (floor-normalised)",
                "errors",
            ],
            rows,
            machine_line()
            + f" wrk 1 thread, 16 connections; each route {ROUNDS} rounds of {args.seconds} s, each right"
            f" after {args.seconds} s of the floor route; the table shows the round with the median"
            " ratio to its floor (the floor row: the one paired with the pledge page)."
            ' "fresh" is a visitor with the just-gave cookie, whose page is drawn anew every time.'
            + (" (Large run below 1,000,000: see the note.)" if args.large < 1_000_000 else ""),
        )


if __name__ == "__main__":
    main()
