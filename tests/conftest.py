"""Shared fixtures: a real database per test run (SQLite file, or a fresh PostgreSQL
database when DATABASE_URL names one), the app, a test client and a live server."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from config import TestConfig, database_url
from fundraiser import create_app
from fundraiser.donations import card_testing
from fundraiser.extensions import db
from fundraiser.receipts.signing import development_certificate

pytest_plugins = [
    "tests.factories",
    "tests.smtp",
    "tests.browser_fixtures",
    "tests.stripe_fixtures",
    "tests.recording_stripe",
    "tests.connect_fixtures",
]


@pytest.fixture(scope="session")
def database(tmp_path_factory) -> Iterator[str]:
    """A database for this run alone, so parallel runs never share tables."""
    url = database_url(os.environ.get("DATABASE_URL"))
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    name = f"rt_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def receipt_signing_settings(folder: Path) -> dict[str, str]:
    """A self-signed certificate made for this test run, as production would configure one."""
    files = development_certificate(folder, name="Running Together test receipts")
    return {"RECEIPT_SIGNING_CERT": files.cert, "RECEIPT_SIGNING_KEY": files.key}


@pytest.fixture(scope="session")
def app(database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")
    config = type(
        "RunConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database,
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "RECEIPT_FOLDER": str(folder / "receipts"),
            "REPORT_FOLDER": str(folder / "reports"),
            **receipt_signing_settings(folder / "receipt-signing"),
            "REDIS_URL": None,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}
            if database.startswith("postgresql")
            else {"connect_args": {"timeout": 30}},
        },
    )
    app = create_app(config)
    app.test_client_class = FreshUserClient
    from tests.factories import TEST_SIGNATURE, write_test_signature  # a plugin: imported after it

    write_test_signature(Path(config.UPLOAD_FOLDER) / TEST_SIGNATURE)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _app_context(request) -> Iterator[None]:
    """Every test that uses the app runs in its own app context; tables are emptied after it."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.remove()
        empty_tables()
        card_testing.reset()


def empty_tables() -> None:
    """DELETE in reverse dependency order: on these small tables it is far quicker than
    TRUNCATE, which costs a fixed few hundred milliseconds on PostgreSQL."""
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def session(app):
    return db.session


class FreshUserClient(FlaskClient):
    """A test client that forgets the signed-in user before each request.

    Tests hold one app context that requests reuse, so Flask-Login's user cached in `g` would
    leak from one client's request into another's; clearing it makes each request load its own."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def new_client(app):
    """Another browser: `new_client()` returns a client with its own cookies."""
    return app.test_client


@pytest.fixture
def signed_in(client):
    """Sign a user in through the real form: `signed_in(user)` returns the client."""

    def sign_in(user, password: str = "correct-horse-battery"):
        response = client.post("/signin", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        if response.headers["Location"] == "/signin/code":
            code = pyotp.TOTP(user.totp_secret).now()
            response = client.post("/signin/code", data={"code": code})
            assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        # Requests still running at the end (a late webhook issuing a receipt) finish before
        # the test's tables are emptied: server_close() joins them.
        self.server.daemon_threads = False
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """The app served over real HTTP on a free port of 127.0.0.1."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="session")
def output_dir() -> Path:
    folder = Path(__file__).resolve().parent.parent / "test-output"
    folder.mkdir(exist_ok=True)
    return folder
