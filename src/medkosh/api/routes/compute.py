"""TRE API: jobs (submit with code upload, list, show, logs, cancel), the output airlock and credits.

Authorisation is decided centrally (medkosh.access.policies); object-level rules (whose job, who may
check an output) are the compute domain's pure policies, applied by its services.
"""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from medkosh.api.deps import require_principal
from medkosh.errors import InputError, PayloadTooLarge

router = APIRouter(prefix="/api", tags=["compute"])
MAX_UPLOAD = 50 * 1024 * 1024
MAX_FILES = 200

_ROUTES = [
    ("POST", "/api/jobs", "compute.job.submit", "researcher"),
    ("GET", "/api/jobs", "compute.job.list", "signed_in"),
    ("GET", "/api/jobs/{job_id}", "compute.job.read", "signed_in"),
    ("GET", "/api/jobs/{job_id}/logs", "compute.job.read", "signed_in"),
    ("POST", "/api/jobs/{job_id}/cancel", "compute.job.cancel", "signed_in"),
    ("GET", "/api/outputs/review", "compute.output.review", "committee"),
    ("POST", "/api/outputs/{output_id}/decision", "compute.output.review", "committee"),
    ("POST", "/api/outputs/{output_id}/release", "compute.output.release", "signed_in"),
    ("GET", "/api/outputs/{output_id}/download", "compute.output.download", "signed_in"),
    ("GET", "/api/credits", "compute.credits.read", "signed_in"),
    ("PUT", "/api/credits/{institution_id}", "compute.credits.update", "admin"),
    ("GET", "/api/credits/usage", "compute.credits.usage", "steward"),
]


def _register_policy() -> None:
    from medkosh.access.policies import register, roles, signed_in
    from medkosh.identity.types import Role

    rules = {"signed_in": signed_in(), "researcher": roles(Role.RESEARCHER), "committee": roles(Role.COMMITTEE),
             "admin": roles(Role.ADMIN), "steward": roles(Role.STEWARD, Role.ADMIN)}
    for method, path, action, rule in _ROUTES:
        register(method, path, action, rules[rule])


_register_policy()


def _safe_name(name: str) -> str:
    path = PurePosixPath(name.replace("\\", "/"))
    if not name or path.is_absolute() or ".." in path.parts or len(path.parts) > 8:
        raise InputError(f"unsafe file name {name!r}", where="files", hint="upload files by their relative names")
    return str(path)


@router.post("/jobs", status_code=201)
async def submit(request: Request, spec: str = Form(..., max_length=20_000, description="The job's YAML spec."),
                 files: list[UploadFile] = File(..., description="The project's files (relative names kept).")) -> dict[str, Any]:
    """Submit a job: the spec (YAML) and the project's code files; datasets are mounted, never uploaded."""
    import yaml

    from medkosh.compute import service
    from medkosh.compute.spec import parse_spec
    from medkosh.store.db import session_scope

    principal = require_principal(request)
    if len(files) > MAX_FILES:
        raise InputError(f"too many files ({len(files)})", hint=f"upload at most {MAX_FILES}")
    try:
        data = yaml.safe_load(spec)
    except yaml.YAMLError as exc:
        raise InputError("spec is not valid YAML", where="spec", hint="send the SPEC.yaml text") from exc
    with tempfile.TemporaryDirectory(prefix="medkosh-job-") as tmp:
        root = Path(tmp)
        total = 0
        for upload in files:
            rel = _safe_name(upload.filename or "")
            body = await upload.read(MAX_UPLOAD + 1)
            total += len(body)
            if total > MAX_UPLOAD:
                raise PayloadTooLarge("project files exceed 50 MB", hint="bring code, not data")
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        if isinstance(data, dict):
            data = {**data, "project": "."}
        job_spec, project = parse_spec(data, root, "spec")
        with session_scope() as s:
            return service.view(service.submit(s, principal, job_spec, project)).as_dict()


@router.get("/jobs")
def list_jobs(request: Request, state: str | None = Query(default=None, max_length=20)) -> list[dict[str, Any]]:
    from medkosh.compute import service
    from medkosh.compute.types import JobState
    from medkosh.store.db import session_scope

    if state and state not in {s.value for s in JobState}:
        raise InputError(f"unknown state {state!r}", where="state")
    with session_scope() as s:
        return [service.view(r).as_dict() for r in service.list_jobs(s, require_principal(request), state)]


@router.get("/jobs/{job_id}")
def show_job(request: Request, job_id: str) -> dict[str, Any]:
    from medkosh.compute import outputs, service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        row = service.get_visible_job(s, require_principal(request), job_id)
        return service.view(row).as_dict() | {"outputs": [outputs.view(s, o).as_dict()
                                                          for o in outputs.outputs_of(s, job_id)]}


@router.get("/jobs/{job_id}/logs")
def job_logs(request: Request, job_id: str, offset: int = Query(default=0, ge=0, le=1 << 40)) -> dict[str, Any]:
    """Log text from a byte offset; poll with the returned next_offset to stream."""
    from medkosh.compute import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        row = service.get_visible_job(s, require_principal(request), job_id)
        state = row.state
    text, nxt = service.read_log(job_id, offset)
    return {"job_id": job_id, "state": state, "text": text, "next_offset": nxt}


@router.post("/jobs/{job_id}/cancel")
def cancel_job(request: Request, job_id: str) -> dict[str, Any]:
    from medkosh.compute import service
    from medkosh.store.db import session_scope

    principal = require_principal(request)
    with session_scope() as s:
        service.get_visible_job(s, principal, job_id)
        return service.view(service.cancel(s, principal, job_id)).as_dict()


@router.get("/outputs/review")
def review_queue(request: Request) -> list[dict[str, Any]]:
    from medkosh.compute import outputs
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return [outputs.view(s, o).as_dict() for o in outputs.review_queue(s, require_principal(request))]


class DecisionIn(BaseModel):
    decision: Literal["approve", "reject"]
    comment: str = Field(default="", max_length=5000)


@router.post("/outputs/{output_id}/decision")
def decide(request: Request, output_id: str, body: DecisionIn) -> dict[str, Any]:
    from medkosh.compute import outputs
    from medkosh.store.db import session_scope

    with session_scope() as s:
        row = outputs.decide(s, require_principal(request), output_id, body.decision, body.comment)
        return outputs.view(s, row).as_dict()


@router.post("/outputs/{output_id}/release")
def release(request: Request, output_id: str) -> dict[str, Any]:
    from medkosh.compute import outputs
    from medkosh.store.db import session_scope

    with session_scope() as s:
        row = outputs.release(s, require_principal(request), output_id)
        return outputs.view(s, row).as_dict()


def released_output_response(request: Request, output_id: str) -> Response:
    """A released output (checked version) as an attachment, for the API and the portal alike."""
    from medkosh.compute import outputs
    from medkosh.store.db import session_scope

    with session_scope() as s:
        row, data = outputs.released_bytes(s, require_principal(request), output_id)
        name = PurePosixPath(row.path).name
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/outputs/{output_id}/download")
def download(request: Request, output_id: str) -> Response:
    return released_output_response(request, output_id)


@router.get("/credits")
def credits_view(request: Request) -> list[dict[str, Any]]:
    """Allocation, committed and remaining hours this quarter: your institution (admins: all)."""
    from sqlalchemy import select

    from medkosh.compute import credits
    from medkosh.identity.types import Role
    from medkosh.store.db import session_scope
    from medkosh.store.tables.compute import AllocationRow

    principal = require_principal(request)
    quarter = credits.quarter_of()
    with session_scope() as s:
        if principal.has_role(Role.ADMIN):
            insts = sorted(set(s.execute(select(AllocationRow.institution_id)
                                         .where(AllocationRow.quarter == quarter)).scalars()))
        else:
            insts = [principal.institution_id]
        return [{"institution_id": i, "quarter": quarter, **credits.remaining(s, i, quarter)} for i in insts]


class AllocationIn(BaseModel):
    cpu_hours: float = Field(ge=0, le=10_000_000)
    gpu_hours: float = Field(ge=0, le=10_000_000)
    quarter: str | None = Field(default=None, max_length=6)


@router.put("/credits/{institution_id}")
def set_credits(request: Request, institution_id: str, body: AllocationIn) -> dict[str, Any]:
    from medkosh.compute import credits
    from medkosh.identity.service import get_institution
    from medkosh.store.db import session_scope

    principal = require_principal(request)
    with session_scope() as s:
        get_institution(s, institution_id)
        row = credits.set_allocation(s, institution_id, cpu_hours=body.cpu_hours, gpu_hours=body.gpu_hours,
                                     quarter=body.quarter, actor=principal.audit_actor())
        return {"institution_id": row.institution_id, "quarter": row.quarter, "cpu_hours": row.cpu_hours,
                "gpu_hours": row.gpu_hours}


@router.get("/credits/usage")
def usage(request: Request, by: Literal["institution", "user", "project"] = "institution",
          quarter: str | None = Query(default=None, max_length=6)) -> list[dict[str, Any]]:
    from medkosh.access.policies import usage_scope
    from medkosh.compute import credits
    from medkosh.store.db import session_scope

    principal = require_principal(request)
    with session_scope() as s:
        return credits.usage_report(s, by, quarter, institution_id=usage_scope(principal))
