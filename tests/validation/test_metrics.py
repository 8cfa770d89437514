"""The validation engine against scikit-learn and fairlearn on fixed data, bootstrap coverage on
simulated data, calibration of a perfectly calibrated model, and subgroup-gap detection."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    roc_auc_score,
)

from medkosh.validation.evaluate import evaluate
from medkosh.validation.metrics import point
from medkosh.validation.types import Protocol


def _protocol(**kw: Any) -> Protocol:
    base: dict[str, Any] = {"id": "test-protocol", "version": 1, "task": "diabetes-complication-1y", "outcome": "o",
                            "threshold": {"fixed": 0.5}, "subgroups": ["sex"],
                            "bootstrap": {"resamples": 400, "seed": 1},
                            "pass_criteria": [{"metric": "auroc", "bound": "ci_low", "min": 0.5}]}
    base.update(kw)
    return Protocol.model_validate(base)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_point_metrics_equal_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 3000)
    s = np.clip(rng.normal(0.4 + 0.2 * y, 0.2), 0, 1)
    s[::7] = np.round(s[::7], 1)  # ties, which AUROC and AP must handle as scikit-learn does
    m = point(s, y, 0.45)
    tn, fp, fn, tp = confusion_matrix(y, s >= 0.45).ravel()
    assert m["auroc"] == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert m["auprc"] == pytest.approx(average_precision_score(y, s), abs=1e-12)
    assert m["brier"] == pytest.approx(brier_score_loss(y, s), abs=1e-12)
    assert m["sensitivity"] == pytest.approx(tp / (tp + fn))
    assert m["specificity"] == pytest.approx(tn / (tn + fp))
    assert m["ppv"] == pytest.approx(tp / (tp + fp))
    assert m["npv"] == pytest.approx(tn / (tn + fn))


def test_subgroup_metrics_and_gaps_equal_fairlearn() -> None:
    from fairlearn.metrics import (
        MetricFrame,
        demographic_parity_difference,
        equalized_odds_difference,
        true_positive_rate,
    )

    rng = np.random.default_rng(5)
    n = 4000
    sex = rng.choice(["female", "male"], n)
    y = rng.integers(0, 2, n)
    s = np.clip(rng.normal(0.35 + 0.3 * y + 0.1 * (sex == "male"), 0.2), 0, 1)
    rep = evaluate(s, y, {"sex": sex}, _protocol())
    pred = (s >= 0.5).astype(int)
    mf = MetricFrame(metrics=true_positive_rate, y_true=y, y_pred=pred, sensitive_features=sex)
    levels = {lv["level"]: lv for lv in rep["subgroups"]["sex"]["levels"]}
    for level in ("female", "male"):
        assert levels[level]["metrics"]["sensitivity"]["value"] == pytest.approx(mf.by_group[level])
    gaps = rep["subgroups"]["sex"]["gaps"]
    assert gaps["equalised_odds_difference"]["value"] == pytest.approx(
        equalized_odds_difference(y, pred, sensitive_features=sex))
    assert gaps["demographic_parity_difference"]["value"] == pytest.approx(
        demographic_parity_difference(y, pred, sensitive_features=sex))


def test_bootstrap_interval_covers_the_true_auroc_about_95_percent() -> None:
    # Binormal model: positives ~ N(d, 1), negatives ~ N(0, 1) → true AUROC = Φ(d / √2).
    d = 1.0
    truth = norm.cdf(d / np.sqrt(2))
    proto = _protocol(subgroups=[], bootstrap={"resamples": 300, "seed": 11})
    rng = np.random.default_rng(2026)
    hits, reps = 0, 150
    for _ in range(reps):
        y = (rng.random(400) < 0.3).astype(int)
        z = rng.normal(d * y, 1.0)
        s = 1 / (1 + np.exp(-z))
        m = evaluate(s, y, {}, proto)["metrics"]["auroc"]
        hits += m["ci_low"] <= truth <= m["ci_high"]
    # 150 trials: a true 95% interval lands in [0.89, 0.99] with probability > 0.99.
    assert 0.89 <= hits / reps <= 0.99, hits / reps


def test_perfectly_calibrated_model_has_slope_one_intercept_zero_small_ece() -> None:
    rng = np.random.default_rng(8)
    p = rng.beta(2, 5, 50_000)
    y = (rng.random(len(p)) < p).astype(int)
    m = evaluate(p, y, {}, _protocol(subgroups=[]))["metrics"]
    assert m["calibration_slope"]["ci_low"] <= 1.0 <= m["calibration_slope"]["ci_high"]
    assert m["calibration_intercept"]["ci_low"] <= 0.0 <= m["calibration_intercept"]["ci_high"]
    assert m["ece"]["value"] < 0.01
    # A miscalibrated model (overconfident: logit × 2) is caught.
    logit = np.log(p / (1 - p))
    over = 1 / (1 + np.exp(-2 * logit))
    m2 = evaluate(over, y, {}, _protocol(subgroups=[]))["metrics"]
    assert m2["calibration_slope"]["ci_high"] < 0.6 and m2["ece"]["value"] > 0.03


def test_a_deliberately_biased_model_shows_the_subgroup_gap_and_fails_the_fairness_criterion() -> None:
    rng = np.random.default_rng(4)
    n = 6000
    state = rng.choice(["Kerala", "Bihar", "Goa"], n, p=[0.5, 0.49, 0.01])  # Goa: too small to judge
    y = (rng.random(n) < 0.3).astype(int)
    signal = np.where(state == "Bihar", 0.2, 2.0)  # the model barely works for Bihar
    s = 1 / (1 + np.exp(-(rng.normal(signal * (y - 0.5), 1.0))))
    proto = _protocol(subgroups=["state"], min_subgroup={"n": 100, "events": 10},
                      pass_criteria=[{"fairness": "auroc_gap", "subgroup": "state", "bound": "point", "max": 0.1},
                                     {"fairness": "equalised_odds_difference", "subgroup": "state", "max": 0.2}])
    rep = evaluate(s, y, {"state": state}, proto)
    sub = rep["subgroups"]["state"]
    goa = next(lv for lv in sub["levels"] if lv["level"] == "Goa")
    assert goa["too_small_to_judge"] and "Goa" not in sub["judged_levels"]
    gap = sub["gaps"]["auroc_gap"]
    assert gap["lowest"] == "Bihar" and gap["highest"] == "Kerala" and gap["ci_low"] > 0.2
    assert sub["gaps"]["equalised_odds_difference"]["value"] > 0.2
    assert not rep["pass"]["passed"]
    # The same data with an unbiased model passes.
    fair = 1 / (1 + np.exp(-(rng.normal(2.0 * (y - 0.5), 1.0))))
    assert evaluate(fair, y, {"state": state}, proto)["pass"]["passed"]


def test_fixed_sensitivity_threshold_reaches_the_target() -> None:
    rng = np.random.default_rng(9)
    y = rng.integers(0, 2, 2000)
    s = rng.random(2000) * 0.5 + 0.4 * y
    rep = evaluate(s, y, {}, _protocol(subgroups=[], threshold={"sensitivity": 0.9}))
    assert rep["metrics"]["sensitivity"]["value"] >= 0.9
    assert rep["metrics"]["sensitivity"]["value"] < 0.91


def test_protocol_errors_are_one_line_with_the_field(tmp_path: Any) -> None:
    from medkosh.errors import InputError
    from medkosh.validation.protocols import load

    bad = tmp_path / "p.yaml"
    bad.write_text("id: x1\nversion: 1\ntask: t\noutcome: o\nthreshold: {fixed: 0.2, sensitivity: 0.8}\n"
                   "pass_criteria: [{metric: auroc, min: 0.7}]\n")
    with pytest.raises(InputError) as exc:
        load(bad)
    assert "threshold" in str(exc.value) and "\n" not in str(exc.value)
    bad.write_text("id: x1\nversion: 1\ntask: t\noutcome: o\nthreshold: {fixed: 0.2}\n"
                   "pass_criteria: [{metric: accuracy, min: 0.7}]\n")
    with pytest.raises(InputError, match="unknown metric"):
        load(bad)
