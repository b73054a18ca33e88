"""localstripe, the development Stripe stand-in, listening on 127.0.0.1 only.

`python -m localstripe` binds every interface (IPv4 and IPv6) and has no option to choose
one; this runs the same aiohttp app, with the same two options, bound to loopback.
Used by dev/devserver.py (`make run`), tests/stripe_fixtures.py and `make smoke-production`.

    python dev/localstripe_local.py --port 8420 [--from-scratch]
"""

from __future__ import annotations

import argparse
import logging

from aiohttp import web
from localstripe.server import app, store

HOST = "127.0.0.1"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--from-scratch", action="store_true", help="start with no saved objects")
    args = parser.parse_args(argv)
    if not args.from_scratch:
        store.try_load_from_disk()
    access_log = logging.getLogger("aiohttp.access")
    access_log.setLevel(logging.DEBUG)
    access_log.addHandler(logging.StreamHandler())
    web.run_app(app, host=HOST, port=args.port, access_log=access_log)


if __name__ == "__main__":
    main()
