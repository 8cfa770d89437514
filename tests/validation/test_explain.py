"""Model-agnostic explainability: SHAP estimates against the closed form for an additive model, the
efficiency property for a non-additive one, and permutation importance ranking."""

from __future__ import annotations

import numpy as np

from medkosh.validation.explain import permutation_importance, shap_summary, shap_values


def test_shap_of_an_additive_model_is_its_centred_terms() -> None:
    # For f(x) = sum w_j g_j(x_j) interventional SHAP is exactly w_j (g_j(x_j) - mean_bg g_j).
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 5)).astype(np.float32)
    w = np.array([2.0, -1.0, 0.5, 0.0, 3.0])

    def f(a: np.ndarray) -> np.ndarray:
        return (a[:, :4] * w[:4]).sum(axis=1) + w[4] * np.tanh(a[:, 4])

    phi, base, rows = shap_values(f, x, rows=40, background=30, permutations=4, seed=3)
    rng2 = np.random.default_rng(3)  # the same draws shap_values made: explained rows, then background
    rng2.choice(500, 40, replace=False)
    background = x[rng2.choice(500, 30, replace=False)]
    expected = np.column_stack([w[j] * (rows[:, j] - background[:, j].mean()) for j in range(4)] +
                               [w[4] * (np.tanh(rows[:, 4]) - np.tanh(background[:, 4]).mean())])
    assert np.allclose(phi, expected, atol=1e-5)
    assert abs(base - f(background).mean()) < 1e-9


def test_shap_values_add_up_to_the_score_for_an_interacting_model() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=(300, 4)).astype(np.float32)

    def f(a: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(3 * a[:, 0] * a[:, 1] + a[:, 2] ** 2 - a[:, 3])))

    phi, base, rows = shap_values(f, x, rows=25, background=20, permutations=6)
    assert np.allclose(phi.sum(axis=1), f(rows) - base, atol=1e-6)
    summary = shap_summary(f, x, ["a", "b", "c", "d"], rows=60, background=30)
    by = {s["feature"]: s for s in summary["features"]}
    assert by["d"]["value_direction"] < -0.9  # higher d lowers the score
    assert summary["features"][-1]["feature"] != "a"


def test_permutation_importance_ranks_the_feature_the_outcome_depends_on() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2000, 3)).astype(np.float32)
    y = (x[:, 1] + 0.3 * rng.normal(size=2000) > 0).astype(np.int64)

    def f(a: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-3 * a[:, 1]))

    ranked = permutation_importance(f, x, y, ["noise0", "signal", "noise2"], repeats=3)
    assert ranked[0]["feature"] == "signal" and ranked[0]["auroc_drop"] > 0.3
    assert all(abs(r["auroc_drop"]) < 1e-9 for r in ranked[1:])
