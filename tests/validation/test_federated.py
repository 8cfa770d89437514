"""Federated validation: two simulated hospitals send only score cells; the pooled report equals the
report on the pooled data within bootstrap noise (and the point estimates almost exactly)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from medkosh.validation.evaluate import evaluate
from medkosh.validation.federated import federated_validate, site_aggregates
from medkosh.validation.types import Protocol

PROTO = Protocol.model_validate({
    "id": "fed-test", "version": 1, "task": "diabetes-complication-1y", "outcome": "o",
    "threshold": {"fixed": 0.3}, "subgroups": ["sex", "age_band"], "bootstrap": {"resamples": 500, "seed": 3},
    "pass_criteria": [{"metric": "auroc", "bound": "ci_low", "min": 0.6}]})


def _hospital(seed: int, n: int, shift: float) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.25).astype(int)
    s = 1 / (1 + np.exp(-(rng.normal(1.4 * y - 1.2 + shift, 1.0))))
    groups = {"sex": rng.choice(["female", "male"], n), "age_band": rng.choice(["<40", "40-59", "60-74", "75+"], n)}
    return s, y, groups


SITES = [_hospital(1, 3000, 0.0), _hospital(2, 2000, 0.3)]


def _site(i: int) -> Any:
    s, y, g = SITES[i]
    return lambda proto: site_aggregates(s, y, g, proto, f"hosp0{i + 1}")


def _compare(fed: dict[str, Any]) -> None:
    s = np.concatenate([x[0] for x in SITES])
    y = np.concatenate([x[1] for x in SITES])
    g = {k: np.concatenate([x[2][k] for x in SITES]) for k in ("sex", "age_band")}
    pooled = evaluate(s, y, g, PROTO)
    assert fed["n"] == pooled["n"] and fed["events"] == pooled["events"]
    for k in ("auroc", "auprc", "sensitivity", "specificity", "ppv", "npv", "brier", "ece"):
        a, b = fed["metrics"][k], pooled["metrics"][k]
        assert a["value"] == pytest.approx(b["value"], abs=2e-3), k  # only the 0.001 binning differs
        width = b["ci_high"] - b["ci_low"]
        assert abs(a["ci_low"] - b["ci_low"]) < 0.25 * width + 1e-3, k  # within bootstrap noise
        assert abs(a["ci_high"] - b["ci_high"]) < 0.25 * width + 1e-3, k
    for kind in ("sex", "age_band"):
        fa = {lv["level"]: lv for lv in fed["subgroups"][kind]["levels"]}
        for lv in pooled["subgroups"][kind]["levels"]:
            assert fa[lv["level"]]["n"] == lv["n"]
            assert fa[lv["level"]]["metrics"]["auroc"]["value"] == pytest.approx(
                lv["metrics"]["auroc"]["value"], abs=3e-3)
    assert fed["pass"]["passed"] == pooled["pass"]["passed"]


def test_pooled_report_from_site_aggregates_equals_the_report_on_pooled_data() -> None:
    fed = federated_validate([_site(0), _site(1)], PROTO, "in_process")
    assert fed["federated"]["sites"] == ["hosp01", "hosp02"]
    _compare(fed)


def test_sites_send_cells_not_rows() -> None:
    agg = site_aggregates(*SITES[0], PROTO, "hosp01")
    assert set(agg) == {"site", "protocol", "overall", "subgroups"}
    assert set(agg["overall"]) == {"k", "n", "s", "s2"}
    assert sum(agg["overall"]["n"]) == 3000 and len(agg["overall"]["k"]) <= 2000


@pytest.mark.skipif(os.environ.get("MEDKOSH_TEST_FLOWER") != "1",
                    reason="Flower's simulation starts Ray (slow on a shared 2-core machine): MEDKOSH_TEST_FLOWER=1")
def test_the_same_round_over_flower() -> None:
    fed = federated_validate([_site(0), _site(1)], PROTO, "flower")
    assert fed["federated"]["transport"] == "flower"
    _compare(fed)
