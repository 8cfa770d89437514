from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from medkosh.store.base import Base
from medkosh.store.db import get_engine, session_scope
from medkosh.store.migrate import is_up_to_date


def test_migrations_create_every_table(db_url: str) -> None:
    assert is_up_to_date(db_url)
    names = set(inspect(get_engine(db_url)).get_table_names())
    missing = set(Base.metadata.tables) - names
    assert not missing, f"tables without a migration: {missing}"


def test_models_match_migrations(db_url: str) -> None:
    """Autogenerate finds no difference between the ORM tables and the migrated schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with get_engine(db_url).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = [d for d in compare_metadata(ctx, Base.metadata)
                if not (isinstance(d, tuple) and d[0] in ("remove_table",) and d[1].name == "alembic_version")]
    assert diff == []


def test_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    with get_engine(sqlite_url).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_round_trip_keeps_utc_datetimes(db_url: str) -> None:
    from medkosh.store.tables.audit import AuditCheckpointRow

    when = dt.datetime(2026, 3, 12, 10, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    with session_scope() as s:
        s.add(AuditCheckpointRow(seq=7, hash="a" * 64, signed_at=when, key_id="k", public_key="b" * 64,
                                 signature="c" * 128))
    with session_scope() as s:
        row = s.execute(select(AuditCheckpointRow)).scalar_one()
        assert row.signed_at == when
        assert row.signed_at.tzinfo is not None


def test_transaction_rolls_back_on_error(db_url: str) -> None:
    from medkosh.store.tables.audit import AuditHeadRow

    with pytest.raises(RuntimeError), session_scope() as s:
        s.add(AuditHeadRow(id=1, seq=5, hash="x" * 64))
        s.flush()
        raise RuntimeError("boom")
    with session_scope() as s:
        assert s.get(AuditHeadRow, 1) is None


def test_naive_datetimes_are_refused(db_url: str) -> None:
    from medkosh.store.tables.audit import AuditCheckpointRow

    with pytest.raises(Exception, match="naive datetime"), session_scope() as s:
        s.add(AuditCheckpointRow(seq=1, hash="a" * 64, signed_at=dt.datetime(2026, 1, 1), key_id="k",
                                 public_key="b" * 64, signature="c" * 128))
        s.flush()


def test_unreachable_database_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from medkosh.errors import StoreError

    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    with pytest.raises(StoreError, match="database unavailable"), session_scope(url) as s:
        s.execute(select(1))


def test_an_exhausted_pool_is_a_store_error_naming_it(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from medkosh.errors import StoreError
    from medkosh.store.db import unavailable_error

    engine = create_engine(f"sqlite:///{tmp_path / 'p.db'}", pool_size=1, max_overflow=0, pool_timeout=0.1)
    held = engine.connect()
    try:
        with pytest.raises(Exception) as caught, Session(engine) as s:
            s.execute(text("SELECT 1"))
        err = unavailable_error(caught.value)
        assert isinstance(err, StoreError) and "database unavailable" in err.user_line()
        assert "QueuePool limit" in err.user_line()
    finally:
        held.close()
        engine.dispose()


def test_a_connection_dropped_by_the_server_is_one_warning_line_not_a_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    """PostgreSQL restarting under a checked-out connection: returning it to the pool must not log a stack."""
    import logging
    import os

    import psycopg
    from sqlalchemy import text

    from medkosh.store.db import make_engine

    pg = os.environ.get("MEDKOSH_TEST_POSTGRES_URL")
    if not pg:
        pytest.skip("PostgreSQL not configured: set MEDKOSH_TEST_POSTGRES_URL")
    engine = make_engine(pg)
    try:
        conn = engine.raw_connection()  # a pooled connection inside a transaction, as a request leaves it
        cur = conn.cursor()
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        with psycopg.connect(pg.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with caplog.at_level(logging.WARNING, logger="sqlalchemy.pool"):
            conn.close()  # back to the pool: its ROLLBACK meets the dead socket
        pool_records = [r for r in caplog.records if r.name.startswith("sqlalchemy.pool")]
        assert pool_records, "the pool reported nothing: the connection was not reset on return"
        for r in pool_records:
            assert r.exc_info is None and "\n" not in r.getMessage()
            assert r.levelno == logging.WARNING and "database connection lost" in r.getMessage()
        with engine.connect() as again:  # the pool reconnects by itself
            assert again.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
