"""Background work: inline when no REDIS_URL is set, through RQ workers when it is.

A job is a plain function that takes plain values. In a worker it runs inside an app
context made by `run_in_app`, and commits its own work once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)


def enqueue(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `func(*args, **kwargs)` in the background, or now when there is no Redis."""
    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        try:
            func(*args, **kwargs)
        except Exception:  # inline jobs must not break the request that queued them
            log.exception("Inline job %s failed", func.__qualname__)
        return
    from redis import Redis
    from rq import Queue, Retry

    queue = Queue(connection=Redis.from_url(redis_url))
    queue.enqueue(
        run_in_app,
        f"{func.__module__}:{func.__qualname__}",
        args,
        kwargs,
        retry=Retry(max=5, interval=[10, 30, 60, 300, 900]),
    )


def run_in_app(target: str, args: tuple, kwargs: dict) -> Any:
    """Entry point for RQ: build the app once per worker process and call the job in it."""
    import importlib

    from fundraiser import create_app

    global _worker_app
    if _worker_app is None:
        _worker_app = create_app()
    module_name, func_name = target.split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    with _worker_app.app_context():
        return func(*args, **kwargs)


_worker_app = None
