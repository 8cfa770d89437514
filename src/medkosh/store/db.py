"""Engines and sessions. SQLite runs in WAL mode with foreign keys on; PostgreSQL via psycopg 3."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from medkosh.config import get_settings
from medkosh.errors import StoreError

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and route them through psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # Checkpoint the WAL every ~40 MB instead of SQLite's 4 MB: short write transactions (an audit
    # append rewrites the same index and head pages) then copy each hot page back once per checkpoint
    # instead of ten times; 1.55x more one-event transactions per second (docs/benchmarks.md, audit).
    cur.execute("PRAGMA wal_autocheckpoint=10000")
    cur.execute("PRAGMA journal_size_limit=67108864")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class _LostConnectionFilter(logging.Filter):
    """One warning line instead of a traceback when the pool meets a connection the server has dropped.

    When PostgreSQL restarts, returning a checked-out connection to the pool runs ROLLBACK on a dead
    socket and SQLAlchemy logs the error with its traceback; the pool already discards the connection and
    the next checkout reconnects (pool_pre_ping), so the operator needs one line, not a stack.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and _is_connection_loss(exc):
            first = (str(exc).strip().splitlines() or [""])[0]
            record.msg = f"{record.getMessage()}: database connection lost ({type(exc).__name__}: {first}); discarded"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _is_connection_loss(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | PoolTimeout):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the database folder {Path(path).parent}: "
                                 f"{exc.strerror or type(exc).__name__}",
                                 hint="point MEDKOSH_DATABASE_URL (or MEDKOSH_HOME) at a writable folder") from exc
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)

        # SQLite's default deferred transactions can deadlock two writers; BEGIN IMMEDIATE
        # serialises writers up front (readers are never blocked in WAL mode).
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    pool_logger = getattr(engine.pool.logger, "logger", engine.pool.logger)  # InstanceLogger with echo_pool
    if isinstance(pool_logger, logging.Logger) and not any(
            isinstance(f, _LostConnectionFilter) for f in pool_logger.filters):
        pool_logger.addFilter(_LostConnectionFilter())
    return engine


def get_engine(url: str | None = None) -> Engine:
    url = normalise_url(url or get_settings().effective_database_url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _makers.clear()


_makers: dict[int, tuple[Engine, sessionmaker[Session]]] = {}


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    # One sessionmaker per engine: each sessionmaker() defines a new Session subclass, and setting up
    # its event dispatch costs more than a short transaction itself.
    engine = get_engine(url)
    cached = _makers.get(id(engine))
    if cached is None or cached[0] is not engine:
        cached = (engine, sessionmaker(bind=engine, expire_on_commit=False))
        with _lock:
            _makers[id(engine)] = cached
    return cached[1]


@contextlib.contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error; store faults become StoreError."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        store_error = unavailable_error(exc)
        if store_error is None:
            session.rollback()
            raise
        with contextlib.suppress(Exception):  # the connection may be gone: the rollback must not mask why
            session.rollback()
        raise store_error from exc
    finally:
        with contextlib.suppress(Exception):
            session.close()


def is_unavailable(exc: BaseException) -> bool:
    """True for a fault of the database connection (server down or restarting, connection dropped, SQLite
    locked or unopenable), whether SQLAlchemy wrapped it or the driver raised it directly (raw_connection)."""
    if isinstance(exc, OperationalError | PoolTimeout):  # PoolTimeout: every pooled connection busy
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated)
    if isinstance(exc, sqlite3.OperationalError):
        return True
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)


def unavailable_error(exc: BaseException) -> StoreError | None:
    """The one-line StoreError (HTTP 503, exit 8) for a connection fault; None for anything else."""
    if isinstance(exc, StoreError) or not is_unavailable(exc):
        return None
    return StoreError(f"database unavailable: {describe_db_error(exc)}",
                      hint="check that the database server is running, then retry shortly "
                           "(medkosh reconnects by itself)")


def describe_db_error(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__
