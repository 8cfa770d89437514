"""Weighted, vectorised binary-classification metrics: one code path for point estimates and bootstrap.

Data are *cells*: a score, an outcome (0/1), a count and the sum and sum of squares of the scores the cell
stands for. An individual prediction is a cell of count 1 (exact metrics); the bootstrap resamples cells
of (score rounded to a grid, outcome) with Poisson(count) weights — a Poisson bootstrap of n individuals
that share a cell is exactly a Poisson(count) draw for the cell — and federated sites send cells, never rows.

Every metric takes a weight matrix W of shape (B, C): row b is one replicate's weight per cell. The point
estimate is the same function with W = counts[None, :], so the bootstrap cannot disagree with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]

ECE_BINS = 10


@dataclass(frozen=True)
class Cells:
    """Cells sorted by score, highest first (ties adjacent)."""

    score: F  # the cell's mean score
    y: NDArray[np.bool_]
    count: F
    s_sum: F
    s2_sum: F

    @property
    def n(self) -> float:
        return float(self.count.sum())

    def take(self, idx: NDArray[np.intp]) -> Cells:
        return Cells(self.score[idx], self.y[idx], self.count[idx], self.s_sum[idx], self.s2_sum[idx])


def _order(score: F, y: NDArray[np.bool_]) -> NDArray[np.intp]:
    # Descending score; within a tie the order is irrelevant (ties are grouped below).
    return np.lexsort((y, -score))


def individual_cells(score: NDArray[np.floating], y: NDArray[np.integer] | NDArray[np.bool_]) -> Cells:
    """Each prediction its own cell: exact metrics (used for point estimates)."""
    s = np.asarray(score, dtype=np.float64)
    yy = np.asarray(y).astype(bool)
    o = _order(s, yy)
    s, yy = s[o], yy[o]
    one = np.ones_like(s)
    return Cells(s, yy, one, s.copy(), s * s)


def grid_cells(score: NDArray[np.floating], y: NDArray[np.integer] | NDArray[np.bool_],
               resolution: float = 1e-3) -> Cells:
    """Cells of (score rounded to `resolution`, outcome): what federated sites send."""
    s = np.asarray(score, dtype=np.float64)
    yy = np.asarray(y).astype(np.int64)
    key = np.rint(s / resolution).astype(np.int64) * 2 + yy
    return _cells(key, s, yy)


def quantile_cells(score: NDArray[np.floating], y: NDArray[np.integer] | NDArray[np.bool_],
                   bins: int, threshold: float) -> Cells:
    """Cells of (score quantile bin, side of the threshold, outcome): the bootstrap's unit. Splitting at
    the threshold keeps the threshold metrics exact; the rest only lose the ordering inside a bin."""
    s = np.asarray(score, dtype=np.float64)
    yy = np.asarray(y).astype(np.int64)
    rank = np.argsort(np.argsort(s, kind="stable"), kind="stable")
    q = (rank * bins) // max(1, len(s))
    key = (q * 2 + (s >= threshold)) * 2 + yy
    return _cells(key, s, yy)


def _cells(key: NDArray[np.int64], s: F, yy: NDArray[np.int64]) -> Cells:
    uniq, inv = np.unique(key, return_inverse=True)
    count = np.bincount(inv, minlength=len(uniq)).astype(np.float64)
    s_sum = np.bincount(inv, weights=s, minlength=len(uniq)).astype(np.float64)
    s2_sum = np.bincount(inv, weights=s * s, minlength=len(uniq)).astype(np.float64)
    return cells_from_sums((uniq % 2).astype(bool), count, s_sum, s2_sum)


def cells_from_sums(y: NDArray[np.bool_], count: F, s_sum: F, s2_sum: F) -> Cells:
    keep = count > 0
    y, count, s_sum, s2_sum = y[keep], count[keep], s_sum[keep], s2_sum[keep]
    mean = s_sum / count
    o = _order(mean, y)
    return Cells(mean[o], y[o], count[o], s_sum[o], s2_sum[o])


def _tie_starts(score: F) -> NDArray[np.intp]:
    if len(score) == 0:
        return np.zeros(0, dtype=np.intp)
    change = np.flatnonzero(np.diff(score) != 0) + 1
    return np.concatenate(([0], change)).astype(np.intp)


def _div(a: F, b: F) -> F:
    """a / b, NaN where b is 0 (an undefined metric, e.g. sensitivity with no positives)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.true_divide(a, b)
    out[np.broadcast_to(b, out.shape) <= 0] = np.nan
    return np.asarray(out, dtype=np.float64)


def weighted_metrics(c: Cells, w: F, threshold: float) -> dict[str, F]:
    """All metrics for each row of w (shape (B, C)); NaN where a metric is undefined (no positives …)."""
    w = np.atleast_2d(w)
    yf = c.y.astype(np.float64)
    pw = w * yf
    nw = w - pw
    pos = pw.sum(1)
    neg = nw.sum(1)
    total = pos + neg
    starts = _tie_starts(c.score)
    if len(starts) == len(c.score):  # no ties (the usual case for cells): skip the grouping pass
        pg, ng = pw, nw
    elif len(starts):
        pg = np.add.reduceat(pw, starts, axis=1)
        ng = np.add.reduceat(nw, starts, axis=1)
    else:
        pg = ng = np.zeros((w.shape[0], 0))
    tp = np.cumsum(pg, axis=1)
    fp = np.cumsum(ng, axis=1)
    # AUROC (Mann-Whitney): each positive beats the negatives scored lower, half-credit for ties.
    below = neg[:, None] - fp
    auroc = _div((pg * (below + 0.5 * ng)).sum(1), pos * neg)
    # Average precision, sklearn's definition: sum over thresholds of ΔRecall × Precision.
    prec = _div(tp, tp + fp)
    auprc = _div(np.nansum(pg * prec, axis=1), pos)
    k = int(np.searchsorted(-c.score, -threshold, side="right"))  # cells with score >= threshold
    tpt = pw[:, :k].sum(1)
    fpt = nw[:, :k].sum(1)
    fnt = pos - tpt
    tnt = neg - fpt
    # Brier from the cell sums: Σ(s − y)² = Σs² − 2yΣs + y·n, scaled by the replicate's weight per member.
    per = _div(w, np.broadcast_to(c.count, w.shape)) if w.shape[1] else w
    brier_cell = c.s2_sum - 2 * yf * c.s_sum + yf * c.count
    brier = _div(per @ brier_cell, total)
    return {
        "auroc": auroc, "auprc": auprc,
        "sensitivity": _div(tpt, pos), "specificity": _div(tnt, neg),
        "ppv": _div(tpt, tpt + fpt), "npv": _div(tnt, tnt + fnt),
        "fpr": _div(fpt, neg), "positive_rate": _div(tpt + fpt, total),
        "prevalence": _div(pos, total), "brier": brier, "ece": _ece(c, w, per, total),
        "n": total, "events": pos,
    }


def _ece(c: Cells, w: F, per: F, total: F) -> F:
    """Expected calibration error over ECE_BINS equal-width bins of the predicted risk."""
    if not len(c.score):
        return np.full(w.shape[0], np.nan)
    bins = np.minimum((c.score * ECE_BINS).astype(np.int64), ECE_BINS - 1)
    # Scores are sorted descending, so each bin is one contiguous run of cells.
    starts = np.concatenate(([0], np.flatnonzero(np.diff(bins) != 0) + 1))
    sb = np.add.reduceat(per * c.s_sum, starts, axis=1)
    yb = np.add.reduceat(w * c.y, starts, axis=1)
    return _div(np.abs(sb - yb).sum(1), total)


def threshold_for_sensitivity(score: NDArray[np.floating], y: NDArray[np.integer], target: float) -> float:
    """The highest threshold whose sensitivity (score >= threshold) reaches `target`."""
    s = np.sort(np.asarray(score, dtype=np.float64)[np.asarray(y).astype(bool)])[::-1]
    if not len(s):
        return 0.5
    k = int(np.ceil(target * len(s))) - 1
    return float(s[min(max(k, 0), len(s) - 1)])


def point(score: NDArray[np.floating], y: NDArray[np.integer], threshold: float) -> dict[str, float]:
    c = individual_cells(score, y)
    return {k: float(v[0]) for k, v in weighted_metrics(c, c.count[None, :], threshold).items()}
