"""Fixtures shared by every test: an isolated MEDKOSH_HOME, and a migrated database on SQLite and,
when MEDKOSH_TEST_POSTGRES_URL is set (make test sets it), on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = Path(os.environ.get("MEDKOSH_SHARED_DATA", SHARED / "data"))
PG_URL = os.environ.get("MEDKOSH_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def medkosh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own MEDKOSH_HOME; nothing touches ./.medkosh."""
    from medkosh.config import reset_settings

    home = tmp_path / "home"
    monkeypatch.setenv("MEDKOSH_HOME", str(home))
    for var in ("MEDKOSH_DATABASE_URL", "MEDKOSH_OBJECT_STORE_URL", "MEDKOSH_SECRET_KEY", "MEDKOSH_AUDIT_SIGNING_KEY"):
        monkeypatch.delenv(var, raising=False)
    reset_settings()
    yield home
    reset_settings()


def _pg_admin_url() -> str:
    assert PG_URL
    return PG_URL.replace("postgresql+psycopg://", "postgresql://")


def _pg_exec(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A migrated template database, copied for each PostgreSQL test (fast, isolated)."""
    if not PG_URL:
        yield None
        return
    from medkosh.store.db import dispose_engines
    from medkosh.store.migrate import upgrade

    name = f"medkosh_tpl_{uuid.uuid4().hex[:10]}"
    _pg_exec(f'CREATE DATABASE "{name}"')
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    dispose_engines()
    yield name
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _backends() -> list[object]:
    return ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, medkosh_home: Path, monkeypatch: pytest.MonkeyPatch,
           pg_template: str | None) -> Iterator[str]:
    """A freshly migrated database, set as MEDKOSH_DATABASE_URL: SQLite, then PostgreSQL."""
    from medkosh.config import reset_settings
    from medkosh.store.migrate import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{medkosh_home / 'medkosh.db'}"
        monkeypatch.setenv("MEDKOSH_DATABASE_URL", url)
        reset_settings()
        upgrade(url)
        yield url
        reset_settings()
        return
    if not PG_URL or pg_template is None:
        pytest.skip("PostgreSQL not configured: set MEDKOSH_TEST_POSTGRES_URL (make test does when it answers)")
    name = f"medkosh_t_{uuid.uuid4().hex[:12]}"
    _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    monkeypatch.setenv("MEDKOSH_DATABASE_URL", url)
    reset_settings()
    yield url
    reset_settings()
    _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(medkosh_home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite database only (for tests that do not need both backends)."""
    from medkosh.config import reset_settings
    from medkosh.store.migrate import upgrade

    url = f"sqlite:///{medkosh_home / 'medkosh.db'}"
    monkeypatch.setenv("MEDKOSH_DATABASE_URL", url)
    reset_settings()
    upgrade(url)
    return url


def pytest_report_header(config: pytest.Config) -> str:
    if PG_URL:
        return f"medkosh: database tests on SQLite and PostgreSQL ({PG_URL})"
    return "medkosh: PostgreSQL NOT configured — PostgreSQL database tests are SKIPPED"
