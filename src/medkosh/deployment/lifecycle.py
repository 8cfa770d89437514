"""Lifecycle gates, enforced here (the server), whoever calls: validated needs a passing report; approved
needs a clinician's signature after a passing report; deployed needs both; every change is audited."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.audit import Actor, record
from medkosh.errors import InputError, PolicyViolation
from medkosh.identity.types import Principal
from medkosh.models.policies import check_transition
from medkosh.models.service import get_version_row, live_deployment, version_summary
from medkosh.models.types import Mode, State
from medkosh.store.base import new_id, utcnow
from medkosh.store.tables.models import (
    ModelApprovalRow,
    ModelDeploymentRow,
    ModelRow,
    ModelValidationRow,
    ModelVersionRow,
)


def _actor(p: Principal | None) -> Actor:
    return p.audit_actor() if p is not None else Actor.system()


def _move(session: Session, p: Principal | None, v: ModelVersionRow, dst: State, event: str,
          details: dict[str, Any]) -> None:
    owner = session.get(ModelRow, v.model_id)
    check_transition(p, State(v.state), dst, owner_id=owner.owner_id if owner else None)
    src = v.state
    v.state = dst
    session.flush()
    record(session, event, actor=_actor(p), subject_type="model_version", subject_id=v.id,
           details={"from": src, "to": str(dst), **details})


def latest_passing_validation(session: Session, version_id: str) -> ModelValidationRow | None:
    return session.scalars(select(ModelValidationRow).where(ModelValidationRow.version_id == version_id,
                                                            ModelValidationRow.passed.is_(True))
                           .order_by(ModelValidationRow.created_at.desc()).limit(1)).first()


def mark_validated(session: Session, p: Principal, v: ModelVersionRow, validation: ModelValidationRow) -> None:
    """Called by the validation run with a passing report (a failing one leaves the state as it is)."""
    if not validation.passed:
        raise PolicyViolation("the validation did not meet the protocol's pass criteria")
    if v.state in (State.REGISTERED, State.VALIDATED):
        _move(session, p, v, State.VALIDATED, "models.version.validate",
              {"validation": validation.id, "benchmark": validation.benchmark_version_id})


def approve(session: Session, p: Principal, version_id: str, *, registration_number: str, statement: str,
            viewed_validation: str | None = None) -> dict[str, Any]:
    """A clinician signs after viewing the passing report (its id is recorded with the signature)."""
    v = get_version_row(session, version_id)
    check_transition(p, State(v.state), State.APPROVED)
    if not registration_number.strip() or len(registration_number) > 80:
        raise InputError("a clinical approval needs the clinician's registration number",
                         where="registration_number", hint="give your medical council registration number")
    if len(statement.strip()) < 10:
        raise InputError("a clinical approval needs a statement (at least 10 characters)", where="statement",
                         hint="say what you reviewed and for which use you approve the model")
    val = latest_passing_validation(session, v.id)
    if val is None:
        raise PolicyViolation("no passing validation report for this version", hint="run medkosh validate first")
    if viewed_validation is not None and viewed_validation != val.id:
        raise PolicyViolation("the report you viewed is not the latest passing validation",
                              hint=f"review validation {val.id} and approve again")
    a = ModelApprovalRow(id=new_id("apr"), version_id=v.id, validation_id=val.id, clinician_id=p.id,
                         registration_number=registration_number.strip(), statement=statement.strip())
    session.add(a)
    session.flush()
    _move(session, p, v, State.APPROVED, "models.version.approve",
          {"approval": a.id, "validation": val.id, "registration_number": a.registration_number})
    return version_summary(session, v)


def deploy(session: Session, p: Principal, version_id: str, mode: Mode | str) -> dict[str, Any]:
    v = get_version_row(session, version_id)
    try:
        m = Mode(mode)
    except ValueError:
        raise InputError(f"unknown deployment mode {mode!r}", hint="use shadow, supervised or active") from None
    # The gate: a passing validation and a clinician's approval of that version, whatever the current state.
    val = latest_passing_validation(session, v.id)
    approval = session.scalars(select(ModelApprovalRow).where(ModelApprovalRow.version_id == v.id)
                               .order_by(ModelApprovalRow.approved_at.desc()).limit(1)).first()
    if val is None or approval is None:
        raise PolicyViolation("a model is deployed only after a passing validation and a clinical approval",
                              hint="run medkosh validate, then a clinician runs medkosh model approve")
    check_transition(p, State(v.state), State.DEPLOYED)
    now = utcnow()
    for old in session.scalars(select(ModelDeploymentRow).where(ModelDeploymentRow.version_id == v.id,
                                                                ModelDeploymentRow.status.in_(("live", "suspended")))):
        old.status, old.ended_at, old.end_reason = "retired", now, f"replaced by a {m} deployment"
    d = ModelDeploymentRow(id=new_id("dep"), version_id=v.id, mode=m, status="live", validation_id=val.id,
                           approval_id=approval.id, deployed_by=p.id)
    session.add(d)
    v.mode = m
    _move(session, p, v, State.DEPLOYED, "models.version.deploy", {"deployment": d.id, "mode": str(m)})
    return version_summary(session, v)


def suspend(session: Session, p: Principal | None, version_id: str, reason: str,
            alarms: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """p=None: the monitoring system suspends automatically (the steward and clinician see the banner)."""
    v = get_version_row(session, version_id)
    if not reason.strip():
        raise InputError("a suspension needs a reason", where="reason")
    _move(session, p, v, State.SUSPENDED, "models.version.suspend",
          {"reason": reason, "automatic": p is None, "alarms": alarms or []})
    d = live_deployment(session, v.id)
    if d is not None:
        d.status, d.end_reason = "suspended", reason
    if p is None:
        # The notification: one audit event per person to tell (the portal banner reads these).
        approval = session.scalars(select(ModelApprovalRow).where(ModelApprovalRow.version_id == v.id)
                                   .order_by(ModelApprovalRow.approved_at.desc()).limit(1)).first()
        notify = [x for x in (d.deployed_by if d else None, approval.clinician_id if approval else None) if x]
        for who in dict.fromkeys(notify):
            record(session, "models.alert.notify", actor=Actor.system(), subject_type="model_version",
                   subject_id=v.id, details={"to": who, "reason": reason})
    session.flush()
    return version_summary(session, v)


def retire(session: Session, p: Principal, version_id: str, reason: str) -> dict[str, Any]:
    v = get_version_row(session, version_id)
    _move(session, p, v, State.RETIRED, "models.version.retire", {"reason": reason})
    for d in session.scalars(select(ModelDeploymentRow).where(ModelDeploymentRow.version_id == v.id,
                                                              ModelDeploymentRow.status.in_(("live", "suspended")))):
        d.status, d.ended_at, d.end_reason = "retired", utcnow(), reason
    v.mode = None
    session.flush()
    return version_summary(session, v)


def approvals(session: Session, version_id: str) -> list[dict[str, Any]]:
    return [{"id": a.id, "clinician": a.clinician_id, "registration_number": a.registration_number,
             "statement": a.statement, "validation": a.validation_id, "at": a.approved_at.isoformat()}
            for a in session.scalars(select(ModelApprovalRow).where(ModelApprovalRow.version_id == version_id))]


def validations(session: Session, version_id: str) -> list[dict[str, Any]]:
    return [{"id": r.id, "benchmark": r.benchmark_version_id, "passed": r.passed, "site": r.site,
             "protocol": json.loads(r.protocol_json).get("id"), "at": r.created_at.isoformat()}
            for r in session.scalars(select(ModelValidationRow).where(ModelValidationRow.version_id == version_id)
                                     .order_by(ModelValidationRow.created_at))]
