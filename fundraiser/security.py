"""Security headers on every response, built with the `secure` library.

A strict Content-Security-Policy: scripts, styles, images, fetches and forms from this site
only, no inline script or style, no plugins, and no framing by anyone (`frame-ancestors
'none'`, X-Frame-Options for older browsers). A page that loads Stripe.js (through the
`stripe_js` template global, the only way a template includes it) also allows Stripe's
script, frames and API for that response alone: at Stripe, the sources Stripe's integration security guide
lists; with the local stand-in (STRIPE_JS_URL on 127.0.0.1), its own address. HSTS is sent
when HSTS_SECONDS is above 0, as production sets it.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Flask, g
from flask.wrappers import Response
from markupsafe import Markup
from secure import (
    ContentSecurityPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)

STRIPE_JS_ORIGIN = "https://js.stripe.com"
# https://docs.stripe.com/security/guide#content-security-policy (Stripe.js and Elements,
# without the address autocomplete we do not use).
STRIPE_SOURCES = {
    "script": ("https://js.stripe.com", "https://*.js.stripe.com"),
    "frame": ("https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"),
    "connect": ("https://api.stripe.com",),
}


def register(app: Flask) -> None:
    """Add the headers to every response, error pages and static files included."""

    app.add_template_global(stripe_js)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        """A header the view set itself stays (the reset-password page's stricter
        `Referrer-Policy: no-referrer`); every other one is added."""
        headers = headers_for(g.pop("stripe_js_url", None), int(app.config.get("HSTS_SECONDS", 0)))
        for name, value in headers.header_items():
            response.headers.setdefault(name, value)
        return response


def stripe_js(url: str) -> Markup:
    """The script tag that loads Stripe.js from `url`, and this response's permission for it."""
    g.stripe_js_url = url
    return Markup('<script src="{}"></script>').format(url)


@functools.lru_cache(maxsize=16)
def headers_for(stripe_js_url: str | None, hsts_seconds: int) -> Secure:
    """The headers for a page (with Stripe.js from `stripe_js_url`, or without)."""
    sources = stripe_sources(stripe_js_url) if stripe_js_url else {"script": (), "frame": (), "connect": ()}
    csp = (
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'", *sources["script"])
        .style_src("'self'")
        .img_src("'self'")
        .font_src("'self'")
        .connect_src("'self'", *sources["connect"])
        .frame_src(*(sources["frame"] or ("'none'",)))
        .object_src("'none'")
        .base_uri("'none'")
        .form_action("'self'")
        .frame_ancestors("'none'")
    )
    return Secure(
        csp=csp,
        hsts=StrictTransportSecurity().max_age(hsts_seconds) if hsts_seconds > 0 else None,
        referrer=ReferrerPolicy().same_origin(),
        xcto=XContentTypeOptions().nosniff(),
        xfo=XFrameOptions().deny(),
    )


def stripe_sources(stripe_js_url: str) -> dict[str, tuple[str, ...]]:
    """Stripe's documented sources, or the stand-in's one address (it serves its Stripe.js
    and answers that script's calls from the same origin, with no frames)."""
    parts = urlsplit(stripe_js_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if origin == STRIPE_JS_ORIGIN:
        return STRIPE_SOURCES
    return {"script": (origin,), "frame": (origin,), "connect": (origin,)}
