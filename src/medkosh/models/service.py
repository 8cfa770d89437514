"""The model registry: register immutable ONNX versions with lineage, list and show them, seal benchmarks."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medkosh.audit import record
from medkosh.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from medkosh.identity.types import Principal, Role
from medkosh.models.onnx import inspect
from medkosh.models.policies import check_artefact
from medkosh.models.types import ModelSchema, State
from medkosh.store.objects import ObjectStore
from medkosh.store.tables.models import (
    ModelDeploymentRow,
    ModelRow,
    ModelValidationRow,
    ModelVersionRow,
    SealedBenchmarkRow,
)

MAX_ARTEFACT = 512 * 1024 * 1024
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
CARD_FIELDS = ("intended_use", "intended_users", "out_of_scope_use", "limitations", "risks", "bias_mitigation",
               "monitoring_plan", "icmr_principles", "release_notes")


def parse_schema(data: Any, where: str) -> ModelSchema:
    try:
        return ModelSchema.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = "/".join(str(p) for p in err["loc"])
        raise InputError(f"invalid model schema: {err['msg']}", where=f"{where}: {field}",
                         hint="list features [{name, type, unit, impute}] and output {classes, score}") from None


def register(session: Session, p: Principal, *, model_id: str, artefact: bytes, artefact_name: str,
             schema: dict[str, Any], name: str | None = None, developer: str | None = None,
             trained_on: list[str] | None = None, job_id: str | None = None,
             card: dict[str, Any] | None = None, store: ObjectStore | None = None) -> dict[str, Any]:
    """A new immutable version of `model_id` (created on first use). Pickles are refused before parsing."""
    if not (p.has_role(Role.RESEARCHER) or p.has_role(Role.ADMIN) or p.has_role(Role.STEWARD)):
        raise PermissionDenied("registering a model needs the researcher, steward or admin role")
    if not _SLUG.match(model_id):
        raise InputError(f"invalid model id {model_id!r}", hint="use lower-case letters, digits and '-'")
    check_artefact(artefact_name, artefact[:8])
    if len(artefact) > MAX_ARTEFACT:
        raise InputError("the model file is larger than 512 MB", where=artefact_name)
    sch = parse_schema(schema, "schema")
    graph = inspect(artefact, artefact_name, len(sch.features))
    unknown = sorted(set(card or {}) - set(CARD_FIELDS))
    if unknown:
        raise InputError(f"unknown model card field {unknown[0]!r}", where="card",
                         hint=f"use {', '.join(CARD_FIELDS)}")
    row = session.get(ModelRow, model_id)
    if row is None:
        row = ModelRow(id=model_id, name=name or model_id, owner_id=p.id,
                       developer=developer or p.user.institution_name or p.id)
        session.add(row)
        session.flush()
    elif row.owner_id != p.id and not p.has_role(Role.ADMIN):
        raise PermissionDenied(f"model {model_id!r} belongs to someone else",
                               hint="register under a new model id, or ask its owner")
    sha = (store or ObjectStore()).put_bytes(artefact)
    n = (session.scalar(select(func.max(ModelVersionRow.version)).where(ModelVersionRow.model_id == model_id))
         or 0) + 1
    lineage = {"trained_on": list(trained_on or []), "job_id": job_id, "graph": graph,
               "sha256": hashlib.sha256(artefact).hexdigest()}
    v = ModelVersionRow(id=f"{model_id}@{n}", model_id=model_id, version=n, state=State.REGISTERED, mode=None,
                        artefact_object=sha, artefact_size=len(artefact), schema_json=sch.model_dump_json(),
                        lineage_json=json.dumps(lineage), card_json=json.dumps(card or {}), registered_by=p.id)
    session.add(v)
    session.flush()
    record(session, "models.version.register", actor=p.audit_actor(), subject_type="model_version",
           subject_id=v.id, details={"artefact": sha, "trained_on": lineage["trained_on"], "job_id": job_id})
    return version_summary(session, v)


def get_version_row(session: Session, version_id: str) -> ModelVersionRow:
    row = session.get(ModelVersionRow, version_id)
    if row is None and "@" not in version_id:  # a bare model id means its newest version
        row = session.scalars(select(ModelVersionRow).where(ModelVersionRow.model_id == version_id)
                              .order_by(ModelVersionRow.version.desc()).limit(1)).first()
    if row is None:
        raise NotFoundError(f"no model version {version_id!r}", hint="see `medkosh model list`")
    return row


def schema_of(row: ModelVersionRow) -> ModelSchema:
    return ModelSchema.model_validate_json(row.schema_json)


def version_summary(session: Session, v: ModelVersionRow) -> dict[str, Any]:
    model = session.get(ModelRow, v.model_id)
    last_val = session.scalars(select(ModelValidationRow).where(ModelValidationRow.version_id == v.id)
                               .order_by(ModelValidationRow.created_at.desc()).limit(1)).first()
    dep = live_deployment(session, v.id, include_suspended=True)
    return {"id": v.id, "model": v.model_id, "name": model.name if model else v.model_id, "version": v.version,
            "state": v.state, "mode": v.mode, "developer": model.developer if model else None,
            "registered_at": v.registered_at.isoformat(), "registered_by": v.registered_by,
            "artefact": v.artefact_object, "lineage": json.loads(v.lineage_json), "schema": json.loads(v.schema_json),
            "card": json.loads(v.card_json),
            "last_validation": None if last_val is None else {
                "id": last_val.id, "benchmark": last_val.benchmark_version_id, "passed": last_val.passed,
                "protocol": f"{last_val.protocol_id} v{last_val.protocol_version}",
                "at": last_val.created_at.isoformat()},
            "deployment": None if dep is None else {"id": dep.id, "mode": dep.mode, "status": dep.status,
                                                    "since": dep.deployed_at.isoformat(),
                                                    "end_reason": dep.end_reason}}


def live_deployment(session: Session, version_id: str, include_suspended: bool = False) -> ModelDeploymentRow | None:
    statuses = ("live", "suspended") if include_suspended else ("live",)
    return session.scalars(select(ModelDeploymentRow).where(ModelDeploymentRow.version_id == version_id,
                                                            ModelDeploymentRow.status.in_(statuses))
                           .order_by(ModelDeploymentRow.deployed_at.desc()).limit(1)).first()


def list_versions(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(ModelVersionRow).order_by(ModelVersionRow.model_id, ModelVersionRow.version))
    return [version_summary(session, r) for r in rows]


def show(session: Session, version_id: str) -> dict[str, Any]:
    return version_summary(session, get_version_row(session, version_id))


# ---- sealed benchmarks ----------------------------------------------------------------------------

def seal_benchmark(session: Session, p: Principal, dataset_version_id: str, note: str | None = None) -> None:
    """Mark a catalog dataset version as a sealed benchmark (stewards and admins; cannot be undone)."""
    if not (p.has_role(Role.STEWARD) or p.has_role(Role.ADMIN)):
        raise PermissionDenied("sealing a benchmark needs the steward or admin role")
    from medkosh.catalog.service import get_version

    info = get_version(session, dataset_version_id)
    vid = str(getattr(info, "id", dataset_version_id))
    if session.get(SealedBenchmarkRow, vid) is not None:
        raise ConflictError(f"dataset version {vid} is already a sealed benchmark")
    session.add(SealedBenchmarkRow(dataset_version_id=vid, sealed_by=p.id, note=note))
    session.flush()
    record(session, "models.benchmark.seal", actor=p.audit_actor(), subject_type="dataset_version",
           subject_id=vid, details={"note": note})


def is_sealed_benchmark(session: Session, version_id: str) -> bool:
    """For access (downloads) and compute (TRE mounts): a sealed benchmark's files never leave medkosh."""
    return session.get(SealedBenchmarkRow, version_id) is not None


def read_artefact_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the model file: {exc.strerror}", where=str(path)) from None
