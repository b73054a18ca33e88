"""A tiny HTTP server that answers as Stripe's API would for the few calls a test names,
and records every request (method, path, headers, form), so a test can see what our
real-Stripe gateway (`StripeGateway`, not the localstripe one) puts on the wire.

`recording_stripe.answer("GET", "/v1/disputes", body)` sets an answer; unknown paths get
Stripe's 404 error object. Started on 127.0.0.1 for one test.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]


class RecordingStripe:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.answers: dict[tuple[str, str], dict[str, Any]] = {}
        self.url = ""

    def answer(self, method: str, path: str, body: dict[str, Any]) -> None:
        self.answers[(method, path)] = body


def _handler(stripe: RecordingStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            stripe.requests.append(
                Recorded(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    {name.lower(): value for name, value in self.headers.items()},
                    dict(parse_qsl(body)),
                )
            )
            answer = stripe.answers.get((self.command, parts.path))
            status = 200 if answer is not None else 404
            if answer is None:
                answer = {"error": {"type": "invalid_request_error", "message": "No such object"}}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def recording_stripe() -> Iterator[RecordingStripe]:
    stripe = RecordingStripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stripe))
    stripe.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stripe
    finally:
        server.shutdown()
        server.server_close()
