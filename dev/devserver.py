"""`make run`: serve the app on http://127.0.0.1:5000 for development (never in production:
it lives outside the package).

With no STRIPE_SECRET_KEY in the environment, donations go to localstripe, a local Stripe
stand-in: it is started on 127.0.0.1:8420 (loopback only, dev/localstripe_local.py) (unless one already answers there), the app is
pointed at it with test keys and its stand-in Stripe.js, and the app's webhook is
registered with it. With real keys set, nothing extra starts and real Stripe is used.

With PAYMENTS_MODE=connect as well, the Connect stand-in (dev/connect_stand_in.py: accounts,
account links, per-account objects) is started on 127.0.0.1:8421 in front of localstripe and
the app talks to it instead, so each demo cause can be connected and take gifts.
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
CONNECT_STAND_IN_PORT = int(os.environ.get("CONNECT_STAND_IN_PORT", 8421))
CONNECT_STAND_IN_URL = f"http://127.0.0.1:{CONNECT_STAND_IN_PORT}"
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


def start_connect_stand_in() -> subprocess.Popen:
    """Run the Connect stand-in in front of localstripe and wait until it answers."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dev.connect_stand_in",
            "--port",
            str(CONNECT_STAND_IN_PORT),
            "--upstream",
            LOCALSTRIPE_URL,
        ]
    )
    deadline = time.monotonic() + 30
    while not localstripe_answers(CONNECT_STAND_IN_URL):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError("the Connect stand-in did not start")
        time.sleep(0.2)
    return process


def register_webhook(app_port: int, secret: str, api_url: str = LOCALSTRIPE_URL) -> None:
    """Ask the stand-in to send its events to this app's webhook, signed with `secret`."""
    response = requests.post(
        f"{api_url}/_config/webhooks/{WEBHOOK_ID}",
        data={"url": f"http://127.0.0.1:{app_port}/stripe/webhook", "secret": secret},
        timeout=5,
    )
    response.raise_for_status()


def localstripe_settings(api_url: str = LOCALSTRIPE_URL) -> dict[str, Any]:
    return {
        "STRIPE_SECRET_KEY": "sk_test_localstripe",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
        "STRIPE_WEBHOOK_SECRET": "whsec_dev_" + secrets.token_hex(16),
        "STRIPE_API_BASE": api_url,
        "STRIPE_JS_URL": f"{api_url}/js.stripe.com/v3/",
        "STRIPE_STAND_IN": True,
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
    children: list[subprocess.Popen] = []
    overrides: dict[str, Any] = {}
    connect = os.environ.get("PAYMENTS_MODE") == "connect"
    api_url = CONNECT_STAND_IN_URL if connect else LOCALSTRIPE_URL
    try:
        if not os.environ.get("STRIPE_SECRET_KEY"):
            if not localstripe_answers():
                children.append(start_localstripe())
            if connect and not localstripe_answers(CONNECT_STAND_IN_URL):
                children.append(start_connect_stand_in())
            overrides = localstripe_settings(api_url)
        app = create_app(overrides or None)
        if overrides:
            register_webhook(port, overrides["STRIPE_WEBHOOK_SECRET"], api_url)
            stand_in = "the Connect stand-in" if connect else "localstripe"
            print(
                f" * Payments ({app.config['PAYMENTS_MODE']} mode): {stand_in} at {api_url} "
                f"(test card 4242 4242 4242 4242); its webhook goes to http://127.0.0.1:{port}/stripe/webhook",
                flush=True,
            )
        app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False, threaded=True)
    finally:
        for child in reversed(children):
            stop(child)


if __name__ == "__main__":
    main()
