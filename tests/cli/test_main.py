from __future__ import annotations

import json
import subprocess
import sys


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "medkosh.cli.main", *args], capture_output=True, text=True)


def test_help_lists_commands() -> None:
    out = _run("--help")
    assert out.returncode == 0
    assert "config" in out.stdout and "audit" in out.stdout


def test_bad_argument_is_one_line_and_nonzero() -> None:
    out = _run("config", "show", "--bogus")
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "--bogus" in lines[0]
    assert "Traceback" not in out.stderr


def test_unknown_command_is_one_line() -> None:
    out = _run("frobnicate")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_config_show_json_masks_secrets(monkeypatch) -> None:
    monkeypatch.setenv("MEDKOSH_SECRET_KEY", "super-secret-value")
    monkeypatch.setenv("MEDKOSH_DATABASE_URL", "postgresql://alice:pa55word@db.example/medkosh")
    out = _run("config", "show", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["secret_key"] == "********"
    assert "pa55word" not in out.stdout and "super-secret-value" not in out.stdout
    assert data["database_url"] == "postgresql://alice:********@db.example/medkosh"


def test_audit_verify_reports_tampering_in_one_line(sqlite_url: str) -> None:
    from sqlalchemy import text

    from medkosh.audit import record
    from medkosh.store.db import get_engine, session_scope

    with session_scope() as s:
        for i in range(5):
            record(s, "system.test.happened", details={"i": i})
    assert _run("audit", "verify").returncode == 0
    with get_engine(sqlite_url).begin() as conn:
        conn.execute(text("UPDATE audit_event SET outcome='denied' WHERE seq=2"))
    out = _run("audit", "verify")
    assert out.returncode == 9
    assert "entry 2" in out.stderr and len(out.stderr.strip().splitlines()) == 1
