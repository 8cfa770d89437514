"""Running a registered model on a sealed benchmark inside medkosh: derive X and y with the protocol's
task, score with onnxruntime, compute the aggregate report, store it, and move the version's state when
the protocol's pass criteria are met. The caller receives aggregates only."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from medkosh.audit import record
from medkosh.errors import InputError, PermissionDenied, PolicyViolation
from medkosh.identity.types import Principal, Role
from medkosh.models.onnx import score, session_for
from medkosh.models.service import get_version_row, is_sealed_benchmark, schema_of
from medkosh.models.types import ModelSchema
from medkosh.store.base import new_id
from medkosh.store.objects import ObjectStore
from medkosh.store.tables.models import ModelValidationRow
from medkosh.validation.evaluate import evaluate, judge
from medkosh.validation.explain import permutation_importance, shap_summary
from medkosh.validation.tasks import TaskData, get_task
from medkosh.validation.tripod import checklist
from medkosh.validation.types import Protocol


def design_matrix(schema: ModelSchema, features: dict[str, NDArray[np.float64]], where: str) -> NDArray[np.float32]:
    cols = []
    for f in schema.features:
        if f.name not in features:
            raise InputError(f"the model needs feature {f.name!r}, which the task does not provide", where=where,
                             hint=f"the task provides {', '.join(features)}")
        v = features[f.name]
        cols.append(np.where(np.isfinite(v), v, f.impute if f.impute is not None else 0.0))
    return np.column_stack(cols).astype(np.float32)


def materialise(session: Session, benchmark: str, into: Path) -> tuple[Any, Path]:
    from medkosh.catalog.service import get_version, open_file

    info = get_version(session, benchmark)
    tables = into / "tables"
    tables.mkdir(parents=True)
    for entry in info.files:
        if entry.path.startswith("tables/") and entry.path.endswith(".parquet"):
            with open_file(session, benchmark, entry.path) as src:
                (into / entry.path).write_bytes(src.read())
    return info, tables


def report_for(scores: NDArray[np.float64], data: TaskData, x: NDArray[np.float32], schema: ModelSchema,
               protocol: Protocol, scorer: Any) -> dict[str, Any]:
    report = evaluate(scores, data.y, data.groups, protocol)
    report["explainability"] = {
        "permutation_importance": permutation_importance(scorer, x, data.y, schema.names),
        "shap": shap_summary(scorer, x, schema.names),
    }
    report["preprocessing"] = "missing predictor values set to the training medians in the model's schema"
    report["task"] = protocol.task
    report["protocol"] = protocol.model_dump()
    report["model"] = {"features": [f.model_dump() for f in schema.features], "output": schema.output.model_dump()}
    return report


def validate(session: Session, p: Principal, version_id: str, benchmark: str, protocol: Protocol,
             store: ObjectStore | None = None) -> dict[str, Any]:
    if not (p.has_role(Role.STEWARD) or p.has_role(Role.ADMIN)):
        raise PermissionDenied("validation on a sealed benchmark is run by a steward or an admin")
    v = get_version_row(session, version_id)
    schema = schema_of(v)
    task = get_task(protocol.task)
    with tempfile.TemporaryDirectory(prefix="medkosh-val-") as tmp:
        info, tables = materialise(session, benchmark, Path(tmp))
        if not is_sealed_benchmark(session, info.id):
            raise PolicyViolation(f"dataset version {benchmark} is not a sealed benchmark",
                                  hint="a steward seals it first: medkosh model seal-benchmark DATASET_VERSION")
        lineage = json.loads(v.lineage_json)
        if info.id in lineage.get("trained_on", []):
            raise PolicyViolation(f"{v.id} was trained on {benchmark}; a benchmark must be unseen data",
                                  hint="validate on a benchmark from another hospital or period")
        data = task(tables)
    if len(data) == 0:
        raise InputError("the benchmark has no patients at risk for this task", where=benchmark)
    x = design_matrix(schema, data.features, benchmark)
    sess = session_for(v.artefact_object)

    def scorer(batch: NDArray[np.float32]) -> NDArray[np.float64]:
        return score(sess, batch, v.id)

    scores = scorer(x)
    report = report_for(scores, data, x, schema, protocol, scorer)
    report["benchmark"] = {"dataset": info.dataset_id, "version": info.id, "number": info.number}
    report["model_version"] = v.id
    from medkosh.deployment.drift import reference

    ref = reference({f.name: x[:, j].astype(np.float64) for j, f in enumerate(schema.features)})
    return record_validation(session, p, v.id, info.id, protocol, report, ref, store=store)


def record_validation(session: Session, p: Principal, version_id: str, benchmark_id: str, protocol: Protocol,
                      report: dict[str, Any], reference: dict[str, Any], site: str | None = None,
                      store: ObjectStore | None = None) -> dict[str, Any]:
    """Store a computed report (in-platform or federated), audit it, and move the state if it passed."""
    if not (p.has_role(Role.STEWARD) or p.has_role(Role.ADMIN)):
        raise PermissionDenied("validation on a sealed benchmark is run by a steward or an admin")
    v = get_version_row(session, version_id)
    report["pass"] = judge(report, protocol.pass_criteria)
    report.setdefault("tripod_ai", checklist(report))
    blob = json.dumps(report, default=str).encode()
    sha = (store or ObjectStore()).put_bytes(blob)
    row = ModelValidationRow(id=new_id("val"), version_id=v.id, benchmark_version_id=benchmark_id, site=site,
                             protocol_id=protocol.id, protocol_version=protocol.version,
                             protocol_json=protocol.model_dump_json(), passed=bool(report["pass"]["passed"]),
                             report_object=sha, reference_json=json.dumps(reference), run_by=p.id)
    session.add(row)
    session.flush()
    record(session, "models.validation.run", actor=p.audit_actor(), subject_type="model_version", subject_id=v.id,
           details={"validation": row.id, "benchmark": benchmark_id, "protocol": f"{protocol.id}@{protocol.version}",
                    "passed": row.passed, "n": report["n"], "events": report["events"], "site": site})
    if row.passed:
        from medkosh.deployment.lifecycle import mark_validated

        mark_validated(session, p, v, row)
    report["validation_id"] = row.id
    report["state"] = v.state
    return report


def load_report(session: Session, validation_id: str, store: ObjectStore | None = None) -> dict[str, Any]:
    from medkosh.errors import NotFoundError

    row = session.get(ModelValidationRow, validation_id)
    if row is None:
        raise NotFoundError(f"no validation {validation_id!r}")
    rep: dict[str, Any] = json.loads((store or ObjectStore()).get_bytes(row.report_object))
    rep["validation_id"] = row.id
    return rep
