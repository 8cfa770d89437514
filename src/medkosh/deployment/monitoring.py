"""Monitoring a deployment against its validation: input drift (PSI, KS), performance once outcomes
arrive, and the clinicians' override rate, with the protocol's thresholds. Crossing one suspends the
version automatically (system actor) and notifies the steward and the approving clinician."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.audit import record
from medkosh.deployment.drift import ks, psi
from medkosh.errors import ConflictError
from medkosh.models.service import get_version_row, live_deployment
from medkosh.models.types import State
from medkosh.store.base import new_id
from medkosh.store.tables.models import ModelMonitorRow, ModelPredictionRow, ModelValidationRow
from medkosh.validation.metrics import point
from medkosh.validation.types import Protocol


def check(session: Session, version_id: str) -> dict[str, Any]:
    v = get_version_row(session, version_id)
    dep = live_deployment(session, v.id)
    if dep is None or v.state != State.DEPLOYED:
        raise ConflictError(f"{v.id} has no live deployment to monitor")
    val = session.get(ModelValidationRow, dep.validation_id)
    assert val is not None
    protocol = Protocol.model_validate_json(val.protocol_json)
    mon = protocol.monitoring
    ref: dict[str, Any] = json.loads(val.reference_json)
    preds = list(session.scalars(select(ModelPredictionRow).where(ModelPredictionRow.deployment_id == dep.id)
                                 .order_by(ModelPredictionRow.created_at.desc()).limit(mon.window)))
    figures: dict[str, Any] = {"predictions": len(preds), "features": {}}
    alarms: list[dict[str, Any]] = []
    enough = len(preds) >= mon.min_predictions
    if preds:
        rows = [json.loads(p.features_json) for p in preds]
        for name, r in ref.items():
            if name.startswith("_"):
                continue
            vals = np.asarray([row.get(name, np.nan) for row in rows], dtype=np.float64)
            f_psi = psi(r, vals)
            f_ks = ks(r, vals)
            figures["features"][name] = {"psi": f_psi, "ks": None if f_ks is None else f_ks[0],
                                         "ks_p": None if f_ks is None else f_ks[1]}
            if enough and f_psi is not None and f_psi > mon.psi_max:
                alarms.append({"alarm": "input drift (PSI)", "feature": name, "value": f_psi, "limit": mon.psi_max})
            if enough and f_ks is not None and f_ks[1] < mon.ks_p_min:
                alarms.append({"alarm": "input drift (KS)", "feature": name, "value": f_ks[1], "limit": mon.ks_p_min})
    reviewed = [p for p in preds if p.status in ("accepted", "overridden")]
    overridden = sum(p.status == "overridden" for p in reviewed)
    figures["reviewed"], figures["overridden"] = len(reviewed), overridden
    figures["override_rate"] = overridden / len(reviewed) if reviewed else None
    if len(reviewed) >= mon.min_predictions and figures["override_rate"] > mon.override_rate_max:
        alarms.append({"alarm": "override rate", "value": figures["override_rate"], "limit": mon.override_rate_max})
    known = [(p.score, p.outcome) for p in preds if p.outcome is not None]
    figures["outcomes"] = len(known)
    if known:
        s = np.asarray([k[0] for k in known])
        y = np.asarray([k[1] for k in known])
        auroc = point(s, y, 0.5)["auroc"]
        figures["auroc"] = None if not np.isfinite(auroc) else auroc
        if len(known) >= mon.min_predictions and figures["auroc"] is not None and auroc < mon.auroc_min:
            alarms.append({"alarm": "performance (AUROC)", "value": auroc, "limit": mon.auroc_min})
    session.add(ModelMonitorRow(id=new_id("mon"), deployment_id=dep.id, figures_json=json.dumps(figures),
                                alarms_json=json.dumps(alarms)))
    session.flush()
    record(session, "models.monitor.check", subject_type="model_version", subject_id=v.id, actor="system",
           details={"alarms": len(alarms), "predictions": len(preds)})
    suspended = False
    if alarms:
        from medkosh.deployment.lifecycle import suspend

        reason = "; ".join(f"{a['alarm']}{' ' + a['feature'] if 'feature' in a else ''}: "
                           f"{a['value']:.3g} beyond {a['limit']}" for a in alarms[:3])
        suspend(session, None, v.id, f"automatic: {reason}", alarms)
        suspended = True
    return {"model_version": v.id, "figures": figures, "alarms": alarms, "suspended": suspended}


def history(session: Session, version_id: str) -> list[dict[str, Any]]:
    from medkosh.store.tables.models import ModelDeploymentRow

    deps = [d.id for d in session.scalars(select(ModelDeploymentRow).where(ModelDeploymentRow.version_id == version_id))]
    rows = session.scalars(select(ModelMonitorRow).where(ModelMonitorRow.deployment_id.in_(deps))
                           .order_by(ModelMonitorRow.checked_at))
    return [{"at": r.checked_at.isoformat(), "figures": json.loads(r.figures_json), "alarms": json.loads(r.alarms_json)}
            for r in rows]
