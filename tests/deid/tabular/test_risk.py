from __future__ import annotations

import math

import numpy as np
import pytest

from medkosh.deid.tabular.risk import _hypergeometric_one, pitman, risk_figures, zayatz


def test_sample_risks_by_hand() -> None:
    sizes = np.array([1, 1, 2, 4])  # 8 records, 4 classes
    r = risk_figures(sizes, population_size=800)
    assert r["prosecutor_max"] == 1.0
    assert r["prosecutor_avg"] == pytest.approx(4 / 8)
    assert r["marketer"] == pytest.approx(4 / 8)
    assert r["sample_uniques"] == pytest.approx(2 / 8)
    assert r["journalist_max"] is None
    pop = risk_figures(sizes, population_size=800, population_sizes=np.array([10, 5, 4, 8]))
    assert pop["journalist_max"] == pytest.approx(1 / 4)
    assert pop["journalist_avg"] == pytest.approx((1 / 10 + 1 / 5 + 2 / 4 + 4 / 8) / 8)


def test_hypergeometric_matches_definition() -> None:
    big_n, k, n = 50, 7, 10
    expected = k * math.comb(big_n - k, n - 1) / math.comb(big_n, n)
    assert _hypergeometric_one(big_n, k, n) == pytest.approx(expected)


def test_uniqueness_models_are_shares() -> None:
    rng = np.random.default_rng(0)
    sizes = rng.geometric(0.4, 2000)
    for fn in (zayatz, pitman):
        value = fn(sizes, float(sizes.sum()) * 50)
        assert 0 < value < 1
    # no sample uniques → no estimated population uniques
    assert zayatz(np.array([2, 3, 5]), 1000) == 0.0
    # sampling the whole population: every sample unique is a population unique
    assert zayatz(np.array([1, 1, 2]), 4) == pytest.approx(2 / 4)
