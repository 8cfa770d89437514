"""Per-subgroup metrics with bootstrap CIs and the gaps between subgroups (fairlearn's definitions:
equalised-odds difference = max(TPR gap, FPR gap); demographic-parity difference = selection-rate gap)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medkosh.validation.bootstrap import interval, resample
from medkosh.validation.metrics import Cells, F, individual_cells, weighted_metrics
from medkosh.validation.types import Protocol

SHOWN = ("auroc", "auprc", "sensitivity", "specificity", "ppv", "npv", "fpr", "positive_rate", "brier", "ece")


def metric_block(point: dict[str, F], reps: dict[str, F], names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        if name not in point:
            continue
        v = float(point[name][0])
        lo, hi = interval(reps[name])
        out[name] = {"value": v if np.isfinite(v) else None, "ci_low": lo, "ci_high": hi}
    return out


def _gap(values: dict[str, float]) -> dict[str, Any] | None:
    finite = {k: v for k, v in values.items() if v is not None and np.isfinite(v)}
    if len(finite) < 2:
        return None
    hi = max(finite, key=lambda k: finite[k])
    lo = min(finite, key=lambda k: finite[k])
    return {"value": finite[hi] - finite[lo], "highest": hi, "lowest": lo}


def _rep_gap(rows: list[F]) -> F:
    stack = np.vstack(rows)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: the gap is undefined (NaN)
        return np.nanmax(stack, axis=0) - np.nanmin(stack, axis=0)


def level_stats(score: F, y: NDArray[np.int64], threshold: float, protocol: Protocol,
                rng: np.random.Generator) -> tuple[dict[str, F], dict[str, F]]:
    """Exact point metrics and re-centred bootstrap replicates of one population (in-platform data)."""
    exact: Cells = individual_cells(score, y)
    pt = weighted_metrics(exact, exact.count[None, :], threshold)
    return pt, resample(score, y, threshold, protocol.bootstrap.resamples, protocol.bootstrap.cells, rng, pt)


def breakdown(score: F, y: NDArray[np.int64], labels: NDArray[np.str_], threshold: float, protocol: Protocol,
              rng: np.random.Generator) -> dict[str, Any]:
    """One subgroup kind (e.g. sex): each level's metrics, flags, and the between-level gaps."""
    stats = {}
    for level in sorted(set(labels.tolist())):
        m = labels == level
        stats[level] = level_stats(score[m], y[m], threshold, protocol, rng)
    return assemble(stats, protocol)


def assemble(stats: dict[str, tuple[dict[str, F], dict[str, F]]], protocol: Protocol) -> dict[str, Any]:
    """Levels (point, replicates) → the subgroup section: flags, per-level CIs, gaps with CIs."""
    levels: list[dict[str, Any]] = []
    reps_by_level: dict[str, dict[str, F]] = {}
    point_by_level: dict[str, dict[str, float]] = {}
    for level, (pt, reps) in stats.items():
        n, events = round(float(pt["n"][0])), round(float(pt["events"][0]))
        small = n < protocol.min_subgroup.n or events < protocol.min_subgroup.events
        levels.append({"level": level, "n": n, "events": events, "too_small_to_judge": small,
                       "metrics": metric_block(pt, reps, SHOWN)})
        if not small:
            reps_by_level[level] = reps
            point_by_level[level] = {k: float(v[0]) for k, v in pt.items()}
    gaps: dict[str, Any] = {}
    judged = list(point_by_level)
    if len(judged) >= 2:
        tpr = _rep_gap([reps_by_level[k]["sensitivity"] for k in judged])
        fpr = _rep_gap([reps_by_level[k]["fpr"] for k in judged])
        measures = {
            "equalised_odds_difference": (np.fmax(tpr, fpr), ("sensitivity", "fpr")),
            "demographic_parity_difference": (_rep_gap([reps_by_level[k]["positive_rate"] for k in judged]),
                                              ("positive_rate",)),
            "auroc_gap": (_rep_gap([reps_by_level[k]["auroc"] for k in judged]), ("auroc",)),
        }
        for name, (rep, parts) in measures.items():
            pieces = [_gap({k: point_by_level[k][p] for k in judged}) for p in parts]
            best = max((p for p in pieces if p), key=lambda p: p["value"], default=None)
            lo, hi = interval(rep)
            gaps[name] = None if best is None else {**best, "ci_low": lo, "ci_high": hi}
        largest = {m: _gap({k: point_by_level[k][m] for k in judged}) for m in SHOWN}
        gaps["largest_gap_by_metric"] = {k: v for k, v in largest.items() if v}
    return {"levels": levels, "gaps": gaps, "judged_levels": judged,
            "note": None if len(judged) >= 2 else "fewer than two subgroups large enough to compare"}
