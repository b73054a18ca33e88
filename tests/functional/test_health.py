from flask import request

from config import TestConfig
from fundraiser import create_app


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(app):
    config = dict(app.config)
    config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"connect_timeout": 2}}
    down = create_app(type("DownConfig", (TestConfig,), config))
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_a_nul_byte_in_the_address_is_refused_before_any_lookup(client):
    for path in ("/%00/donate", "/donations/%00/refund", "/causes/%00/dashboard", "/%00"):
        assert client.get(path).status_code == 404, path
    response = client.get("/events?page=%00")
    assert response.status_code == 400


def _address_seen(app, hops: int) -> str:
    config = dict(app.config)
    config["PROXY_HOPS"] = hops
    built = create_app(type("ProxiedConfig", (TestConfig,), config))
    built.add_url_rule("/_whoami", "whoami", lambda: request.remote_addr)
    answer = built.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9"})
    return answer.get_data(as_text=True)


def test_behind_a_trusted_proxy_rate_limits_see_the_visitors_address(app):
    assert _address_seen(app, hops=1) == "203.0.113.9"
    assert _address_seen(app, hops=0) == "127.0.0.1"
