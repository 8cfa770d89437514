"""Explainability without opening the model: permutation importance (drop in AUROC when a feature's
values are shuffled) for the report, and per-prediction occlusion (score change when a feature is set to
its training median) for inference. SHAP needs the model's internals or thousands of evaluations per row;
ONNX models are opaque here and shap is not installed, so the report says so instead of approximating."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medkosh.validation.metrics import point

Scorer = Callable[[NDArray[np.float32]], NDArray[np.float64]]


def permutation_importance(scorer: Scorer, x: NDArray[np.float32], y: NDArray[np.int64], names: list[str],
                           repeats: int = 5, max_rows: int = 5000, seed: int = 7) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    if len(y) > max_rows:
        keep = rng.choice(len(y), max_rows, replace=False)
        x, y = x[keep], y[keep]
    if len(set(y.tolist())) < 2:
        return []
    base = point(scorer(x), y, 0.5)["auroc"]
    # One batched call per feature: the repeats are stacked so the model runs len(names) times in all.
    out = []
    for j, name in enumerate(names):
        stacked = np.tile(x, (repeats, 1))
        for r in range(repeats):
            stacked[r * len(x):(r + 1) * len(x), j] = rng.permutation(x[:, j])
        scores = scorer(stacked).reshape(repeats, len(x))
        drops = np.array([base - point(scores[r], y, 0.5)["auroc"] for r in range(repeats)])
        out.append({"feature": name, "auroc_drop": float(drops.mean()), "sd": float(drops.std(ddof=1))})
    return sorted(out, key=lambda d: -d["auroc_drop"])


def occlusion(scorer: Scorer, row: NDArray[np.float32], baseline: NDArray[np.float32],
              names: list[str]) -> tuple[float, list[dict[str, Any]]]:
    """The score and, per feature, how much it moves when that feature is set to its baseline."""
    batch = np.tile(row, (len(names) + 1, 1))
    for j in range(len(names)):
        batch[j + 1, j] = baseline[j]
    scores = scorer(batch)
    contrib = [{"feature": n, "value": float(row[j]), "contribution": float(scores[0] - scores[j + 1])}
               for j, n in enumerate(names)]
    return float(scores[0]), sorted(contrib, key=lambda d: -abs(d["contribution"]))
