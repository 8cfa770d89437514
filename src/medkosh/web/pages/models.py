"""Portal pages: AI models (states, modes, suspension banners), one model (validations, approvals,
monitoring charts) and the clinician worklist (accept or override supervised predictions)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from medkosh.api.deps import require_principal
from medkosh.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [("AI models", "/models", 60), ("Worklist", "/models/worklist", 61)]

_PAGES = [("GET", "/models", "models.version.list", "signed_in"),
          ("GET", "/models/worklist", "models.prediction.worklist", "clinician"),
          ("POST", "/models/predictions/{prediction_id}/review", "models.prediction.review", "clinician"),
          ("GET", "/models/{version_id}", "models.version.read", "signed_in")]


def _register_policy() -> None:
    from medkosh.access.policies import register, roles, signed_in
    from medkosh.identity.types import Role

    for method, path, action, rule in _PAGES:
        register(method, path, action, roles(Role.CLINICIAN) if rule == "clinician" else signed_in())


_register_policy()


@router.get("/models", response_class=HTMLResponse)
def models_page(request: Request) -> HTMLResponse:
    from medkosh.models.service import list_versions
    from medkosh.store.db import session_scope

    with session_scope() as s:
        rows = list_versions(s)
    banners = [r for r in rows if r["state"] == "suspended"]
    return render(request, "models.html", {"rows": rows, "banners": banners})


@router.get("/models/worklist", response_class=HTMLResponse)
def worklist_page(request: Request) -> HTMLResponse:
    from medkosh.deployment.inference import worklist
    from medkosh.models.service import list_versions
    from medkosh.store.db import session_scope

    with session_scope() as s:
        items = worklist(s, principal=require_principal(request))
        banners = [r for r in list_versions(s) if r["state"] == "suspended"]
    return render(request, "worklist.html", {"items": items, "banners": banners})


@router.post("/models/predictions/{prediction_id}/review")
def review_form(request: Request, prediction_id: str, action: str = Form(..., max_length=10),
                decision: str = Form("", max_length=2), note: str = Form("", max_length=2000)) -> RedirectResponse:
    from medkosh.deployment.inference import review
    from medkosh.errors import InputError
    from medkosh.store.db import session_scope

    if action not in ("accept", "override"):
        raise InputError("action is accept or override", where="action")
    if action == "override" and decision not in ("0", "1"):
        raise InputError("an override gives your decision: 0 or 1", where="decision")
    p = require_principal(request)
    with session_scope() as s:
        review(s, p, prediction_id, accept=action == "accept", decision=int(decision) if decision else None,
               note=note or None)
    return RedirectResponse("/models/worklist", status_code=303)


def _psi_bars(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not history:
        return []
    feats = history[-1]["figures"].get("features", {})
    top = max([0.25, *[(f.get("psi") or 0) for f in feats.values()]])
    return [{"feature": k, "psi": v.get("psi"), "ks_p": v.get("ks_p"),
             "width": round(100 * (v.get("psi") or 0) / top, 1)} for k, v in feats.items()]


def _override_line(history: list[dict[str, Any]]) -> str:
    pts = [(i, h["figures"].get("override_rate")) for i, h in enumerate(history)]
    pts = [(i, r) for i, r in pts if r is not None]
    if len(pts) < 2:
        return ""
    n = max(i for i, _ in pts) or 1
    return " ".join(f"{round(20 + 300 * i / n, 1)},{round(110 - 100 * r, 1)}" for i, r in pts)


@router.get("/models/{version_id}", response_class=HTMLResponse)
def model_page(request: Request, version_id: str) -> HTMLResponse:
    from medkosh.deployment.inference import counts
    from medkosh.deployment.lifecycle import approvals, validations
    from medkosh.deployment.monitoring import history
    from medkosh.models.service import show
    from medkosh.store.db import session_scope

    with session_scope() as s:
        v = show(s, version_id)
        ctx: dict[str, Any] = {"v": v, "validations": validations(s, v["id"]), "approvals": approvals(s, v["id"]),
                               "counts": counts(s, v["id"])}
        hist = history(s, v["id"])
    ctx.update(psi=_psi_bars(hist), override_line=_override_line(hist), checks=len(hist),
               last=hist[-1] if hist else None)
    return render(request, "model_detail.html", ctx)
