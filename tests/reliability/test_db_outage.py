"""The database goes away: the API answers 503 naming the fault (never a 500 or a traceback) and recovers
without a restart of medkosh; the CLI prints one line and exits non-zero.

- fast (make test): the app's PostgreSQL connections are terminated from another connection
  (pg_terminate_backend) between requests; the next requests must succeed.
- CLI: commands against an unreachable PostgreSQL and an unusable SQLite path.
- restart (make reliability, serial): PostgreSQL is stopped for ~2 s and started again
  (pg_ctlcluster … restart split in two so the outage is observable) while a client keeps calling the API.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from medkosh.reliability import faults
from medkosh.reliability.faults import World

PG_URL = os.environ.get("MEDKOSH_TEST_POSTGRES_URL")
needs_pg = pytest.mark.skipif(not PG_URL, reason="PostgreSQL not configured: set MEDKOSH_TEST_POSTGRES_URL")
PROBES = [("/healthz", "application/json"), ("/api/datasets", "application/json"), ("/datasets", "text/html")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(world: World) -> Iterator[str]:
    """uvicorn with the medkosh app in a subprocess on 127.0.0.1; yields the base URL."""
    port = _free_port()
    log = world.home / "uvicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "medkosh.api.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=world.env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"uvicorn exited: {log.read_text()[-2000:]}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"uvicorn did not answer: {log.read_text()[-2000:]}"
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, f"the server logged a traceback: {text[-3000:]}"


def _get(base: str, path: str, accept: str, timeout: float = 20) -> httpx.Response:
    return httpx.get(base + path, headers={"Accept": accept}, timeout=timeout)


def check_response(r: httpx.Response, path: str) -> str:
    """'ok', or 'outage' for a well-formed 503 naming the database; anything else fails the test."""
    body = r.text
    assert "Traceback" not in body and 'File "' not in body, f"{path}: a traceback reached the client"
    if r.status_code == 200:
        return "ok"
    assert r.status_code == 503, f"{path}: {r.status_code} during a database outage: {body[:500]}"
    if "json" in r.headers.get("content-type", ""):
        line = r.json()["error"]
        assert "\n" not in line
    else:
        line = body
    assert "database unavailable" in line and "retry" in line.lower(), f"{path}: 503 without naming the fault: {body[:500]}"
    return "outage"


@pytest.fixture
def pg_world(tmp_path: Path) -> Iterator[World]:
    assert PG_URL
    world = faults.new_world(tmp_path, "home", PG_URL)
    try:
        yield world
    finally:
        faults.drop_world(world)


def _terminate_backends(db_name: str) -> int:
    import psycopg

    assert PG_URL
    with psycopg.connect(faults.pg_admin(PG_URL), autocommit=True) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", (db_name,)).fetchall()
    return len(rows)


@needs_pg
def test_requests_recover_after_the_apps_connections_are_killed(pg_world: World) -> None:
    with serving(pg_world) as base:
        for path, accept in PROBES:
            assert check_response(_get(base, path, accept), path) == "ok"
        for _round in range(3):
            killed = _terminate_backends(pg_world.db_name)
            assert killed >= 1, "the app held no connection to terminate"
            # Pooled connections are now dead; pre-ping (or the retry) must replace them unseen.
            for path, accept in PROBES:
                assert check_response(_get(base, path, accept), path) == "ok"


def _routes(routes: list[object]) -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route, through included routers (wrapped by newer FastAPI versions)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(list(inner.routes))
        elif getattr(route, "methods", None):
            yield str(getattr(route, "path", "")), set(getattr(route, "methods", ()))


def test_every_page_and_endpoint_answers_503_while_the_database_is_unreachable(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the catalog page read its change counter through engine.raw_connection(), whose driver
    error escaped session_scope's mapping and became a 500. Now every GET route without path parameters,
    as a page and as JSON, answers 503 naming the fault (or refuses access before touching the database)."""
    from fastapi.testclient import TestClient

    from medkosh.api.app import create_app
    from medkosh.config import reset_settings
    from medkosh.store.db import dispose_engines

    monkeypatch.setenv("MEDKOSH_DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/medkosh")
    reset_settings()
    dispose_engines()
    app = create_app(migrate=False)
    paths = sorted({path for path, methods in _routes(app.routes) if "GET" in methods and "{" not in path
                    and not path.startswith(("/static", "/docs", "/openapi"))})
    assert "/datasets" in paths and "/healthz" in paths and len(paths) >= 20
    outages = 0
    statuses: dict[int, int] = {}
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in paths:
            for accept in ("text/html", "application/json"):
                r = client.get(path, headers={"Accept": accept})
                assert r.status_code != 500, f"{path} ({accept}): 500 while the database is unreachable"
                assert "Traceback" not in r.text
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code == 503:
                    outages += 1
                    check_response(r, path)
    assert outages >= 4
    print(f"database unreachable: {2 * len(paths)} requests over {len(paths)} GET routes, {outages} answered 503 "
          f"'database unavailable'; statuses {dict(sorted(statuses.items()))}")
    dispose_engines()


def _cli(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(faults.medkosh_argv(*args), env=world.env(), capture_output=True, text=True, timeout=120)


def _assert_one_line_failure(proc: subprocess.CompletedProcess[str], must: str) -> None:
    assert proc.returncode != 0, proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {proc.stderr}"
    assert must in lines[0] and "Traceback" not in proc.stderr, lines[0]


def test_cli_with_an_unreachable_postgres_prints_one_line(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there
    world = World(tmp_path / "home", f"postgresql+psycopg://postgres@127.0.0.1:{port}/medkosh")
    world.home.mkdir()
    for args in (("dataset", "list"), ("audit", "verify"), ("consent", "list")):
        proc = _cli(world, *args)
        _assert_one_line_failure(proc, "database")
        assert "Connection refused" in proc.stderr or "connect" in proc.stderr, proc.stderr
        assert proc.returncode == 8, proc.stderr  # StoreError's exit code


def test_cli_with_an_unusable_sqlite_path_prints_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    world = World(tmp_path / "home", f"sqlite:///{blocker / 'medkosh.db'}")
    world.home.mkdir()
    proc = _cli(world, "dataset", "list")
    _assert_one_line_failure(proc, "database")


# ---------------------------------------------------------------- a real restart (reliability)

def _cluster() -> str:
    versions = sorted(os.listdir("/etc/postgresql"))
    return versions[0]


def _pg_ctl(action: str) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", _cluster(), "main", action], check=True,
                   capture_output=True, timeout=120)


def _pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], timeout=30).returncode == 0


@pytest.mark.reliability
@needs_pg
@pytest.mark.skipif(not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir(),
                    reason="needs pg_ctlcluster (Debian's PostgreSQL) to restart the server")
def test_a_postgres_restart_mid_traffic_gives_503s_then_recovers(pg_world: World) -> None:
    outcomes: list[tuple[float, str, str]] = []   # (time, path, ok|outage)
    stop = threading.Event()
    with serving(pg_world) as base:
        def client() -> None:
            while not stop.is_set():
                for path, accept in PROBES:
                    try:
                        r = _get(base, path, accept, timeout=30)
                        outcome = check_response(r, path)
                    except httpx.HTTPError as exc:  # the app itself must stay up
                        outcome = f"transport error {exc!r}"
                    except AssertionError as exc:
                        outcome = str(exc)[:300]
                    outcomes.append((time.monotonic(), path, outcome))
                time.sleep(0.05)

        thread = threading.Thread(target=client, daemon=True)
        thread.start()
        time.sleep(1.0)
        try:
            _pg_ctl("stop")       # the outage: a restart held open for ~2 s so requests fall into it
            down_at = time.monotonic()
            time.sleep(2.0)
        finally:
            _pg_ctl("start")
            for _ in range(60):
                if _pg_ready():
                    break
                time.sleep(0.5)
        up_at = time.monotonic()
        deadline = up_at + 60
        while time.monotonic() < deadline and not any(t > up_at and o == "ok" for t, _p, o in list(outcomes)):
            time.sleep(0.1)
        time.sleep(1.0)
        stop.set()
        thread.join(timeout=60)
        # After the server is back every probe succeeds again, with the same medkosh process.
        for path, accept in PROBES:
            assert check_response(_get(base, path, accept), path) == "ok"
    bad = [o for o in outcomes if o[2] not in ("ok", "outage")]
    assert not bad, bad[:3]
    during = [o for o in outcomes if down_at <= o[0] <= up_at]
    assert any(o[2] == "outage" for o in during), "no request fell into the outage"
    first_ok = min((t for t, _p, o in outcomes if t > up_at and o == "ok"), default=None)
    assert first_ok is not None, "no request succeeded after the restart"
    recovered = first_ok - up_at
    errors = sum(1 for o in outcomes if o[2] == "outage")
    print(f"postgres restart: {len(outcomes)} requests, {errors} answered 503 'database unavailable', 0 other "
          f"errors; outage {up_at - down_at:.1f} s; first success {recovered:.2f} s after pg_isready")
