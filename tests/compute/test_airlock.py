"""Outputs stay inside until two independent checkers approve; authors never check their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medkosh.compute import outputs
from medkosh.compute.types import JobState, OutputStatus
from medkosh.errors import InputError, PermissionDenied, PolicyViolation
from medkosh.store.db import session_scope

SCRIPT = """
import csv
with open("/out/counts.csv", "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["district", "n"])
    w.writerow(["Pune", 3])
    w.writerow(["Nashik", 42])
with open("/out/records.csv", "w") as fh:
    fh.write("patient_key,hba1c\\nP0123456789abcdef0123,7.1\\n")
"""


@pytest.fixture
def finished(w: Any, tmp_path: Path, make_project: Any, submit_and_run: Any) -> Any:
    extra = f"team: [{w.users['committee3'].email}]\n"
    done = submit_and_run(make_project(tmp_path / "p", SCRIPT, datasets=["test-controlled@1"], extra=extra))
    assert done.state == JobState.SUCCEEDED
    with session_scope() as s:
        outs = {o.path: o.id for o in outputs.outputs_of(s, done.id)}
    return done, outs


def test_auto_checks_then_two_approvals_then_release(w: Any, finished: Any, principal: Any) -> None:
    u = w.users
    done, outs = finished
    with session_scope() as s:
        statuses = {o.path: o.status for o in outputs.outputs_of(s, done.id)}
    assert statuses == {"counts.csv": "pending_review", "records.csv": "blocked"}
    counts = outs["counts.csv"]
    with session_scope() as s, pytest.raises(PolicyViolation, match="only released"):
        outputs.released_bytes(s, principal(u["researcher"]), counts)
    with session_scope() as s:
        assert outputs.decide(s, principal(u["committee1"]), counts, "approve").status == "pending_review"
    with session_scope() as s, pytest.raises(PolicyViolation, match="already reviewed"):
        outputs.decide(s, principal(u["committee1"]), counts, "approve")
    with session_scope() as s:
        assert outputs.decide(s, principal(u["committee2"]), counts, "approve").status == "approved"
    with session_scope() as s:
        outputs.release(s, principal(u["researcher"]), counts)
    with session_scope() as s:
        _, data = outputs.released_bytes(s, principal(u["researcher"]), counts)
    assert data == b"district,n\nPune,[REDACTED]\nNashik,40\n"
    with session_scope() as s, pytest.raises(PermissionDenied, match="team"):
        outputs.released_bytes(s, principal(u["committee1"]), counts)


def test_authors_and_team_cannot_check_and_blocked_never_release(w: Any, finished: Any, principal: Any) -> None:
    u = w.users
    _, outs = finished
    with session_scope() as s, pytest.raises(PermissionDenied, match="only output checkers"):
        outputs.decide(s, principal(u["researcher"]), outs["counts.csv"], "approve")
    with session_scope() as s, pytest.raises(PermissionDenied, match="your own job"):
        outputs.decide(s, principal(u["committee3"]), outs["counts.csv"], "approve")  # on the team
    with session_scope() as s, pytest.raises(PolicyViolation, match="blocked"):
        outputs.decide(s, principal(u["committee1"]), outs["records.csv"], "approve")
    with session_scope() as s:
        queue = [o.path for o in outputs.review_queue(s, principal(u["committee1"]))]
        assert queue == ["counts.csv"]
        assert outputs.review_queue(s, principal(u["committee3"])) == []


def test_one_approval_is_not_enough_and_a_rejection_needs_a_reason(w: Any, finished: Any, principal: Any) -> None:
    from medkosh.errors import ConflictError

    u = w.users
    _, outs = finished
    counts = outs["counts.csv"]
    with session_scope() as s:
        outputs.decide(s, principal(u["committee1"]), counts, "approve")
    with session_scope() as s, pytest.raises(ConflictError):
        outputs.release(s, principal(u["researcher"]), counts)
    with session_scope() as s, pytest.raises(InputError, match="comment"):
        outputs.decide(s, principal(u["committee2"]), counts, "reject")
    with session_scope() as s:
        assert outputs.decide(s, principal(u["committee2"]), counts, "reject", "round to 10").status == "rejected"
    with session_scope() as s:
        out, _ = outputs.get_output(s, counts)
        assert out.status == OutputStatus.REJECTED.value
