"""`make run`: serve the app on http://127.0.0.1:5000 for development (never in production:
it lives outside the package).

With no STRIPE_SECRET_KEY in the environment, donations go to localstripe, a local Stripe
stand-in: it is started on 127.0.0.1:8420 (loopback only, dev/localstripe_local.py) (unless one already answers there), the app is
pointed at it with test keys and its stand-in Stripe.js, and the app's webhook is
registered with it. With real keys set, nothing extra starts and real Stripe is used.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from fundraiser import create_app

# localstripe through our wrapper, which binds it to 127.0.0.1 only.
LOCALSTRIPE_LOCAL = Path(__file__).resolve().parent / "localstripe_local.py"
LOCALSTRIPE_PORT = int(os.environ.get("LOCALSTRIPE_PORT", 8420))
LOCALSTRIPE_URL = f"http://127.0.0.1:{LOCALSTRIPE_PORT}"
WEBHOOK_ID = "running-together-dev"


def localstripe_answers(url: str = LOCALSTRIPE_URL) -> bool:
    try:
        return requests.get(f"{url}/js.stripe.com/v3/", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def start_localstripe(port: int = LOCALSTRIPE_PORT) -> subprocess.Popen:
    """Run localstripe as a child process and wait until it answers."""
    process = subprocess.Popen(
        [sys.executable, str(LOCALSTRIPE_LOCAL), "--from-scratch", "--port", str(port)]
    )
    deadline = time.monotonic() + 30
    while not localstripe_answers():
        if process.poll() is not None:
            raise RuntimeError(f"localstripe exited with code {process.returncode}")
        if time.monotonic() > deadline:
            stop(process)
            raise RuntimeError("localstripe did not answer within 30 seconds")
        time.sleep(0.2)
    return process


def register_webhook(app_port: int, secret: str) -> None:
    """Ask localstripe to send its events to this app's webhook, signed with `secret`."""
    response = requests.post(
        f"{LOCALSTRIPE_URL}/_config/webhooks/{WEBHOOK_ID}",
        data={"url": f"http://127.0.0.1:{app_port}/stripe/webhook", "secret": secret},
        timeout=5,
    )
    response.raise_for_status()


def localstripe_settings() -> dict[str, Any]:
    return {
        "STRIPE_SECRET_KEY": "sk_test_localstripe",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
        "STRIPE_WEBHOOK_SECRET": "whsec_dev_" + secrets.token_hex(16),
        "STRIPE_API_BASE": LOCALSTRIPE_URL,
        "STRIPE_JS_URL": f"{LOCALSTRIPE_URL}/js.stripe.com/v3/",
    }


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    port = int(os.environ.get("PORT", 5000))
    # `finally` below must run when `make` or a terminal sends SIGTERM, not only on Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    child = None
    overrides: dict[str, Any] = {}
    if not os.environ.get("STRIPE_SECRET_KEY"):
        if not localstripe_answers():
            child = start_localstripe()
        overrides = localstripe_settings()
    try:
        app = create_app(overrides or None)
        if overrides:
            register_webhook(port, overrides["STRIPE_WEBHOOK_SECRET"])
            print(
                f" * Payments: localstripe at {LOCALSTRIPE_URL} (test card 4242 4242 4242 4242); "
                f"its webhook goes to http://127.0.0.1:{port}/stripe/webhook",
                flush=True,
            )
        app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False, threaded=True)
    finally:
        stop(child)


if __name__ == "__main__":
    main()
