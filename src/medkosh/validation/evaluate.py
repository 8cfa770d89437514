"""The validation computation on scores and outcomes already in hand (the model has run): every metric
with its bootstrap CI, calibration, decision curve, subgroups and fairness gaps, and the pass verdict.
Only aggregates come out: no row, score or identifier of a benchmark patient."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medkosh.validation.bootstrap import resample
from medkosh.validation.calibration import calibration, decision_curve
from medkosh.validation.fairness import SHOWN, breakdown, metric_block
from medkosh.validation.metrics import individual_cells, threshold_for_sensitivity, weighted_metrics
from medkosh.validation.types import Criterion, Protocol


def choose_threshold(score: NDArray[np.float64], y: NDArray[np.int64], protocol: Protocol) -> dict[str, Any]:
    t = protocol.threshold
    if t.fixed is not None:
        return {"value": float(t.fixed), "method": "fixed by the protocol"}
    assert t.sensitivity is not None
    v = threshold_for_sensitivity(score, y, t.sensitivity)
    return {"value": v, "method": f"highest threshold with sensitivity >= {t.sensitivity} on this benchmark"}


def evaluate(score: NDArray[np.floating], y: NDArray[np.integer], groups: Mapping[str, NDArray[Any]],
             protocol: Protocol) -> dict[str, Any]:
    s = np.asarray(score, dtype=np.float64)
    yy = np.asarray(y).astype(np.int64)
    if len(s) != len(yy) or len(s) == 0:
        raise ValueError("scores and outcomes must be non-empty and of equal length")
    rng = np.random.default_rng(protocol.bootstrap.seed)
    thr = choose_threshold(s, yy, protocol)
    exact = individual_cells(s, yy)
    pt = weighted_metrics(exact, exact.count[None, :], thr["value"])
    reps = resample(s, yy, thr["value"], protocol.bootstrap.resamples, protocol.bootstrap.cells, rng, pt)
    metrics = metric_block(pt, reps, SHOWN)
    cal = calibration(s, yy)
    for key in ("slope", "intercept"):
        if cal.get(key):
            metrics[f"calibration_{key}"] = {k: cal[key][k] for k in ("value", "ci_low", "ci_high")}
    subgroups: dict[str, Any] = {}
    missing: list[str] = []
    for kind in protocol.subgroups:
        labels = groups.get(kind)
        if labels is None:
            missing.append(kind)
            continue
        lab = np.array(["unknown" if v is None or v == "" else str(v) for v in labels], dtype=object).astype(str)
        subgroups[kind] = breakdown(s, yy, lab, thr["value"], protocol, rng)
    report: dict[str, Any] = {
        "n": len(s), "events": int(yy.sum()), "prevalence": float(yy.mean()),
        "threshold": thr, "metrics": metrics,
        "ci_method": (f"percentile, {protocol.bootstrap.resamples} Poisson bootstrap resamples "
                      f"(on {protocol.bootstrap.cells} score-quantile cells per population, re-centred on the exact estimate), seed {protocol.bootstrap.seed}"),
        "calibration": {"reliability": cal.get("reliability", []),
                        "slope_method": cal["slope"]["method"] if cal.get("slope") else None},
        "decision_curve": decision_curve(s, yy),
        "subgroups": subgroups, "subgroups_not_in_benchmark": missing,
    }
    report["pass"] = judge(report, protocol.pass_criteria)
    return report


def _value(report: dict[str, Any], c: Criterion) -> float | None:
    if c.metric is not None:
        m = report["metrics"].get(c.metric) or {}
        key = "value" if c.bound == "point" else c.bound
        v = m.get(key)
        return None if v is None else float(v)
    g = ((report["subgroups"].get(c.subgroup or "") or {}).get("gaps") or {}).get(c.fairness or "")
    if not g:
        return None
    v = g.get("value" if c.bound == "point" else c.bound)
    return None if v is None else float(v)


def judge(report: dict[str, Any], criteria: list[Criterion]) -> dict[str, Any]:
    """Each criterion met or not; a value that cannot be computed fails (absence of evidence is not a pass)."""
    rows = []
    for c in criteria:
        v = _value(report, c)
        ok = v is not None and np.isfinite(v) and (c.min is None or v >= c.min) and (c.max is None or v <= c.max)
        rows.append({"criterion": c.label(), "value": v, "passed": bool(ok),
                     "note": None if v is not None else "not computable on this benchmark"})
    return {"passed": all(r["passed"] for r in rows), "criteria": rows}
