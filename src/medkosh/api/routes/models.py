"""Models API: the registry, model cards, validation reports, lifecycle (approve, deploy, suspend, retire),
supervised inference (predict, clinician worklist and review) and monitoring.

Every route is registered in the central policy table; the services re-check object-level gates (a
clinician approves, a steward deploys, no deployment without a passing validation and an approval)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from medkosh.api.deps import require_principal

router = APIRouter(prefix="/api/models", tags=["models"])

_ROUTES = [
    ("GET", "/api/models", "models.version.list", "signed_in"),
    ("GET", "/api/models/worklist", "models.prediction.worklist", "clinician"),
    ("POST", "/api/models/predictions/{prediction_id}/review", "models.prediction.review", "clinician"),
    ("POST", "/api/models/predictions/{prediction_id}/outcome", "models.prediction.outcome", "outcome"),
    ("GET", "/api/models/{version_id}", "models.version.read", "signed_in"),
    ("GET", "/api/models/{version_id}/card", "models.card.read", "signed_in"),
    ("GET", "/api/models/{version_id}/validations/{validation_id}", "models.report.read", "signed_in"),
    ("POST", "/api/models/{version_id}/approve", "models.version.approve", "clinician"),
    ("POST", "/api/models/{version_id}/deploy", "models.version.deploy", "steward"),
    ("POST", "/api/models/{version_id}/suspend", "models.version.suspend", "suspender"),
    ("POST", "/api/models/{version_id}/retire", "models.version.retire", "signed_in"),
    ("POST", "/api/models/{version_id}/predict", "models.prediction.create", "signed_in"),
    ("POST", "/api/models/{version_id}/monitor", "models.monitor.check", "steward"),
    ("GET", "/api/models/{version_id}/monitoring", "models.monitor.read", "signed_in"),
]


def _register_policy() -> None:
    from medkosh.access.policies import register, roles, signed_in
    from medkosh.identity.types import Role

    rules = {"signed_in": signed_in(), "clinician": roles(Role.CLINICIAN),
             "steward": roles(Role.STEWARD, Role.ADMIN),
             "suspender": roles(Role.STEWARD, Role.ADMIN, Role.CLINICIAN),
             "outcome": roles(Role.CLINICIAN, Role.STEWARD, Role.ADMIN)}
    for method, path, action, rule in _ROUTES:
        register(method, path, action, rules[rule])


_register_policy()


class ApproveIn(BaseModel):
    registration_number: str = Field(min_length=1, max_length=80)
    statement: str = Field(min_length=10, max_length=4000)
    validation_id: str | None = Field(default=None, max_length=40, description="the report you reviewed")


class DeployIn(BaseModel):
    mode: Literal["shadow", "supervised", "active"] = "supervised"


class ReasonIn(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


class PredictIn(BaseModel):
    features: dict[str, float | int | None] = Field(max_length=200)


class ReviewIn(BaseModel):
    accept: bool
    decision: Literal[0, 1] | None = None
    note: str | None = Field(default=None, max_length=2000)


class OutcomeIn(BaseModel):
    outcome: Literal[0, 1]


@router.get("")
def list_models(request: Request) -> list[dict[str, Any]]:
    from medkosh.models.service import list_versions
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return list_versions(s)


@router.get("/worklist")
def worklist(request: Request, version: str | None = None) -> list[dict[str, Any]]:
    """Predictions waiting for a clinician (supervised mode)."""
    from medkosh.deployment.inference import worklist as pending
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return pending(s, version, principal=require_principal(request))


@router.post("/predictions/{prediction_id}/review")
def review(request: Request, prediction_id: str, body: ReviewIn) -> dict[str, Any]:
    from medkosh.deployment.inference import review as do_review
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        return do_review(s, p, prediction_id, accept=body.accept, decision=body.decision, note=body.note)


@router.post("/predictions/{prediction_id}/outcome")
def outcome(request: Request, prediction_id: str, body: OutcomeIn) -> dict[str, str]:
    from medkosh.deployment.inference import record_outcome
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        record_outcome(s, p, prediction_id, body.outcome)
    return {"status": "recorded"}


@router.get("/{version_id}")
def show(request: Request, version_id: str) -> dict[str, Any]:
    from medkosh.deployment.lifecycle import approvals, validations
    from medkosh.models.service import show as show_version
    from medkosh.store.db import session_scope

    with session_scope() as s:
        out = show_version(s, version_id)
        out.update(validations=validations(s, out["id"]), approvals=approvals(s, out["id"]))
        return out


@router.get("/{version_id}/card", response_model=None)
def card(request: Request, version_id: str, format: Literal["json", "html"] = "json") -> Any:
    from medkosh.models.card import card_html, model_card
    from medkosh.store.db import session_scope

    with session_scope() as s:
        c = model_card(s, version_id)
    return HTMLResponse(card_html(c)) if format == "html" else c


@router.get("/{version_id}/validations/{validation_id}", response_model=None)
def report(request: Request, version_id: str, validation_id: str, format: Literal["json", "html"] = "json") -> Any:
    """A validation report: aggregates only (the benchmark's rows and labels never leave medkosh)."""
    from medkosh.errors import NotFoundError
    from medkosh.models.service import get_version_row
    from medkosh.store.db import session_scope
    from medkosh.store.tables.models import ModelValidationRow
    from medkosh.validation.report import to_html
    from medkosh.validation.run import load_report

    with session_scope() as s:
        row = s.get(ModelValidationRow, validation_id)
        if row is None or row.version_id != get_version_row(s, version_id).id:
            raise NotFoundError(f"no validation {validation_id!r} for {version_id}")
        rep = load_report(s, validation_id)
    return HTMLResponse(to_html(rep)) if format == "html" else rep


@router.post("/{version_id}/approve")
def approve(request: Request, version_id: str, body: ApproveIn) -> dict[str, Any]:
    from medkosh.deployment.lifecycle import approve as do_approve
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        return do_approve(s, p, version_id, registration_number=body.registration_number, statement=body.statement,
                          viewed_validation=body.validation_id)


@router.post("/{version_id}/deploy")
def deploy(request: Request, version_id: str, body: DeployIn) -> dict[str, Any]:
    from medkosh.deployment.lifecycle import deploy as do_deploy
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        return do_deploy(s, p, version_id, body.mode)


@router.post("/{version_id}/suspend")
def suspend(request: Request, version_id: str, body: ReasonIn) -> dict[str, Any]:
    from medkosh.deployment.lifecycle import suspend as do_suspend
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        return do_suspend(s, p, version_id, body.reason)


@router.post("/{version_id}/retire")
def retire(request: Request, version_id: str, body: ReasonIn) -> dict[str, Any]:
    from medkosh.deployment.lifecycle import retire as do_retire
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        return do_retire(s, p, version_id, body.reason)


@router.post("/{version_id}/predict")
def predict(request: Request, version_id: str, body: PredictIn) -> dict[str, Any]:
    """Score + explanation (active); 'pending' for a clinician (supervised); nothing returned (shadow)."""
    from medkosh.deployment.inference import predict as do_predict
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        return do_predict(s, p, version_id, {k: v for k, v in body.features.items() if v is not None})


@router.post("/{version_id}/monitor")
def monitor(request: Request, version_id: str) -> dict[str, Any]:
    from medkosh.deployment.monitoring import check
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return check(s, version_id)


@router.get("/{version_id}/monitoring")
def monitoring(request: Request, version_id: str) -> list[dict[str, Any]]:
    from medkosh.deployment.monitoring import history
    from medkosh.models.service import get_version_row
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return history(s, get_version_row(s, version_id).id)
