"""Portal pages of the trusted research environment: my jobs, a job (log, outputs), the output
checkers' queue, and compute credits with a usage chart."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from medkosh.api.deps import require_principal
from medkosh.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [("Research environment", "/tre", 50)]

_ROUTES = [
    ("GET", "/tre", "compute.job.list", "signed_in"),
    ("GET", "/tre/jobs/{job_id}", "compute.job.read", "signed_in"),
    ("POST", "/tre/jobs/{job_id}/cancel", "compute.job.cancel", "signed_in"),
    ("GET", "/tre/outputs", "compute.output.review", "committee"),
    ("POST", "/tre/outputs/{output_id}/decision", "compute.output.review", "committee"),
    ("POST", "/tre/outputs/{output_id}/release", "compute.output.release", "signed_in"),
    ("GET", "/tre/outputs/{output_id}/download", "compute.output.download", "signed_in"),
]


def _register_policy() -> None:
    from medkosh.access.policies import register, roles, signed_in
    from medkosh.identity.types import Role

    rules = {"signed_in": signed_in(), "committee": roles(Role.COMMITTEE)}
    for method, path, action, rule in _ROUTES:
        register(method, path, action, rules[rule])


_register_policy()


def usage_bars(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Bar-chart geometry (percent widths) for CPU-hours per row; rendered as plain HTML/CSS."""
    top = max((r["cpu_hours"] + 10 * r["gpu_hours"] for r in rows), default=0.0) or 1.0
    return [{"label": r[key], "cpu": r["cpu_hours"], "gpu": r["gpu_hours"], "jobs": r["jobs"],
             "width": round(100 * (r["cpu_hours"] + 10 * r["gpu_hours"]) / top, 1)} for r in rows]


@router.get("/tre", response_class=HTMLResponse)
def jobs_page(request: Request) -> HTMLResponse:
    from medkosh.access.policies import usage_scope
    from medkosh.compute import credits, service
    from medkosh.identity.types import Role
    from medkosh.store.db import session_scope

    principal = require_principal(request)
    with session_scope() as s:
        jobs = [service.view(r) for r in service.list_jobs(s, principal)]
        mine = credits.remaining(s, principal.institution_id)
        by = "institution" if principal.has_role(Role.ADMIN, Role.STEWARD) else "user"
        usage = credits.usage_report(s, by, institution_id=usage_scope(principal))
        if by == "user":
            usage = [r for r in usage if r["user"] == principal.id]
    return render(request, "compute_jobs.html", {"jobs": jobs, "credits": mine, "bars": usage_bars(usage, by),
                                                 "quarter": credits.quarter_of(), "usage_by": by})


@router.get("/tre/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> HTMLResponse:
    from medkosh.compute import outputs, service
    from medkosh.store.db import session_scope

    principal = require_principal(request)
    with session_scope() as s:
        row = service.get_visible_job(s, principal, job_id)
        job = service.view(row)
        outs = [outputs.view(s, o) for o in outputs.outputs_of(s, job_id)]
    log, _ = service.read_log(job_id)
    return render(request, "compute_job.html", {"job": job, "outputs": outs, "log": log[-20000:],
                                                "is_owner": principal.id == job.owner_id,
                                                "on_team": principal.id == job.owner_id or principal.id in job.team})


@router.post("/tre/jobs/{job_id}/cancel")
def cancel(request: Request, job_id: str) -> RedirectResponse:
    from medkosh.compute import service
    from medkosh.store.db import session_scope

    principal = require_principal(request)
    with session_scope() as s:
        service.get_visible_job(s, principal, job_id)
        service.cancel(s, principal, job_id)
    return RedirectResponse(f"/tre/jobs/{job_id}", status_code=303)


@router.get("/tre/outputs", response_class=HTMLResponse)
def review_page(request: Request) -> HTMLResponse:
    from medkosh.compute import outputs
    from medkosh.store.db import session_scope

    with session_scope() as s:
        rows = [outputs.view(s, o) for o in outputs.review_queue(s, require_principal(request))]
    return render(request, "compute_outputs.html", {"rows": rows})


@router.post("/tre/outputs/{output_id}/decision")
def decide(request: Request, output_id: str, decision: str = Form(pattern="^(approve|reject)$"),
           comment: str = Form("", max_length=5000)) -> RedirectResponse:
    from medkosh.compute import outputs
    from medkosh.store.db import session_scope

    with session_scope() as s:
        outputs.decide(s, require_principal(request), output_id, decision, comment)
    return RedirectResponse("/tre/outputs", status_code=303)


@router.post("/tre/outputs/{output_id}/release")
def release(request: Request, output_id: str) -> RedirectResponse:
    from medkosh.compute import outputs
    from medkosh.store.db import session_scope

    with session_scope() as s:
        row = outputs.release(s, require_principal(request), output_id)
        job_id = row.job_id
    return RedirectResponse(f"/tre/jobs/{job_id}", status_code=303)


@router.get("/tre/outputs/{output_id}/download")
def download(request: Request, output_id: str) -> Response:
    from medkosh.api.routes.compute import released_output_response

    return released_output_response(request, output_id)
