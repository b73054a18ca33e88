"""HTTP caching for the public pages: an ETag on every answer, and Cache-Control that lets a
shared cache absorb a spike of anonymous visitors while nobody with a personal view (signed
in, or who has just given) is ever served a stale copy.

A donor's own totals must be fresh right after giving, so the donation flow's pages set a
short-lived `rt_gave` cookie; while it lives, public pages are `private, no-cache` for that
browser (revalidated on every view, so the new total shows at once).

Each worker also keeps the anonymous render of a public page for PAGE_CACHE_SECONDS (5 s by
default, 0 when testing): during a spike the page is drawn once per worker every few seconds
instead of once per visitor. That is no staler than the `max-age=30` a shared cache in front
may already serve; personal views never read or fill it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, make_response, request, session

from fundraiser.permissions import signed_in_user

GAVE_COOKIE = "rt_gave"
GAVE_SECONDS = 15 * 60
PUBLIC_MAX_AGE = 30
PUBLIC = f"public, max-age={PUBLIC_MAX_AGE}"
PERSONAL = "private, no-cache"
# The donation flow's endpoints after which the visitor counts as someone who just gave.
GIVING_ENDPOINTS = frozenset({"donations.pay", "donations.thank_you", "donations.status"})


MAX_RENDERS = 1_000


@dataclass(frozen=True)
class Render:
    body: bytes
    mimetype: str
    expires: float


class RenderCache:
    """Anonymous renders of public pages by path and query, for a few seconds, in this process."""

    def __init__(self, size: int = MAX_RENDERS) -> None:
        self.size = size
        self.renders: OrderedDict[str, Render] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Render | None:
        with self.lock:
            render = self.renders.get(key)
            if render is None or render.expires < time.monotonic():
                return None
            return render

    def put(self, key: str, body: bytes, mimetype: str, seconds: float) -> None:
        with self.lock:
            self.renders[key] = Render(body, mimetype, time.monotonic() + seconds)
            self.renders.move_to_end(key)
            while len(self.renders) > self.size:
                self.renders.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.renders.clear()


renders = RenderCache()


def render_seconds() -> int:
    """PAGE_CACHE_SECONDS; 0 turns the render cache off."""
    return current_app.config["PAGE_CACHE_SECONDS"]


def is_personal_view() -> bool:
    """Signed in, or gave a moment ago: this visitor's copy of a page is theirs alone."""
    return signed_in_user() is not None or GAVE_COOKIE in request.cookies


def add_cache_headers(response: Response) -> Response:
    """ETag (a hash of the body) and Cache-Control; a matching If-None-Match becomes a 304."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    personal = is_personal_view() or session.modified
    response.headers["Cache-Control"] = PERSONAL if personal else PUBLIC
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)


def public_page(view: Callable[..., Any]) -> Callable[..., Response]:
    """Decorate a public page's view so its answer carries the cache headers."""

    @wraps(view)
    def cached(*args: Any, **kwargs: Any) -> Response:
        seconds = render_seconds()
        shared = (
            seconds > 0
            and request.method in ("GET", "HEAD")
            and not is_personal_view()
            and "_flashes" not in session
        )
        key = request.full_path
        render = renders.get(key) if shared else None
        if render is not None:
            return add_cache_headers(Response(render.body, mimetype=render.mimetype))
        response = make_response(view(*args, **kwargs))
        if shared and response.status_code == 200 and not session.modified:
            renders.put(key, response.get_data(), response.mimetype, seconds)
        return add_cache_headers(response)

    return cached


def register_gave_cookie(blueprint: Blueprint) -> None:
    """Mark a browser that has just been through the donation flow (see module docstring)."""

    @blueprint.after_app_request
    def mark_recent_donor(response: Response) -> Response:
        submitted = request.endpoint == "donations.donate" and request.method == "POST"
        if submitted or (request.endpoint in GIVING_ENDPOINTS and response.status_code == 200):
            response.set_cookie(
                GAVE_COOKIE,
                "1",
                max_age=GAVE_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            )
        return response
