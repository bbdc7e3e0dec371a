"""Database plumbing: the declarative base, engines, sessions and transactions.

One transaction per request or command (pyramid_tm / ``transaction`` + zope.sqlalchemy). The same
models and migrations run on SQLite (embedded default, WAL mode) and PostgreSQL.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

import transaction
import zope.sqlalchemy
from sqlalchemy import MetaData, create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from recordsys.config import SettingsError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def get_engine(settings: dict) -> Engine:
    url = make_url(settings["sqlalchemy.url"])
    kwargs: dict = {"future": True}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def _sqlite_pragmas(dbapi_connection, _record):
    # Let SQLAlchemy issue BEGIN itself (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(conn):
    # Writers queue on the database lock at BEGIN instead of failing half-way through a
    # transaction: this makes register numbering and the audit chain serial on SQLite.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def database_kind(engine: Engine) -> str:
    return engine.dialect.name


def check_database(engine: Engine, require_schema: bool = True) -> None:
    """Fail start-up with one sentence when the database is unreachable or not migrated."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            has_version = inspect(conn).has_table("alembic_version")
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        where = engine.url.render_as_string(hide_password=True)
        raise SettingsError("Cannot reach the database ${where}: ${reason}.", mapping={"where": where, "reason": reason}) from None
    except SQLAlchemyError as exc:
        raise SettingsError("Database error at start-up: ${exc}.", mapping={"exc": exc}) from None
    if require_schema and not has_version:
        raise SettingsError(
            "The database has no tables yet: run `recordsys db upgrade` first."
        )


def get_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_tm_session(session_factory: sessionmaker, transaction_manager, request=None) -> Session:
    """A session joined to ``transaction_manager``: it commits or aborts with it."""
    dbsession = session_factory(info={"request": request, "tm": transaction_manager})
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def mark_written(session: Session) -> None:
    """Tell the transaction manager that ``session`` wrote through SQLAlchemy Core (which it cannot
    see: without this, a request whose only writes are Core statements would end without a commit).
    Nothing for a session not joined to a transaction manager."""
    manager = session.info.get("tm")
    if manager is not None:
        zope.sqlalchemy.mark_changed(session, transaction_manager=manager)


@contextlib.contextmanager
def transaction_scope(session_factory: sessionmaker):
    """One transaction for a command or job: commit on success, abort on any exception."""
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        yield get_tm_session(session_factory, manager)


def includeme(config):
    settings = config.get_settings()
    config.include("pyramid_tm")
    engine = get_engine(settings)
    session_factory = get_session_factory(engine)
    config.registry["dbsession_factory"] = session_factory
    config.registry["db_engine"] = engine

    def dbsession(request):
        session = request.environ.get("app.dbsession")
        if session is None:
            session = get_tm_session(session_factory, request.tm, request=request)
        return session

    config.add_request_method(dbsession, reify=True)
