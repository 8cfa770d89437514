"""Aberration detection: injected outbreaks are found where they are, flat series stay quiet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from medkosh.audit.service import Actor
from medkosh.errors import InputError
from medkosh.store.db import session_scope
from medkosh.surveillance import runs
from medkosh.surveillance.aberration import DetectorConfig, detect
from medkosh.surveillance.synthetic import Outbreak


def _seasonal(weeks: int, level: float) -> np.ndarray:
    w = np.arange(weeks) % 52
    return level * (0.5 + 1.5 * np.exp(-0.5 * ((w - 36) / 6.0) ** 2))


@pytest.mark.parametrize(("week", "min_hits"), [(60, 6), (115, 9), (140, 9), (150, 9)])
def test_injected_spike_is_detected_in_its_week_and_series(week: int, min_hits: int) -> None:
    """Power over 10 simulated datasets: a 4×(+10) spike in one of 40 seasonal series.

    Week 60 has one past year only (EARS); later weeks have two (Farrington). Spikes on the steep
    rise of the monsoon curve are harder for Farrington (its ±3-week window inflates the
    dispersion), which docs/guides/public-health.md states.
    """
    hits = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        y = rng.poisson(np.tile(_seasonal(156, 15.0), (40, 1))).astype(float)
        y[17, week] = y[17, week] * 4 + 10
        alert, farr = runs.alert_mask(detect(y))
        hits += bool(alert[17, week])
        assert farr[17, week] == (week >= 107)  # Farrington once two past years exist
        # Elsewhere in that week, (almost) nothing: 40 series at α = 0.001.
        assert alert[:, week].sum() - alert[17, week] <= 1
    assert hits >= min_hits


def test_flat_series_raise_no_alert_at_the_chosen_rate() -> None:
    cfg = DetectorConfig(alpha=0.001)
    constant = np.full((10, 156), 12.0)
    det = detect(constant, cfg)
    assert not runs.alert_mask(det)[0].any()
    rng = np.random.default_rng(1)
    noisy = rng.poisson(25.0, size=(200, 156)).astype(float)
    alert, _ = runs.alert_mask(detect(noisy, cfg))
    evaluated = 200 * (156 - 9)
    # Binomial check: the observed false alarms are consistent with α (one-sided, 1 % level).
    assert stats.binom.sf(alert.sum() - 1, evaluated, cfg.alpha) > 0.01, alert.sum()


def test_ears_statistics_match_the_definition() -> None:
    y = np.array([[10, 12, 9, 11, 10, 13, 9, 30, 12, 11, 10.0]])
    det = detect(y)
    base = y[0, 0:7]
    sd = max(base.std(ddof=1), np.sqrt(base.mean()), 1.0)
    assert det.statistic["C1"][0, 7] == pytest.approx((30 - base.mean()) / sd)
    assert np.isnan(det.statistic["C1"][0, 6])
    base2 = y[0, 0:7]  # C2 at week 9 uses weeks 0..6
    sd2 = max(base2.std(ddof=1), np.sqrt(base2.mean()), 1.0)
    assert det.statistic["C2"][0, 9] == pytest.approx((11 - base2.mean()) / sd2)
    assert det.alert["C1"][0, 7]


def test_run_on_synthetic_data_finds_the_outbreak(db_url: str, outbreak_table: Path) -> None:
    with session_scope() as s:
        summary = runs.run(s, str(outbreak_table), Actor("usr_ph"))
    assert summary["weeks"] == 156 and summary["alerts"] >= 1
    with session_scope() as s:
        listed = runs.alerts(s, condition="dengue")["alerts"]
        pune = [a for a in listed if a["district"] == "Pune" and a["week"] == "2025-W30"]
        assert pune, listed
        a = pune[0]
        assert a["condition_name"] == "Dengue" and a["icd10"] == "A90-A91" and a["method"] == "farrington"
        assert a["statistic"] > a["threshold"] and a["score"] > 1
        # The top dengue alert is the injected one.
        assert listed[0]["district"] == "Pune" and listed[0]["week"] == "2025-W30"
        chart = runs.chart(s, "Pune", "dengue")
        assert "2025-W30" in chart["alerts"]
        heat = runs.heat(s, "dengue", weeks=8)
        assert all(c["value"] is None or c["value"] == 0 or c["value"] >= 5 for r in heat["rows"] for c in r["cells"])
    # The next run without --source reuses the last source.
    with session_scope() as s:
        again = runs.run(s, None, Actor("usr_ph"))
    assert again["alerts"] == summary["alerts"]


def test_outbreak_syntax_errors_are_one_line() -> None:
    with pytest.raises(InputError, match="CONDITION:DISTRICT:YYYY-Www"):
        Outbreak.parse("dengue-Pune")
    with pytest.raises(InputError, match="unknown condition"):
        Outbreak.parse("plague:Pune:2025-W30")
    with pytest.raises(InputError, match="ISO week"):
        Outbreak.parse("dengue:Pune:2025-30")
    assert Outbreak.parse("malaria:Patna:2024-W33:3") == Outbreak("malaria", "Patna", "2024-W33", 3.0)
