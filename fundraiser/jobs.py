"""Background work: inline when no REDIS_URL is set, through RQ workers when it is.

A job is a plain function that takes plain values. In a worker it runs inside an app
context made by `run_in_app`, and commits its own work once.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry

log = logging.getLogger(__name__)


def enqueue(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `func(*args, **kwargs)` in the background, or now when there is no Redis.

    When Redis is configured but cannot be reached, the job runs inline instead: a receipt
    made slowly is better than one never made (the webhook that queued it will not repeat)."""
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        queue = _queue(redis_url)
        try:
            # One round trip to Redis: RQ would otherwise send the queue's registration and
            # the job in two.
            with queue.connection.pipeline() as pipeline:
                queue.enqueue(
                    run_in_app,
                    f"{func.__module__}:{func.__qualname__}",
                    args,
                    kwargs,
                    retry=Retry(max=5, interval=[10, 30, 60, 300, 900]),
                    pipeline=pipeline,
                )
                pipeline.execute()
            return
        except RedisError as error:
            # An outage is expected and handled: one line with its cause, not a traceback per job.
            log.warning("Redis unreachable (%s); running job %s inline", error, func.__qualname__)
    try:
        func(*args, **kwargs)
    except Exception:  # inline jobs must not break the request that queued them
        log.exception("Inline job %s failed", func.__qualname__)


@functools.cache
def _queue(url: str) -> Queue:
    """One queue and connection pool per process and URL: a new Queue would ask Redis for
    its version again, a new connection would cost a handshake per job."""
    return Queue(connection=Redis.from_url(url))


def run_in_app(target: str, args: tuple, kwargs: dict) -> Any:
    """Entry point for RQ: call the job inside an app context, building the app once per
    worker process (or using the app already current, as a test's burst worker does)."""
    # Imported here, not at the top: the app factory imports the views, which import this
    # module to queue jobs.
    from fundraiser import create_app

    module_name, func_name = target.split(":")
    func = getattr(importlib.import_module(module_name), func_name)
    if has_app_context():
        return func(*args, **kwargs)
    global _worker_app
    if _worker_app is None:
        _worker_app = create_app()
    with _worker_app.app_context():
        return func(*args, **kwargs)


_worker_app: Flask | None = None
