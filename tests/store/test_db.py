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
