"""Compute credits: charges, refusal over the allocation, fair-share ordering, usage reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from medkosh.compute import credits, service
from medkosh.compute.spec import load_spec
from medkosh.compute.types import JobState, Resources
from medkosh.errors import InputError, PolicyViolation
from medkosh.store.db import session_scope
from medkosh.store.tables.compute import JobRow


def test_charge_is_resources_times_wall_time() -> None:
    usage = credits.charge(Resources(cpus=4, memory_mb=1024, gpus=2, wall_seconds=7200), 1800)
    assert usage.cpu_hours == pytest.approx(2.0) and usage.gpu_hours == pytest.approx(1.0)
    assert credits.quarter_of(dt.datetime(2026, 11, 28, tzinfo=dt.UTC)) == "2026Q4"
    assert credits.quarter_of(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == "2026Q1"


def test_finished_job_is_charged_and_reported(w: Any, tmp_path: Path, make_project: Any, submit_and_run: Any) -> None:
    done = submit_and_run(make_project(tmp_path / "p", "import time; time.sleep(0.5)", datasets=["test-controlled@1"]))
    assert done.state == JobState.SUCCEEDED
    assert done.cpu_hours == pytest.approx(0.5 / 3600, rel=1.0)  # 1 CPU × ~0.5 s (startup adds a little)
    assert done.cpu_hours > 0.4 / 3600
    with session_scope() as s:
        report = credits.usage_report(s, "institution")
        left = credits.remaining(s, w.inst)
    assert report == [{"institution": w.inst, "jobs": 1, "cpu_hours": pytest.approx(done.cpu_hours, abs=1e-6),
                       "gpu_hours": 0.0}]
    assert left["cpu_hours_left"] == pytest.approx(100.0 - done.cpu_hours, abs=1e-6)


def test_job_over_allocation_is_refused_at_submission(w: Any, tmp_path: Path, make_project: Any,
                                                       principal: Any) -> None:
    spec_path = make_project(tmp_path / "p", "print(1)", datasets=["test-controlled@1"])
    spec_path.write_text(spec_path.read_text().replace("cpus: 1,", "cpus: 8,").replace("wall_time: 60s", "wall_time: 13h"))
    spec, project = load_spec(spec_path)
    with session_scope() as s, pytest.raises(PolicyViolation, match=r"needs up to 104.00 CPU-hours.*100.00 left"):
        service.submit(s, principal(w.users["researcher"]), spec, project)
    spec_path.write_text(spec_path.read_text().replace("wall_time: 13h", "wall_time: 12h"))
    spec, project = load_spec(spec_path)
    with session_scope() as s:
        service.submit(s, principal(w.users["researcher"]), spec, project)  # 96 h fits …
    with session_scope() as s, pytest.raises(PolicyViolation, match="left"):
        service.submit(s, principal(w.users["researcher"]), spec, project)  # … but not twice (queued counts)


def test_gpu_jobs_need_gpu_credits(w: Any, tmp_path: Path, make_project: Any, principal: Any) -> None:
    spec_path = make_project(tmp_path / "p", "print(1)", datasets=["test-controlled@1"])
    spec_path.write_text(spec_path.read_text().replace("cpus: 1,", "cpus: 1, gpus: 1,"))
    spec, project = load_spec(spec_path)
    with session_scope() as s, pytest.raises(PolicyViolation, match="GPU-hours"):
        service.submit(s, principal(w.users["researcher"]), spec, project)


def test_no_allocation_means_no_jobs(w: Any, tmp_path: Path, make_project: Any, principal: Any) -> None:
    with session_scope() as s:
        credits.set_allocation(s, w.inst, cpu_hours=0, gpu_hours=0, actor="system")
    spec, project = load_spec(make_project(tmp_path / "p", "print(1)", datasets=["test-controlled@1"]))
    with session_scope() as s, pytest.raises(PolicyViolation, match="no compute allocation"):
        service.submit(s, principal(w.users["researcher"]), spec, project)
    with session_scope() as s, pytest.raises(InputError, match="quarter"):
        credits.set_allocation(s, w.inst, cpu_hours=1, gpu_hours=0, quarter="2026-4", actor="system")


def test_fair_share_puts_less_recent_usage_first() -> None:
    now = dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC)

    def job(jid: str, inst: str, minutes: int) -> JobRow:
        return JobRow(id=jid, institution_id=inst, submitted_at=now + dt.timedelta(minutes=minutes))

    queue = [job("a1", "heavy", 0), job("b1", "light", 5), job("a2", "heavy", 1), job("c1", "new", 9)]
    order = credits.fair_share_order(queue, {"heavy": 50.0, "light": 2.0})
    assert [j.id for j in order] == ["c1", "b1", "a1", "a2"]


def test_worker_claims_in_fair_share_order(w: Any, tmp_path: Path, make_project: Any, principal: Any) -> None:
    """Two institutions queue jobs; the one that used more compute recently waits."""
    from medkosh.compute import credits as cr

    u = w.users
    with session_scope() as s:
        cr.set_allocation(s, w.other_inst, cpu_hours=10, gpu_hours=0, actor="system")
        heavy = JobRow(id="job_past", name="past", owner_id=u["researcher"].id, institution_id=w.inst,
                       team_json="[]", state="succeeded", spec_json="{}", datasets_json="[]", code_object="0" * 64,
                       executor="local", cpus=1, memory_mb=512, gpus=0, wall_seconds=60, quarter=cr.quarter_of(),
                       cancel_requested=False, cpu_hours=30.0, gpu_hours=0.0,
                       finished_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
        s.add(heavy)
    spec_a, proj_a = load_spec(make_project(tmp_path / "a", "print(1)", datasets=["test-controlled@1"]))
    spec_b, proj_b = load_spec(make_project(tmp_path / "b", "print(1)", datasets=["test-open@1"]))
    with session_scope() as s:
        first = service.submit(s, principal(u["researcher"]), spec_a, proj_a).id
    with session_scope() as s:
        second = service.submit(s, principal(u["outsider"]), spec_b, proj_b).id
    assert service.claim_next("w") == second  # the other institution used nothing recently
    assert service.claim_next("w") == first
