"""Running Together: the app factory wires extensions, blueprints and commands."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, INSTANCE_DIR
from fundraiser import (
    cli,
    errors,
    models,  # noqa: F401  (every model, for Alembic and create_all)
    templating,
)
from fundraiser.accounts.views import bp as accounts_bp
from fundraiser.admin.views import bp as admin_bp
from fundraiser.donations.refund_views import bp as refunds_bp
from fundraiser.donations.views import bp as donations_bp
from fundraiser.extensions import csrf, db, limiter, login_manager, migrate
from fundraiser.health import bp as health_bp
from fundraiser.pages.views import bp as pages_bp
from fundraiser.payments.webhooks import bp as stripe_webhooks_bp
from fundraiser.receipts.views import bp as receipts_bp
from fundraiser.reports.views import bp as reports_bp


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` is a config class, or a dict laid over the default one."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=str(INSTANCE_DIR),
    )
    load_config(app, config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_proxy(app)
    register_converters(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def load_config(app: Flask, config: type | dict[str, Any] | None) -> None:
    """The class given, or FLASK_CONFIG's with `config` laid over it; then its start-up
    checks (production refuses to start without its secrets), whichever way it was chosen."""
    base = config if isinstance(config, type) else CONFIGS[os.environ.get("FLASK_CONFIG", "development")]
    app.config.from_object(base)
    if isinstance(config, dict):
        app.config.update(config)
    base.check(app.config)


def register_proxy(app: Flask) -> None:
    """Behind PROXY_HOPS trusted proxies, take the visitor's address and scheme from the
    X-Forwarded-* headers, so rate limits count visitors and not the proxy."""
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)


def register_converters(app: Flask) -> None:
    """Before any route is added: `<int:...>` stops at the largest id the database holds."""
    from fundraiser.params import IdConverter

    app.url_map.converters["int"] = IdConverter


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)


BLUEPRINTS = (
    health_bp,
    accounts_bp,
    pages_bp,
    admin_bp,
    stripe_webhooks_bp,
    refunds_bp,
    donations_bp,
    receipts_bp,
    reports_bp,
)


def register_blueprints(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    errors.register(app)


def register_security_headers(app: Flask) -> None:
    from fundraiser.security import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    templating.register(app)


def register_commands(app: Flask) -> None:
    cli.register(app)
