"""Jobs in the trusted research environment: submit, run (sandboxed, metered), cancel, follow.

Every state change writes its audit event in the same transaction. Running a job happens outside any
database transaction (it can take hours); the claim (queued → running) and the result (→ finished,
outputs, charge) are each one short transaction.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.audit import record
from medkosh.audit.service import Actor
from medkosh.compute import credits, policies, transitions
from medkosh.compute.executors import ExecTask, get_executor
from medkosh.compute.sandbox import Mounts, RunResult, sandbox_available
from medkosh.compute.spec import JobSpec
from medkosh.compute.types import ComputeEvent, JobState, Resources
from medkosh.config import get_settings
from medkosh.errors import InputError, MedkoshError, NotFoundError, PolicyViolation
from medkosh.identity.types import Principal
from medkosh.store.base import new_id, utcnow
from medkosh.store.db import session_scope
from medkosh.store.objects import ObjectStore
from medkosh.store.tables.compute import JobRow

MAX_CODE_BYTES = 50 * 1024 * 1024
_SKIP = {"__pycache__", ".git", ".venv", ".ipynb_checkpoints", ".mypy_cache", ".pytest_cache"}


@dataclass(frozen=True)
class JobView:
    id: str
    name: str
    owner_id: str
    institution_id: str
    state: str
    executor: str
    datasets: list[dict[str, Any]]
    resources: dict[str, Any]
    submitted_at: str
    started_at: str | None
    finished_at: str | None
    exit_code: int | None
    error: str | None
    sandboxed: bool | None
    cpu_hours: float
    gpu_hours: float
    team: list[str]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def view(row: JobRow) -> JobView:
    return JobView(
        id=row.id, name=row.name, owner_id=row.owner_id, institution_id=row.institution_id, state=row.state,
        executor=row.executor, datasets=json.loads(row.datasets_json),
        resources={"cpus": row.cpus, "memory_mb": row.memory_mb, "gpus": row.gpus, "wall_seconds": row.wall_seconds},
        submitted_at=row.submitted_at.isoformat(), started_at=row.started_at.isoformat() if row.started_at else None,
        finished_at=row.finished_at.isoformat() if row.finished_at else None, exit_code=row.exit_code,
        error=row.error, sandboxed=row.sandboxed, cpu_hours=round(row.cpu_hours, 6),
        gpu_hours=round(row.gpu_hours, 6), team=json.loads(row.team_json))


def facts(row: JobRow) -> policies.JobFacts:
    from sqlalchemy.orm import object_session

    from medkosh.access.service import committees_for

    checkers: frozenset[str] = frozenset()
    session = object_session(row)
    if session is not None:
        datasets = {str(d.get("dataset_id", "")) for d in json.loads(row.datasets_json or "[]")}
        checkers = frozenset().union(*committees_for(session, datasets - {""}).values())
    return policies.JobFacts(row.owner_id, row.institution_id, frozenset(json.loads(row.team_json)), checkers)


def job_dir(job_id: str) -> Path:
    return get_settings().work_dir / "jobs" / job_id


def log_path(job_id: str) -> Path:
    return job_dir(job_id) / "job.log"


# ---- submission ---------------------------------------------------------------------------------

def pack_code(project: Path) -> bytes:
    """A deterministic tar of the project folder (sorted, fixed mtimes), refusing links out of it."""
    buf = io.BytesIO()
    total = 0
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(project.rglob("*")):
            rel = path.relative_to(project)
            if any(part in _SKIP for part in rel.parts):
                continue
            if path.is_symlink():
                raise InputError(f"symbolic link in the project folder: {rel}", hint="copy the file in instead")
            if path.is_file():
                total += path.stat().st_size
                if total > MAX_CODE_BYTES:
                    raise InputError("project folder is larger than 50 MB",
                                     hint="bring code, not data: datasets are mounted at /data")
                info = tar.gettarinfo(str(path), arcname=str(rel))
                info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
                info.mode = 0o644
                with path.open("rb") as fh:
                    tar.addfile(info, fh)
    return buf.getvalue()


def _resolve_team(session: Session, team: list[str]) -> list[str]:
    from medkosh.identity.service import find_user

    ids = []
    for who in team:
        try:
            ids.append(find_user(session, who).id)
        except NotFoundError as exc:
            raise InputError(f"team member not found: {who}", where="team",
                             hint="list registered users' emails or ids") from exc
    return sorted(set(ids))


def submit(session: Session, principal: Principal, spec: JobSpec, project: Path) -> JobRow:
    """Validate grants, credits and the environment, store the code, queue the job."""
    from medkosh.access.service import check_data_use

    policies.check_can_submit(principal)
    resources = spec.resources_obj()
    datasets = []
    seen: set[str] = set()
    try:
        for ref in spec.datasets:
            version = check_data_use(session, principal, ref, in_tre=True)
            if version.dataset_id in seen:
                raise InputError(f"two versions of dataset {version.dataset_id} in one job", where="datasets",
                                 hint="a job reads one version of each dataset")
            seen.add(version.dataset_id)
            datasets.append({"ref": version.ref, "version_id": version.id, "dataset_id": version.dataset_id,
                             "tier": str(version.tier)})
        credits.check_allowance(session, principal.institution_id, resources)
    except MedkoshError as exc:
        # The refusal is audited and committed on its own: nothing else of this submission is kept.
        session.rollback()
        record(session, ComputeEvent.JOB_REFUSED, actor=principal.audit_actor(), subject_type="job",
               outcome="denied", details={"name": spec.name, "reason": exc.user_line()})
        session.commit()
        raise
    if spec.executor == "ray" and not _ray_installed():
        raise InputError("the Ray executor is not installed here", hint="use executor: local or install medkosh[ray]")
    code = pack_code(project)
    code_object = ObjectStore().put_bytes(code)
    row = JobRow(
        id=new_id("job"), name=spec.name, owner_id=principal.id, institution_id=principal.institution_id,
        team_json=json.dumps(_resolve_team(session, spec.team)), state=JobState.QUEUED.value,
        spec_json=spec.model_dump_json(), datasets_json=json.dumps(datasets), code_object=code_object,
        executor=spec.executor, cpus=resources.cpus, memory_mb=resources.memory_mb, gpus=resources.gpus,
        wall_seconds=resources.wall_seconds, quarter=credits.quarter_of(), submitted_at=utcnow(),
        cancel_requested=False, cpu_hours=0.0, gpu_hours=0.0)
    session.add(row)
    record(session, ComputeEvent.JOB_SUBMITTED, actor=principal.audit_actor(), subject_type="job", subject_id=row.id,
           details={"name": spec.name, "datasets": [d["ref"] for d in datasets], "executor": spec.executor,
                    "cpus": resources.cpus, "gpus": resources.gpus, "memory_mb": resources.memory_mb,
                    "wall_seconds": resources.wall_seconds})
    session.flush()
    return row


def _ray_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("ray") is not None


# ---- reading ------------------------------------------------------------------------------------

def get_job(session: Session, job_id: str) -> JobRow:
    row = session.get(JobRow, job_id)
    if row is None:
        raise NotFoundError(f"no such job: {job_id}", hint="see `medkosh job list`")
    return row


def get_visible_job(session: Session, principal: Principal, job_id: str) -> JobRow:
    row = session.get(JobRow, job_id)
    if row is None:
        raise NotFoundError(f"no such job: {job_id}", hint="see `medkosh job list`")
    policies.check_can_see_job(principal, facts(row))
    return row


def list_jobs(session: Session, principal: Principal | None = None, state: str | None = None) -> list[JobRow]:
    stmt = select(JobRow).order_by(JobRow.submitted_at.desc())
    if state:
        stmt = stmt.where(JobRow.state == JobState(state).value)
    rows = list(session.execute(stmt).scalars())
    if principal is None:
        return rows
    return [r for r in rows if policies.can_see_job(principal, facts(r))]


def read_log(job_id: str, offset: int = 0, limit: int = 1 << 20) -> tuple[str, int]:
    """Log text from a byte offset (for streaming); returns (text, next offset)."""
    path = log_path(job_id)
    if not path.exists():
        return "", offset
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read(limit)
    return data.decode("utf-8", errors="replace"), offset + len(data)


# ---- cancel -------------------------------------------------------------------------------------

def cancel(session: Session, principal: Principal | Actor | str, job_id: str) -> JobRow:
    row = get_job(session, job_id)
    actor: Any = principal.audit_actor() if isinstance(principal, Principal) else principal
    if isinstance(principal, Principal):
        policies.check_can_cancel(principal, facts(row))
    if row.state == JobState.QUEUED.value:
        transitions.check_job(row.state, JobState.CANCELLED, "owner")
        row.state = JobState.CANCELLED.value
        row.finished_at = utcnow()
        record(session, ComputeEvent.JOB_CANCELLED, actor=actor, subject_type="job", subject_id=row.id,
               details={"while": "queued"})
    elif row.state == JobState.RUNNING.value:
        row.cancel_requested = True
        flag = job_dir(job_id) / "CANCEL"
        flag.parent.mkdir(parents=True, exist_ok=True)
        flag.touch()
        record(session, ComputeEvent.JOB_CANCELLED, actor=actor, subject_type="job", subject_id=row.id,
               details={"while": "running", "requested": True})
    else:
        raise PolicyViolation(f"job {job_id} already ended ({row.state})", hint="nothing to cancel")
    session.flush()
    return row


# ---- running ------------------------------------------------------------------------------------

def claim_next(worker: str, executor: str | None = None) -> str | None:
    """Move the next queued job (fair-share order) to running; returns its id, or None."""
    with session_scope() as session:
        stmt = select(JobRow).where(JobRow.state == JobState.QUEUED.value)
        if executor:
            stmt = stmt.where(JobRow.executor == executor)
        queued = list(session.execute(stmt).scalars())
        if not queued:
            return None
        ordered = credits.fair_share_order(queued, credits.recent_usage(session))
        for row in ordered:
            # Optimistic claim: only one worker wins the queued → running update.
            from sqlalchemy import update

            result: Any = session.execute(
                update(JobRow).where(JobRow.id == row.id, JobRow.state == JobState.QUEUED.value)
                .values(state=JobState.RUNNING.value, started_at=utcnow(), worker=worker))
            claimed = result.rowcount
            if claimed:
                transitions.check_job(JobState.QUEUED.value, JobState.RUNNING, "system")
                record(session, ComputeEvent.JOB_STARTED, actor=Actor(id=f"worker:{worker}"), subject_type="job",
                       subject_id=row.id, details={"executor": row.executor})
                return row.id
        return None


def _principal_of(session: Session, user_id: str) -> Principal:
    from medkosh.identity.service import get_user

    return Principal(user=get_user(session, user_id), via="job")


def _materialise_inputs(session: Session, principal: Principal, row: JobRow, data_dir: Path) -> bool:
    """Re-check every grant now (it may have lapsed while queued) and link exactly the granted files.

    Returns whether any dataset is controlled-tier."""
    from medkosh.access.service import check_data_use

    store = ObjectStore()
    controlled = False
    for ds in json.loads(row.datasets_json):
        version = check_data_use(session, principal, f"{ds['dataset_id']}@{ds['version_id']}", in_tre=True)
        controlled = controlled or str(version.tier) == "controlled"
        base = data_dir / version.dataset_id
        for entry in version.files:
            target = (base / entry.path).resolve()
            if not str(target).startswith(str(base.resolve())):
                raise InputError(f"unsafe file path in {version.ref}: {entry.path}")
            target.parent.mkdir(parents=True, exist_ok=True)
            if store.is_local:
                src = store.local_path(entry.sha256)
                try:
                    os.link(src, target)
                except OSError:
                    shutil.copyfile(src, target)
            else:
                with store.open(entry.sha256) as fh, target.open("wb") as out:
                    shutil.copyfileobj(fh, out)
    return controlled


def _extract_code(code_object: str, code_dir: Path) -> None:
    data = ObjectStore().get_bytes(code_object)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r") as tar:
        tar.extractall(code_dir, filter="data")


def run_job(job_id: str, *, worker: str | None = None) -> JobView:
    """Run a job already claimed (state running): prepare, execute, check outputs, charge, finish."""
    from medkosh.compute.outputs import collect_outputs

    worker = worker or socket.gethostname()
    folder = job_dir(job_id)
    code_dir, data_dir, out_dir = folder / "code", folder / "data", folder / "out"
    error: str | None = None
    result: RunResult | None = None
    sandboxed = sandbox_available()
    with session_scope() as session:
        row = get_job(session, job_id)
        spec = JobSpec.model_validate_json(row.spec_json)
        resources = Resources(row.cpus, row.memory_mb, row.gpus, row.wall_seconds)
        executor_name = row.executor
        try:
            principal = _principal_of(session, row.owner_id)
            for d in (code_dir, data_dir, out_dir):
                if d.exists():
                    shutil.rmtree(d)
                d.mkdir(parents=True)
            controlled = _materialise_inputs(session, principal, row, data_dir)
            if controlled and not sandboxed:
                raise PolicyViolation("no sandbox (bubblewrap) is available on this worker; controlled-tier data "
                                      "never runs unsandboxed", hint="install bubblewrap on the worker")
            _extract_code(row.code_object, code_dir)
        except MedkoshError as exc:
            error = exc.user_line()
    if error is None:
        import sys

        argv = [sys.executable, "-I", f"/code/{spec.entry}", *spec.args]
        task = ExecTask(job_id, argv, Mounts(code_dir, data_dir, out_dir), resources, log_path(job_id),
                        folder / "CANCEL", sandboxed)
        try:
            result = get_executor(executor_name).execute(task)
        except MedkoshError as exc:
            error = exc.user_line()
        except Exception as exc:  # an executor fault (e.g. the cluster went away) fails the job, not the worker
            error = f"executor {executor_name} failed: {type(exc).__name__}: {str(exc)[:200]}"
    shutil.rmtree(data_dir, ignore_errors=True)  # the inputs never outlive the run
    with session_scope() as session:
        row = get_job(session, job_id)
        row.finished_at = utcnow()
        row.sandboxed = sandboxed if result else None
        if result is None:
            target = JobState.FAILED
            row.error = error
        elif result.cancelled:
            target = JobState.CANCELLED
        elif result.timed_out:
            target = JobState.TIMED_OUT
            row.error = f"wall time of {row.wall_seconds} s exceeded"
        elif result.exit_code == 0:
            target = JobState.SUCCEEDED
        else:
            target = JobState.FAILED
            row.error = f"the script exited with code {result.exit_code}; see `medkosh job logs {job_id}`"
        transitions.check_job(row.state, target, "system")
        row.state = target.value
        row.exit_code = result.exit_code if result else None
        if result is not None:
            usage = credits.charge(resources, result.seconds)
            row.cpu_hours, row.gpu_hours = usage.cpu_hours, usage.gpu_hours
        outputs = collect_outputs(session, row, out_dir) if result is not None else []
        record(session, ComputeEvent.JOB_FINISHED, actor=Actor(id=f"worker:{worker}"), subject_type="job",
               subject_id=row.id, outcome="success" if target is JobState.SUCCEEDED else "failure",
               details={"state": target.value, "seconds": round(result.seconds, 3) if result else 0,
                        "sandboxed": sandboxed, "cpu_hours": round(row.cpu_hours, 6),
                        "gpu_hours": round(row.gpu_hours, 6), "outputs": len(outputs)})
        session.flush()
        return view(row)


def run_pending(worker: str | None = None, *, max_jobs: int | None = None) -> list[JobView]:
    """Run queued jobs one after another until the queue is empty (or max_jobs ran)."""
    worker = worker or socket.gethostname()
    done: list[JobView] = []
    while max_jobs is None or len(done) < max_jobs:
        job_id = claim_next(worker)
        if job_id is None:
            break
        done.append(run_job(job_id, worker=worker))
    return done


def follow_log(job_id: str, poll: float = 0.5) -> Iterator[str]:
    """Yield new log text until the job has ended and the log is drained."""
    import time

    offset = 0
    while True:
        text, offset = read_log(job_id, offset)
        if text:
            yield text
            continue
        with session_scope() as session:
            state = get_job(session, job_id).state
        if JobState(state).finished:
            text, offset = read_log(job_id, offset)
            if text:
                yield text
            return
        time.sleep(poll)
