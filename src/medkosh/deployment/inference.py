"""Supervised inference: validate the input against the version's schema, score, explain, log.

shadow: logged, nothing returned; supervised: logged as pending until a clinician accepts or overrides
(the caller gets the prediction id and 'pending'); active: returned at once. Logged features are model
inputs only: the schema admits numeric features, never names or identifiers.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medkosh.audit import record
from medkosh.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from medkosh.identity.types import Principal, Role
from medkosh.models.onnx import score, session_for
from medkosh.models.service import get_version_row, live_deployment, schema_of
from medkosh.models.types import Mode, ModelSchema, State
from medkosh.store.base import new_id, utcnow
from medkosh.store.tables.models import ModelPredictionRow
from medkosh.validation.explain import occlusion

MAX_BATCH = 1000


def check_input(schema: ModelSchema, features: Any, where: str = "features") -> np.ndarray:
    if not isinstance(features, dict):
        raise InputError("features must be an object {name: number}", where=where)
    unknown = sorted(set(features) - set(schema.names))
    if unknown:
        raise InputError(f"unknown feature {unknown[0]!r}", where=f"{where}/{unknown[0]}",
                         hint=f"the model takes {', '.join(schema.names)}")
    row = []
    for f in schema.features:
        v = features.get(f.name)
        if v is None:
            if f.impute is None:
                raise InputError(f"feature {f.name!r} is required", where=f"{where}/{f.name}")
            v = f.impute
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(float(v)):
            raise InputError(f"feature {f.name!r} must be a finite number ({f.unit or 'no unit'})",
                             where=f"{where}/{f.name}")
        if (f.min is not None and v < f.min) or (f.max is not None and v > f.max):
            raise InputError(f"feature {f.name!r} = {v} is outside [{f.min}, {f.max}]", where=f"{where}/{f.name}")
        row.append(float(v))
    return np.asarray(row, dtype=np.float32)


def predict(session: Session, p: Principal, version_id: str, features: dict[str, Any]) -> dict[str, Any]:
    v = get_version_row(session, version_id)
    if v.state != State.DEPLOYED:
        raise ConflictError(f"{v.id} is {v.state}, not deployed", hint="only a deployed version answers predictions")
    dep = live_deployment(session, v.id)
    if dep is None:
        raise ConflictError(f"{v.id} has no live deployment")
    schema = schema_of(v)
    row = check_input(schema, features)
    baseline = np.asarray([f.impute if f.impute is not None else 0.0 for f in schema.features], dtype=np.float32)
    sess = session_for(v.artefact_object)
    s, contrib = occlusion(lambda b: score(sess, b, v.id), row, baseline, schema.names)
    mode = Mode(dep.mode)
    status = {Mode.SHADOW: "shadow", Mode.SUPERVISED: "pending", Mode.ACTIVE: "returned"}[mode]
    pr = ModelPredictionRow(id=new_id("pred"), deployment_id=dep.id, version_id=v.id, mode=mode,
                            features_json=json.dumps(dict(zip(schema.names, row.tolist(), strict=True))),
                            score=s, explanation_json=json.dumps(contrib), status=status, requested_by=p.id)
    session.add(pr)
    session.flush()
    record(session, "models.prediction.create", actor=p.audit_actor(), subject_type="model_prediction",
           subject_id=pr.id, details={"version": v.id, "mode": str(mode), "status": status})
    out: dict[str, Any] = {"prediction_id": pr.id, "model_version": v.id, "mode": str(mode), "status": status}
    if mode == Mode.ACTIVE:
        out.update(score=s, explanation=contrib)
    elif mode == Mode.SUPERVISED:
        out["message"] = "waiting for a clinician to accept or override (portal worklist)"
    else:
        out["message"] = "shadow mode: the prediction is recorded for monitoring and not returned"
    return out


def _requester_institution(session: Session, r: ModelPredictionRow) -> str | None:
    from medkosh.store.tables.identity import UserRow

    user = session.get(UserRow, r.requested_by)
    return user.institution_id if user else None


def _get_visible(session: Session, p: Principal, prediction_id: str) -> ModelPredictionRow:
    """A prediction belongs to the institution of whoever asked for it: another institution's is 'not found'."""
    from medkosh.access.policies import check_same_institution

    r = session.get(ModelPredictionRow, prediction_id)
    if r is None:
        raise NotFoundError(f"no prediction {prediction_id!r}")
    check_same_institution(p, _requester_institution(session, r), "prediction")
    return r


def worklist(session: Session, version_id: str | None = None, limit: int = 200,
             principal: Principal | None = None) -> list[dict[str, Any]]:
    """Pending supervised predictions; for a principal, only those asked for at their institution (admins: all)."""
    stmt = select(ModelPredictionRow).where(ModelPredictionRow.status == "pending")
    if version_id:
        stmt = stmt.where(ModelPredictionRow.version_id == version_id)
    if principal is not None and not principal.has_role(Role.ADMIN):
        from medkosh.store.tables.identity import UserRow

        stmt = stmt.join(UserRow, UserRow.id == ModelPredictionRow.requested_by).where(
            UserRow.institution_id == principal.institution_id)
    return [prediction_view(r) for r in session.scalars(stmt.order_by(ModelPredictionRow.created_at).limit(limit))]


def prediction_view(r: ModelPredictionRow) -> dict[str, Any]:
    return {"id": r.id, "model_version": r.version_id, "mode": r.mode, "status": r.status, "score": r.score,
            "features": json.loads(r.features_json), "explanation": json.loads(r.explanation_json),
            "created_at": r.created_at.isoformat(), "reviewer": r.reviewer_id,
            "override_decision": r.override_decision, "note": r.review_note}


def review(session: Session, p: Principal, prediction_id: str, *, accept: bool, decision: int | None = None,
           note: str | None = None) -> dict[str, Any]:
    """A clinician accepts the model's output or overrides it with their own decision (0/1) and a reason."""
    if not p.has_role(Role.CLINICIAN):
        raise PermissionDenied("reviewing predictions needs the clinician role")
    r = _get_visible(session, p, prediction_id)
    if r.status != "pending":
        raise ConflictError(f"prediction {prediction_id} is {r.status}, not pending review")
    if not accept:
        if decision not in (0, 1):
            raise InputError("an override gives the clinician's decision: 0 or 1", where="decision")
        if not note or len(note.strip()) < 3:
            raise InputError("an override needs a reason", where="note")
    r.status = "accepted" if accept else "overridden"
    r.reviewer_id, r.reviewed_at = p.id, utcnow()
    r.override_decision = None if accept else int(decision or 0)
    r.review_note = note.strip() if note else None
    session.flush()
    record(session, f"models.prediction.{'accept' if accept else 'override'}", actor=p.audit_actor(),
           subject_type="model_prediction", subject_id=r.id, details={"version": r.version_id})
    return prediction_view(r)


def record_outcome(session: Session, p: Principal, prediction_id: str, outcome: int) -> None:
    if outcome not in (0, 1):
        raise InputError("an outcome is 0 or 1", where="outcome")
    if not (p.has_role(Role.CLINICIAN) or p.has_role(Role.STEWARD) or p.has_role(Role.ADMIN)):
        raise PermissionDenied("recording outcomes needs the clinician, steward or admin role")
    r = _get_visible(session, p, prediction_id)
    r.outcome = outcome
    session.flush()
    record(session, "models.prediction.outcome", actor=p.audit_actor(), subject_type="model_prediction",
           subject_id=r.id, details={"version": r.version_id})


def counts(session: Session, version_id: str) -> dict[str, int]:
    rows = session.execute(select(ModelPredictionRow.status, func.count()).where(
        ModelPredictionRow.version_id == version_id).group_by(ModelPredictionRow.status)).all()
    return {str(k): int(n) for k, n in rows}
