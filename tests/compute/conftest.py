"""A world for TRE tests: the access world (people, tiers, committee), a granted controlled dataset,
and a CPU allocation for the institution."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from medkosh.identity.types import Principal
from medkosh.store.db import session_scope

_spec = importlib.util.spec_from_file_location("access_world", Path(__file__).parents[1] / "access" / "world.py")
assert _spec and _spec.loader
world = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("access_world", world)
_spec.loader.exec_module(world)

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None,
                                 reason="bubblewrap not installed (make test installs it via scripts/system-deps.sh)")


def P(user: Any) -> Principal:
    return Principal(user=user, via="session")


def grant(w: Any, tier: str, who: str = "researcher") -> None:
    from medkosh.access import requests, service

    u = w.users
    v = w.versions[tier]
    with session_scope() as s:
        rid = requests.create(s, P(u[who]), title="Diabetes complications", lay_summary="We model complications.",
                              purpose="DSRCH", versions=[f"{v.dataset_id}@{v.number}"], duration_days=90,
                              ethics_committee="AIIMS IEC", ethics_approval_number="IEC-1")
        requests.attach_document(s, P(u[who]), rid, "approval.pdf", b"%PDF-1.4")
        requests.submit(s, P(u[who]), rid)
        requests.review(s, P(u["committee1"]), rid, "approve")
        requests.review(s, P(u["committee2"]), rid, "approve")
        dua = service.current_dua(s, v.dataset_id)
        service.sign_dua(s, P(u[who]), v.dataset_id, typed_name=u[who].name, dua_sha256=dua["sha256"])


@pytest.fixture
def w(db_url: str) -> Any:
    from medkosh.compute import credits

    with session_scope() as s:
        built = world.build_world(s)
        credits.set_allocation(s, built.inst, cpu_hours=100.0, gpu_hours=0.0, actor="system")
    grant(built, "controlled")
    return built


@pytest.fixture
def make_project() -> Any:
    return write_project


@pytest.fixture
def submit_and_run(w: Any) -> Any:
    """Submit a spec as the researcher (or another user) and run it to its end on this machine."""
    from medkosh.compute import service
    from medkosh.compute.spec import load_spec

    def go(spec_path: Path, who: str = "researcher") -> Any:
        spec, project = load_spec(spec_path)
        with session_scope() as s:
            job_id = service.submit(s, P(w.users[who]), spec, project).id
        assert service.claim_next("test") == job_id
        return service.run_job(job_id, worker="test")

    return go


@pytest.fixture
def principal() -> Any:
    return P


def write_project(root: Path, script: str, *, datasets: list[str], extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.py").write_text(textwrap.dedent(script))
    spec = root / "job.yaml"
    spec.write_text(textwrap.dedent(f"""\
        name: test-job
        entry: main.py
        datasets: {datasets}
        resources: {{cpus: 1, memory_mb: 1024, wall_time: 60s}}
        """) + extra)
    return spec
