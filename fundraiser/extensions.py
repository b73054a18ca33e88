"""Flask extensions, created without an app and bound in create_app."""

import sqlite3

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, event
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _use_sqlite_write_ahead_log(dbapi_connection, connection_record) -> None:
    """SQLite, the embedded default, in write-ahead-log mode: readers never wait for a
    writer, and a commit is one sync of the log (synchronous=FULL keeps it durable: a
    webhook answered 200 is on disk). Without it every commit rewrote a rollback journal
    and blocked every page view meanwhile. Writers still take turns: one may wait for others
    drawing receipts inside their numbering transaction (jobs run inline without Redis), so
    it waits up to 30 s for its turn rather than Python's 5 s. PostgreSQL is left alone."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
