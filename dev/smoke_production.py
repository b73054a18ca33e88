"""`make smoke-production`: the README's production section, run as written.

The fenced blocks of README.md marked `<!-- production-... -->` are taken out of the README
and run with bash in a fresh copy of the checkout (`/srv/running-together`, the README's one
placeholder, becomes that copy): a new virtualenv with requirements.txt alone, the settings
from `production.env`, `flask db upgrade`, `flask create-admin`, gunicorn and one RQ worker.
Around them: PostgreSQL on 127.0.0.1:5432 (a database made for the run), Redis on
127.0.0.1:6379 (database 13, emptied), a local SMTP server (aiosmtpd) and the Stripe stand-in
(dev/localstripe_local.py). Then one donation over HTTP as a browser and Stripe would make it
(the form, a PaymentIntent paid through the stand-in, a signed `payment_intent.succeeded`
webhook), and the receipt email must arrive with its PDF. The crontab lines run last.

Everything listens on 127.0.0.1. The settings differ from a real installation's only where
the stand-ins need it: the stand-in's STRIPE_API_BASE (allowed with STRIPE_ALLOW_STAND_IN=1),
and SESSION_COOKIE_SECURE=0 because there is no TLS proxy in front of gunicorn here.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from email.message import EmailMessage
from pathlib import Path

import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from redis import Redis

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = "/srv/running-together"
BLOCK = re.compile(r"<!-- (production-[a-z]+) -->\n```[a-z]*\n(.*?)```", re.DOTALL)
POSTGRES = os.environ.get("SMOKE_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/13")
STRIPE_KEY = "sk_test_localstripe"
DONOR = f"smoke-{secrets.token_hex(4)}@example.org"


def log(text: str) -> None:
    print(f"[smoke-production] {text}", flush=True)


def readme_blocks() -> dict[str, str]:
    blocks = dict(BLOCK.findall((ROOT / "README.md").read_text()))
    wanted = {"system", "install", "env", "setup", "web", "worker", "cron"}
    missing = {f"production-{name}" for name in wanted} - set(blocks)
    if missing:
        raise SystemExit(f"README.md lacks the blocks {sorted(missing)}")
    return blocks


def check_system_packages(block: str) -> None:
    """The README's apt line names packages this machine has (installing needs root and a
    package mirror, so it is checked rather than run)."""
    packages = [
        word for word in shlex.split(block.split("apt-get install", 1)[1]) if not word.startswith("-")
    ]
    absent = [p for p in packages if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode]
    if absent:
        raise SystemExit(f"system packages the README names are not installed: {absent}")
    log(f"system packages present: {' '.join(packages)}")


def copy_checkout(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            (target / name.decode()).write_bytes(source.read_bytes())


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def shell(blocks: dict[str, str], work: Path, name: str) -> str:
    """The env block then block `name`, with the placeholder made the copy."""
    script = blocks["production-env"] + blocks[name]
    return "set -euo pipefail\n" + script.replace(PLACEHOLDER, str(work))


def clean_environment() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    # A crash in a C library shows where it happened.
    return {key: os.environ[key] for key in keep if key in os.environ} | {"PYTHONFAULTHANDLER": "1"}


def run(script: str, *, stdin: str = "", timeout: int = 900) -> str:
    result = subprocess.run(
        ["bash", "-c", script],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=clean_environment(),
    )
    if result.returncode:
        raise SystemExit(f"failed ({result.returncode}):\n{script}\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextmanager
def background(command: list[str], log_path: Path, *, env: dict[str, str] | None = None):
    """A process of our own, in its own process group, ended (by its id) on the way out."""
    with open(log_path, "wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def wait_for(url: str, process: subprocess.Popen, log_path: Path, **kwargs) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the process exited\n{log_path.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2, **kwargs).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within 60 s\n{log_path.read_text()[-3000:]}")


@contextmanager
def database():
    name = f"rt_smoke_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(POSTGRES).set(database=name, drivername="postgresql").render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def write_settings(work: Path, values: dict[str, str]) -> None:
    lines = [f'{key}="{value}"' for key, value in values.items()]
    (work / "production.env").write_text("\n".join(lines) + "\n")


def published_page_slug(blocks: dict[str, str], work: Path) -> str:
    """Causes, an event and runners' pages, as an operator's first charities would make them
    (the demo's, loaded through its function: `flask seed-demo` refuses production)."""
    code = (
        "from sqlalchemy import select\n"
        "from fundraiser import create_app\n"
        "from fundraiser.demo import load_demo_data\n"
        "from fundraiser.extensions import db\n"
        "from fundraiser.models import PledgePage\n"
        "with create_app().app_context():\n"
        "    load_demo_data(db.session)\n"
        "    db.session.commit()\n"
        "    query = select(PledgePage.slug).where(PledgePage.status == 'published', PledgePage.currency == 'GBP')\n"
        "    print(db.session.scalars(query.order_by(PledgePage.id)).first())\n"
    )
    script = (
        blocks["production-env"].replace(PLACEHOLDER, str(work))
        + f".venv/bin/python -c {shlex.quote(code)}\n"
    )
    return run("set -euo pipefail\n" + script).strip().splitlines()[-1]


def field(html: str, pattern: str) -> str:
    match = re.search(pattern, html)
    if not match:
        raise SystemExit(f"not found on the page: {pattern}\n{html[:2000]}")
    return match.group(1)


def donate(site: str, stand_in: str, slug: str) -> str:
    """A donor's browser: the donate form, the pay step, a card through Stripe.js (here the
    stand-in's API), our pay endpoint. Returns the PaymentIntent's id."""
    browser = requests.Session()
    form = browser.get(f"{site}/{slug}/donate", timeout=10)
    form.raise_for_status()
    html = form.text
    pay_page = browser.post(
        f"{site}/{slug}/donate",
        data={
            "csrf_token": field(html, r'name="csrf_token" type="hidden" value="([^"]+)"'),
            "attempt": field(html, r'name="attempt" type="hidden" value="([0-9a-f]{32})"'),
            "amount_choice": "2500",
            "other_amount": "",
            "donor_name": "Smoke Donor",
            "donor_email": DONOR,
            "visibility": "named",
        },
        timeout=30,
    )
    if pay_page.status_code != 200 or "Pay for your gift" not in pay_page.text:
        raise SystemExit(
            f"the donate form did not lead to the pay step: {pay_page.status_code}\n{pay_page.text[:3000]}"
        )
    card = requests.post(
        f"{stand_in}/v1/payment_methods",
        auth=(STRIPE_KEY, ""),
        data={
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
        },
        timeout=10,
    )
    card.raise_for_status()
    paid = browser.post(
        site + field(pay_page.text, r'data-pay-url="([^"]+)"'),
        json={"payment_method": card.json()["id"]},
        headers={"X-CSRFToken": field(pay_page.text, r'<meta name="csrf-token" content="([^"]+)"')},
        timeout=30,
    )
    if paid.status_code != 200 or paid.json().get("status") != "succeeded":
        raise SystemExit(f"paying failed: {paid.status_code} {paid.text[:2000]}")
    return paid.json()["client_secret"].split("_secret_")[0]


def send_webhook(site: str, stand_in: str, intent_id: str, secret: str) -> None:
    """payment_intent.succeeded, built from the stand-in's PaymentIntent and signed as Stripe
    signs (https://docs.stripe.com/webhooks#verify-manually: HMAC-SHA256 of "t.payload")."""
    intent = requests.get(
        f"{stand_in}/v1/payment_intents/{intent_id}", auth=(STRIPE_KEY, ""), timeout=10
    ).json()
    event = {
        "id": f"evt_smoke_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": intent},
    }
    payload = json.dumps(event).encode()
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    answer = requests.post(
        f"{site}/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": f"t={stamp},v1={digest}", "Content-Type": "application/json"},
        timeout=30,
    )
    if answer.status_code != 200:
        raise SystemExit(f"the webhook was refused: {answer.status_code} {answer.text[:2000]}")


def wait_for_receipt(inbox: Inbox, worker_log: Path) -> EmailMessage:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for message in inbox.messages:
            if message["To"] == DONOR:
                return message
        time.sleep(0.5)
    raise SystemExit(f"no receipt email reached {DONOR} within 120 s\n{worker_log.read_text()[-3000:]}")


def check_receipt(message: EmailMessage) -> None:
    pdfs = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    if len(pdfs) != 1 or not pdfs[0].get_content().startswith(b"%PDF-"):
        raise SystemExit(
            f"the receipt email has no PDF: {[p.get_content_type() for p in message.iter_attachments()]}"
        )
    log(
        f"receipt email arrived: {message['Subject']!r}, {pdfs[0].get_filename()} ({len(pdfs[0].get_content())} bytes)"
    )


def run_cron_lines(block: str, work: Path) -> None:
    """Each crontab line's command, as cron runs it: /bin/sh, with `\\%` meaning `%`."""
    for line in filter(None, (raw.strip() for raw in block.splitlines())):
        command = line.split(None, 5)[5].replace("\\%", "%").replace(PLACEHOLDER, str(work))
        result = subprocess.run(
            ["/bin/sh", "-c", command], capture_output=True, text=True, timeout=300, env=clean_environment()
        )
        if result.returncode:
            raise SystemExit(f"cron line failed: {line}\n{result.stdout}\n{result.stderr}")
        log(f"cron: {command.split('&& ')[-1]} -> {result.stdout.strip().splitlines()[-1:] or 'ok'}")


def main() -> None:
    blocks = readme_blocks()
    check_system_packages(blocks["production-system"])
    started = time.monotonic()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rt-smoke-")))
        work = tmp / "running-together"
        copy_checkout(work)
        inbox = Inbox()
        smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
        smtp.start()
        stack.callback(smtp.stop)
        stand_in = f"http://127.0.0.1:{free_port()}"
        lstripe = stack.enter_context(
            background(
                [
                    sys.executable,
                    str(ROOT / "dev" / "localstripe_local.py"),
                    "--port",
                    stand_in.rsplit(":", 1)[1],
                    "--from-scratch",
                ],
                tmp / "localstripe.log",
            )
        )
        wait_for(f"{stand_in}/v1/balance", lstripe, tmp / "localstripe.log", auth=(STRIPE_KEY, ""))
        redis = Redis.from_url(REDIS)
        redis.flushdb()
        stack.callback(redis.flushdb)
        site = f"http://127.0.0.1:{free_port()}"
        webhook_secret = "whsec_smoke_" + secrets.token_hex(16)
        write_settings(
            work,
            {
                "FLASK_CONFIG": "production",
                "FLASK_APP": "wsgi:app",
                "SECRET_KEY": secrets.token_hex(32),
                "DATABASE_URL": stack.enter_context(database()),
                "REDIS_URL": REDIS,
                "PUBLIC_URL": site,
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": str(smtp.port),
                "MAIL_FROM": "Smoke Test <receipts@example.org>",
                "PLATFORM_NAME": "Smoke Test",
                "PLATFORM_ADDRESS": "Smoke Test Ltd, 1 High Street, Leeds LS1 1AA, United Kingdom",
                "STRIPE_SECRET_KEY": STRIPE_KEY,
                "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
                "STRIPE_WEBHOOK_SECRET": webhook_secret,
                "STRIPE_API_BASE": stand_in,
                "STRIPE_ALLOW_STAND_IN": "1",
                "STRIPE_JS_URL": f"{stand_in}/js.stripe.com/v3/",
                "SESSION_COOKIE_SECURE": "0",
                "RECEIPT_SIGNING_CERT": str(work / "receipt-signing" / "cert.pem"),
                "RECEIPT_SIGNING_KEY": str(work / "receipt-signing" / "key.pem"),
                "BIND": site.removeprefix("http://"),
            },
        )
        log("install: " + blocks["production-install"].strip().replace("\n", "; "))
        run("set -euo pipefail\n" + blocks["production-install"].replace(PLACEHOLDER, str(work)))
        log("setup: flask db upgrade, flask create-admin")
        answers = "admin@example.org\nSmoke Admin\nsmoke-admin-password-long\nsmoke-admin-password-long\n"
        output = run(shell(blocks, work, "production-setup"), stdin=answers)
        if "admin@example.org is a platform admin" not in output:
            raise SystemExit(f"create-admin did not say it made the admin:\n{output}")
        slug = published_page_slug(blocks, work)
        web = stack.enter_context(
            background(
                ["bash", "-c", shell(blocks, work, "production-web")],
                tmp / "gunicorn.log",
                env=clean_environment(),
            )
        )
        worker_log = tmp / "worker.log"
        stack.enter_context(
            background(
                ["bash", "-c", shell(blocks, work, "production-worker")], worker_log, env=clean_environment()
            )
        )
        wait_for(f"{site}/healthz", web, tmp / "gunicorn.log")
        log(f"gunicorn answers at {site}; donating on /{slug}")
        intent_id = donate(site, stand_in, slug)
        send_webhook(site, stand_in, intent_id, webhook_secret)
        log(f"paid {intent_id} through the stand-in; signed webhook accepted")
        check_receipt(wait_for_receipt(inbox, worker_log))
        run_cron_lines(blocks["production-cron"], work)
    log(f"passed in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
