"""The airlock: job outputs are checked automatically, then by two independent checkers, then released.

A released file is the checked version (small counts redacted, counts rounded); the raw file the job
wrote is kept inside the platform and never served.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.audit import record
from medkosh.audit.service import Actor
from medkosh.compute import policies, transitions
from medkosh.compute.output_check import CheckRules, check_file
from medkosh.compute.types import ComputeEvent, OutputStatus
from medkosh.errors import InputError, NotFoundError, PolicyViolation
from medkosh.identity.types import Principal
from medkosh.store.base import new_id, utcnow
from medkosh.store.objects import ObjectStore
from medkosh.store.tables.catalog import CatalogDatasetRow
from medkosh.store.tables.compute import JobRow, OutputReviewRow, OutputRow

APPROVALS_NEEDED = 2
MAX_OUTPUT_FILES = 200


@dataclass(frozen=True)
class OutputView:
    id: str
    job_id: str
    path: str
    kind: str
    size: int
    status: str
    auto_check: dict[str, Any]
    approvals: int
    rejections: int
    released_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _canaries_for(session: Session, row: JobRow) -> list[str]:
    """Canary values of the datasets the job read (from the path their builds resolved)."""
    from medkosh.deid.scan import load_canaries

    values: list[str] = []
    for ds in json.loads(row.datasets_json):
        dataset = session.get(CatalogDatasetRow, ds["dataset_id"])
        if dataset is None:
            continue
        path = json.loads(dataset.metadata_json or "{}").get("resolved_paths", {}).get("canaries")
        if path and Path(path).exists():
            values.extend(load_canaries(Path(path)))
    return sorted(set(values))


def collect_outputs(session: Session, row: JobRow, out_dir: Path, rules: CheckRules | None = None) -> list[OutputRow]:
    """Store every file the job wrote (raw and checked versions) and record the automatic verdict."""
    rules = rules or CheckRules()
    store = ObjectStore()
    canaries = _canaries_for(session, row)
    files = sorted(p for p in out_dir.rglob("*") if p.is_file() and not p.is_symlink()) if out_dir.exists() else []
    made = []
    for path in files[:MAX_OUTPUT_FILES]:
        rel = str(path.relative_to(out_dir))
        result = check_file(path, rules, canaries)
        raw = store.put_file(path)
        checked = store.put_bytes(result.checked_bytes) if result.checked_bytes is not None else None
        out = OutputRow(id=new_id("out"), job_id=row.id, path=rel, kind=str(result.kind), raw_object=raw,
                        checked_object=checked, size=path.stat().st_size, status=result.status.value,
                        auto_check_json=json.dumps(result.as_dict()), created_at=utcnow())
        session.add(out)
        record(session, ComputeEvent.OUTPUT_CHECKED, actor=Actor(id="system"), subject_type="output",
               subject_id=out.id, outcome="denied" if result.status is OutputStatus.BLOCKED else "success",
               details={"job": row.id, "path": rel, **result.as_dict()})
        made.append(out)
    if len(files) > MAX_OUTPUT_FILES:
        record(session, ComputeEvent.OUTPUT_CHECKED, actor=Actor(id="system"), subject_type="job", subject_id=row.id,
               outcome="denied", details={"skipped_files": len(files) - MAX_OUTPUT_FILES,
                                          "reason": f"more than {MAX_OUTPUT_FILES} output files"})
    session.flush()
    return made


def _counts(session: Session, output_id: str) -> tuple[int, int]:
    rows = session.execute(select(OutputReviewRow.decision).where(OutputReviewRow.output_id == output_id)).scalars()
    decisions = list(rows)
    return decisions.count("approve"), decisions.count("reject")


def view(session: Session, row: OutputRow) -> OutputView:
    approvals, rejections = _counts(session, row.id)
    return OutputView(row.id, row.job_id, row.path, row.kind, row.size, row.status, json.loads(row.auto_check_json),
                      approvals, rejections, row.released_at.isoformat() if row.released_at else None)


def get_output(session: Session, output_id: str) -> tuple[OutputRow, JobRow]:
    out = session.get(OutputRow, output_id)
    if out is None:
        raise NotFoundError(f"no such output: {output_id}", hint="see `medkosh outputs review`")
    job = session.get(JobRow, out.job_id)
    assert job is not None
    return out, job


def outputs_of(session: Session, job_id: str) -> list[OutputRow]:
    return list(session.execute(select(OutputRow).where(OutputRow.job_id == job_id).order_by(OutputRow.path)).scalars())


def review_queue(session: Session, principal: Principal | None = None) -> list[OutputRow]:
    """Outputs waiting for checkers; a principal sees only those they may check (not their own jobs)."""
    rows = list(session.execute(select(OutputRow).where(OutputRow.status == OutputStatus.PENDING_REVIEW.value)
                                .order_by(OutputRow.created_at)).scalars())
    if principal is None:
        return rows
    keep = []
    for out in rows:
        job = session.get(JobRow, out.job_id)
        if job is None:
            continue
        from medkosh.compute.service import facts

        try:
            policies.check_can_review_output(principal, facts(job))
        except Exception:  # noqa: S112 - not theirs to check
            continue
        keep.append(out)
    return keep


def decide(session: Session, principal: Principal, output_id: str, decision: str, comment: str = "") -> OutputRow:
    """One checker's decision; two approvals approve, one rejection rejects."""
    from medkosh.compute.service import facts

    if decision not in ("approve", "reject"):
        raise InputError(f"unknown decision {decision!r}", hint="approve or reject")
    out, job = get_output(session, output_id)
    policies.check_can_review_output(principal, facts(job))
    if out.status != OutputStatus.PENDING_REVIEW.value:
        raise PolicyViolation(f"output {output_id} is {out.status}, not waiting for review")
    if decision == "reject" and not comment.strip():
        raise InputError("a rejection needs a comment", hint="say what the researcher must change")
    exists = session.execute(select(OutputReviewRow).where(OutputReviewRow.output_id == output_id,
                                                           OutputReviewRow.reviewer_id == principal.id)).scalar()
    if exists is not None:
        raise PolicyViolation("you already reviewed this output", hint="a second, independent checker is needed")
    session.add(OutputReviewRow(id=new_id("orv"), output_id=output_id, reviewer_id=principal.id, decision=decision,
                                comment=comment.strip(), at=utcnow()))
    session.flush()
    approvals, rejections = _counts(session, output_id)
    if rejections:
        transitions.check_output(out.status, OutputStatus.REJECTED, "checker")
        out.status = OutputStatus.REJECTED.value
    elif approvals >= APPROVALS_NEEDED:
        transitions.check_output(out.status, OutputStatus.APPROVED, "checker")
        out.status = OutputStatus.APPROVED.value
    record(session, ComputeEvent.OUTPUT_REVIEWED, actor=principal.audit_actor(), subject_type="output",
           subject_id=output_id, details={"job": job.id, "decision": decision, "approvals": approvals,
                                          "status": out.status})
    session.flush()
    return out


def release(session: Session, principal: Principal | Actor, output_id: str) -> OutputRow:
    from medkosh.compute.service import facts

    out, job = get_output(session, output_id)
    who = "admin"
    if isinstance(principal, Principal):
        if principal.id == job.owner_id:
            who = "owner"
        elif not principal.has_role(*_admin_roles()):
            policies.check_can_see_job(principal, facts(job))  # another institution's output: 404
            who = "checker" if principal.has_role(*_checker_roles()) else "nobody"
    transitions.check_output(out.status, OutputStatus.RELEASED, who)
    out.status = OutputStatus.RELEASED.value
    out.released_at = utcnow()
    actor = principal.audit_actor() if isinstance(principal, Principal) else principal
    out.released_by = actor.id
    record(session, ComputeEvent.OUTPUT_RELEASED, actor=actor, subject_type="output", subject_id=output_id,
           details={"job": job.id, "path": out.path})
    session.flush()
    return out


def _checker_roles() -> tuple[Any, ...]:
    from medkosh.identity.types import Role

    return (Role.COMMITTEE,)


def _admin_roles() -> tuple[Any, ...]:
    from medkosh.identity.types import Role

    return (Role.ADMIN,)


def released_bytes(session: Session, principal: Principal, output_id: str) -> tuple[OutputRow, bytes]:
    """The releasable file for the job's team (checked version), logged in the audit chain."""
    from medkosh.compute.service import facts

    out, job = get_output(session, output_id)
    policies.check_can_download_output(principal, facts(job))
    if out.status != OutputStatus.RELEASED.value:
        raise PolicyViolation(f"output {output_id} is {out.status}; only released outputs leave the platform",
                              hint="two output checkers must approve it, then release it")
    data = ObjectStore().get_bytes(out.checked_object or out.raw_object)
    record(session, ComputeEvent.OUTPUT_DOWNLOADED, actor=principal.audit_actor(), subject_type="output",
           subject_id=output_id, details={"job": job.id, "path": out.path, "bytes": len(data)})
    return out, data
