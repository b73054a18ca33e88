"""The schema is made by migrations: upgrading an empty database must give exactly the models."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from config import TestConfig
from fundraiser import create_app
from fundraiser.extensions import db


def _empty_database_url(app_url: str, tmp_path) -> tuple[str, callable]:
    if not app_url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}", lambda: None
    name = f"rt_migrate_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(app_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = sa.engine.make_url(app_url).set(database=name).render_as_string(hide_password=False)
    return url, drop


def test_migrations_build_the_schema_the_models_describe(app, tmp_path):
    url, drop = _empty_database_url(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    settings = dict(app.config)
    settings.update(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={})
    migrated = create_app(type("MigrateConfig", (TestConfig,), settings))
    try:
        with migrated.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                differences = compare_metadata(context, db.metadata)
            assert differences == []
            downgrade(revision="base")
            remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert remaining == set()
            db.engine.dispose()
    finally:
        drop()
