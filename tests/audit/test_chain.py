from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from medkosh.audit import record
from medkosh.audit.service import checkpoint_now
from medkosh.audit.verify import export, verify_database
from medkosh.store.db import get_engine, session_scope


def _fill(n: int) -> None:
    with session_scope() as s:
        for i in range(n):
            record(s, "system.test.happened", actor="u1", subject_type="thing", subject_id=f"t{i}",
                   details={"i": i, "ratio": 0.5, "names": ["a", "अ"]})
        checkpoint_now(s)


def _verify() -> object:
    with session_scope() as s:
        return verify_database(s)


def test_intact_chain_verifies(db_url: str) -> None:
    _fill(25)
    result = _verify()
    assert result.ok and result.events == 25 and result.checkpoints == 1


@pytest.mark.parametrize("sql, bad_seq", [
    ("UPDATE audit_event SET actor='mallory' WHERE seq=7", 7),
    ("UPDATE audit_event SET details='[99]' WHERE seq=3", 3),
    ("DELETE FROM audit_event WHERE seq=10", 11),
    ("DELETE FROM audit_event WHERE seq=25", 25),
])
def test_tampering_is_detected_and_named(db_url: str, sql: str, bad_seq: int) -> None:
    _fill(25)
    with get_engine(db_url).begin() as conn:
        conn.execute(text(sql))
    result = _verify()
    assert not result.ok
    assert result.first_bad_seq == bad_seq, result.reason


def test_reordering_two_rows_is_detected(db_url: str) -> None:
    _fill(10)
    with get_engine(db_url).begin() as conn:
        conn.execute(text("UPDATE audit_event SET seq=1000 WHERE seq=4"))
        conn.execute(text("UPDATE audit_event SET seq=4 WHERE seq=5"))
        conn.execute(text("UPDATE audit_event SET seq=5 WHERE seq=1000"))
    result = _verify()
    assert not result.ok and result.first_bad_seq == 4


def test_append_happens_in_callers_transaction(db_url: str) -> None:
    with pytest.raises(RuntimeError), session_scope() as s:
        record(s, "system.test.happened", actor="u1")
        raise RuntimeError("the change failed")
    with session_scope() as s:
        assert s.execute(text("SELECT count(*) FROM audit_event")).scalar() == 0


def test_export_verifies_with_the_standalone_script(db_url: str, tmp_path: Path) -> None:
    _fill(12)
    with session_scope() as s:
        summary = export(s, tmp_path / "exp")
    assert summary["events"] == 12
    out = subprocess.run([sys.executable, str(tmp_path / "exp" / "verify_audit.py"), str(tmp_path / "exp")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "OK: 12 entries" in out.stdout
    lines = (tmp_path / "exp" / "events.jsonl").read_text().splitlines()
    entry = json.loads(lines[3])
    entry["actor"] = "mallory"
    lines[3] = json.dumps(entry)
    (tmp_path / "exp" / "events.jsonl").write_text("\n".join(lines) + "\n")
    out = subprocess.run([sys.executable, str(tmp_path / "exp" / "verify_audit.py"), str(tmp_path / "exp")],
                         capture_output=True, text=True)
    assert out.returncode != 0 and "entry 4" in out.stderr


def test_bad_event_type_is_refused(db_url: str) -> None:
    from medkosh.errors import InputError

    with pytest.raises(InputError), session_scope() as s:
        record(s, "Bad Type")


def test_savepoint_rollback_keeps_the_chain_whole(db_url: str) -> None:
    """An append inside a savepoint that rolls back disappears with it; the next append links correctly."""
    with session_scope() as s:
        record(s, "system.test.happened", actor="u1")
        with pytest.raises(RuntimeError), s.begin_nested():
            record(s, "system.test.happened", actor="u1", details={"inside": True})
            raise RuntimeError("refused")
        record(s, "system.test.happened", actor="u1", details={"after": True})
        with s.begin_nested():
            record(s, "system.test.happened", actor="u1", details={"kept": True})
        record(s, "system.test.happened", actor="u1")
    result = _verify()
    assert result.ok, result.reason
    assert result.events == 4


PARALLEL_CASES = [
    ("UPDATE audit_event SET actor='mallory' WHERE seq=7", 7),
    ("UPDATE audit_event SET details='[99]' WHERE seq=3", 3),
    ("DELETE FROM audit_event WHERE seq=10", 11),
    ("DELETE FROM audit_event WHERE seq=9", 10),  # the last entry of a worker's range
    ("DELETE FROM audit_event WHERE seq=25", 25),
    ("UPDATE audit_event SET prev_hash='0' WHERE seq=17", 17),  # the first entry of a worker's range
    (None, None),
]


@pytest.mark.parametrize("sql, bad_seq", PARALLEL_CASES)
def test_parallel_verification_gives_the_sequential_verdict(db_url: str, sql: str | None, bad_seq: int | None) -> None:
    """Several workers over seq ranges (forced here with a tiny threshold) name the same first broken entry."""
    _fill(25)
    if sql:
        with get_engine(db_url).begin() as conn:
            conn.execute(text(sql))
    with session_scope() as s:
        sequential = verify_database(s, workers=1)
        parallel = verify_database(s, workers=2, parallel_min=1)
    assert (parallel.ok, parallel.first_bad_seq, parallel.reason) == \
        (sequential.ok, sequential.first_bad_seq, sequential.reason)
    assert parallel.ok is (sql is None) and parallel.first_bad_seq == bad_seq
