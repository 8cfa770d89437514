"""Shared test helpers: people with roles, a small ONNX model on synthetic features, a passing validation."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from sqlalchemy.orm import Session

FEATURES = ["female", "age", "hba1c"]
SCHEMA = {"task": "toy", "features": [{"name": "female", "unit": "1 = female", "impute": 0.0},
                                      {"name": "age", "unit": "years", "impute": 55.0},
                                      {"name": "hba1c", "unit": "%", "impute": 7.5}],
          "output": {"classes": [0, 1], "score": "probability of a complication"}}


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.integers(0, 2, n), rng.normal(55, 12, n), rng.normal(7.5, 1.5, n)]).astype(np.float32)
    logit = -1.0 + 0.04 * (x[:, 1] - 55) + 0.9 * (x[:, 2] - 7.5)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return x, y


def onnx_model(seed: int = 0) -> bytes:
    from skl2onnx import to_onnx
    from sklearn.linear_model import LogisticRegression

    x, y = synthetic(2000, seed)
    model = LogisticRegression(max_iter=500).fit(x, y)
    onx = to_onnx(model, x[:1], options={id(model): {"zipmap": False}}, target_opset={"": 17, "ai.onnx.ml": 3})
    return bytes(onx.SerializeToString())


def people(session: Session) -> dict[str, Any]:
    from medkosh.identity.service import create_institution, create_user
    from medkosh.identity.types import Principal

    inst = create_institution(session, "Test Hospital", "hospital")
    out = {}
    for role in ("admin", "steward", "researcher", "clinician"):
        u = create_user(session, f"{role}@example.org", role.title(), inst.id, [role])
        out[role] = Principal(user=u, via="test")
    return out


def passing_validation(session: Session, p: Any, version_id: str, seed: int = 1,
                       monitoring: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate the toy model on fresh synthetic data with the real engine (the benchmark id is a label)."""
    from medkosh.deployment.drift import reference
    from medkosh.models.onnx import score, session_for
    from medkosh.models.service import get_version_row, schema_of
    from medkosh.validation.run import record_validation, report_for
    from medkosh.validation.tasks import TaskData
    from medkosh.validation.types import Protocol

    v = get_version_row(session, version_id)
    x, y = synthetic(1500, seed)
    sess = session_for(v.artefact_object)
    s = score(sess, x)
    protocol = Protocol.model_validate({
        "id": "toy", "version": 1, "task": "diabetes-complication-1y", "outcome": "toy outcome",
        "threshold": {"fixed": 0.3}, "subgroups": ["sex"], "bootstrap": {"resamples": 200},
        "pass_criteria": [{"metric": "auroc", "bound": "ci_low", "min": 0.6}],
        "monitoring": monitoring or {"min_predictions": 100, "psi_max": 0.25, "window": 200}})
    data = TaskData({f: x[:, j].astype(np.float64) for j, f in enumerate(FEATURES)}, y,
                    {"sex": np.where(x[:, 0] == 1, "female", "male")})
    report = report_for(s, data, x, schema_of(v), protocol, lambda b: score(sess, b))
    # SHAP through the real ONNX session: one entry per model feature, and the HTML report shows it
    assert sorted(f["feature"] for f in report["explainability"]["shap"]["features"]) == sorted(FEATURES)
    from medkosh.validation.report import to_html

    assert "SHAP summary" in to_html(report)
    ref = reference({f: x[:, j].astype(np.float64) for j, f in enumerate(FEATURES)})
    return record_validation(session, p, v.id, "benchmark-test", protocol, report, ref)


@pytest.fixture
def h() -> Any:
    """These helpers, for the tests in this directory (importlib mode: no sibling imports)."""
    return sys.modules[__name__]


@pytest.fixture
def session(sqlite_url: str) -> Iterator[Session]:
    from medkosh.store.db import session_scope

    with session_scope(sqlite_url) as s:
        yield s
