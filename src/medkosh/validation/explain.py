"""Explainability without opening the model: permutation importance (drop in AUROC when a feature's
values are shuffled) and a SHAP summary for the report, and per-prediction occlusion (score change when
a feature is set to its training median) for inference.

ONNX graphs are opaque here, so SHAP values are estimated from the model's outputs alone: interventional
Shapley values (absent features take values from a background sample) by antithetic permutation
sampling. Every sampled permutation telescopes, so each row's values add up exactly to its score minus
the mean background score (the efficiency property), whatever the number of permutations.
"""

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


def shap_summary(scorer: Scorer, x: NDArray[np.float32], names: list[str], *, rows: int = 200,
                 background: int = 50, permutations: int = 8, seed: int = 11) -> dict[str, Any]:
    """Mean |SHAP| per feature over a sample of rows, with the mean signed value and how the values
    follow the feature (Spearman-free: the correlation of value and SHAP, > 0 when higher values raise
    the score)."""
    values, base, explained = shap_values(scorer, x, rows=rows, background=background,
                                          permutations=permutations, seed=seed)
    features = []
    for j, name in enumerate(names):
        col, phi = explained[:, j].astype(np.float64), values[:, j]
        direction = float(np.corrcoef(col, phi)[0, 1]) if col.std() > 0 and phi.std() > 0 else 0.0
        features.append({"feature": name, "mean_abs_shap": float(np.abs(phi).mean()),
                         "mean_shap": float(phi.mean()), "value_direction": round(direction, 3)})
    return {"method": f"interventional Shapley values, {permutations} antithetic permutations, "
                      f"{min(background, len(x))} background rows, {len(explained)} explained rows (model-agnostic)",
            "expected_score": base, "features": sorted(features, key=lambda d: -d["mean_abs_shap"])}


def shap_values(scorer: Scorer, x: NDArray[np.float32], *, rows: int = 200, background: int = 50,
                permutations: int = 8, seed: int = 11) -> tuple[NDArray[np.float64], float, NDArray[np.float32]]:
    """(values [rows x features], mean background score, the explained rows)."""
    rng = np.random.default_rng(seed)
    n, m = x.shape
    explained = x[rng.choice(n, min(rows, n), replace=False)]
    bg = x[rng.choice(n, min(background, n), replace=False)]
    r, b = len(explained), len(bg)
    base = float(scorer(bg).mean())
    phi = np.zeros((r, m))
    perms: list[NDArray[np.int64]] = []
    for _ in range(max(1, permutations // 2)):
        p = rng.permutation(m)
        perms += [p, p[::-1]]  # antithetic pairs halve the variance for the same number of model calls
    for perm in perms:
        # states[k]: features perm[:k] from the explained row, the rest from each background row
        batch = np.broadcast_to(bg, (m + 1, r, b, m)).copy()
        for k in range(1, m + 1):
            batch[k:, :, :, perm[k - 1]] = explained[None, :, None, perm[k - 1]]
        scores = scorer(batch.reshape(-1, m)).reshape(m + 1, r, b).mean(axis=2)
        phi[:, perm] += np.diff(scores, axis=0).T
    return phi / len(perms), base, explained
