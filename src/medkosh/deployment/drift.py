"""Input drift: PSI per feature over the validation data's decile bins, and the two-sample KS test for
numeric features. The reference keeps only bin edges and proportions plus a quantile sketch (aggregates),
never the benchmark's rows."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

BINS = 10
SKETCH = 101  # quantiles kept for the KS test (percentiles 0..100)
_EPS = 1e-4


def reference(features: dict[str, NDArray[np.float64]]) -> dict[str, Any]:
    ref: dict[str, Any] = {}
    for name, v in features.items():
        finite = v[np.isfinite(v)]
        if len(finite) == 0:
            continue
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, BINS + 1)[1:-1]))
        counts = np.bincount(np.searchsorted(edges, finite, side="right"), minlength=len(edges) + 1)
        ref[name] = {"edges": edges.tolist(), "proportions": (counts / counts.sum()).tolist(),
                     "quantiles": np.quantile(finite, np.linspace(0, 1, SKETCH)).tolist(), "n": len(finite),
                     "missing": float(1 - len(finite) / len(v))}
    return ref


def psi(ref: dict[str, Any], values: NDArray[np.float64]) -> float | None:
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return None
    edges = np.asarray(ref["edges"])
    counts = np.bincount(np.searchsorted(edges, finite, side="right"), minlength=len(edges) + 1)
    # Half a count per bin (Jeffreys): an empty bin in a small window is not infinite drift.
    cur = (counts + 0.5) / (counts.sum() + 0.5 * len(counts))
    base = np.maximum(np.asarray(ref["proportions"]), _EPS)
    return float(np.sum((cur - base) * np.log(cur / base)))


def ks(ref: dict[str, Any], values: NDArray[np.float64]) -> tuple[float, float] | None:
    """KS statistic and p-value against the reference's quantile sketch (n = the reference's size)."""
    finite = np.sort(values[np.isfinite(values)])
    if len(finite) == 0:
        return None
    q = np.asarray(ref["quantiles"])
    grid = np.union1d(q, finite)
    f_ref = np.interp(grid, q, np.linspace(0, 1, len(q)), left=0.0, right=1.0)
    f_cur = np.searchsorted(finite, grid, side="right") / len(finite)
    d = float(np.max(np.abs(f_ref - f_cur)))
    n, m = ref["n"], len(finite)
    p = float(stats.kstwo.sf(d, round(n * m / (n + m))))
    return d, p
