"""The DP noise is as wide as the stated ε says: a statistical test over many draws."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from medkosh.surveillance import dp
from medkosh.surveillance.types import Mechanism


def _discrete_laplace_var(scale: float) -> float:
    q = np.exp(-1.0 / scale)
    return 2 * q / (1 - q) ** 2


@pytest.mark.parametrize(("epsilon", "sensitivity"), [(0.5, 1), (0.1, 1), (1.0, 3)])
def test_laplace_noise_scale_matches_epsilon(epsilon: float, sensitivity: int) -> None:
    n = 6000
    release = dp.release_counts(np.full(n, 100), epsilon, sensitivity=sensitivity)
    assert release.scale == pytest.approx(sensitivity / epsilon)
    noise = release.values - 100
    # Variance of the discrete Laplace with scale Δ/ε; a chi-square interval at 99.9 %.
    expected = _discrete_laplace_var(sensitivity / epsilon)
    s2 = noise.var(ddof=1)
    # Laplace has kurtosis 6: the variance of s² is about (κ - 1 + 2) σ⁴ / n with excess κ = 3.
    se = expected * np.sqrt((3 + 2) / n)
    assert abs(s2 - expected) < 4 * se, (s2, expected)
    # Mean absolute deviation ≈ scale: rules out a noise scale for ε/2 or 2ε.
    assert np.abs(noise).mean() == pytest.approx(sensitivity / epsilon, rel=0.1)
    # The whole distribution: Kolmogorov–Smirnov against the continuous Laplace (good for scale ≥ 2).
    if sensitivity / epsilon >= 2:
        jitter = np.random.default_rng(0).uniform(-0.5, 0.5, n)
        assert stats.kstest(noise + jitter, stats.laplace(scale=sensitivity / epsilon).cdf).pvalue > 1e-3


def test_openDP_certifies_the_stated_epsilon() -> None:
    meas, scale = dp.count_measurement(0.25, 2)
    assert meas.map(2) <= 0.25 + 1e-12 and scale == pytest.approx(8.0)
    gauss, sigma = dp.count_measurement(0.5, 1, Mechanism.GAUSSIAN, delta=1e-6)
    eps, delta = gauss.map(1)
    assert eps <= 0.5 + 1e-9 and delta == pytest.approx(1e-6)
    noise = np.asarray(gauss([0] * 4000), dtype=float)
    assert noise.std() == pytest.approx(sigma, rel=0.08)


def test_invalid_epsilon_is_refused() -> None:
    from medkosh.errors import InputError

    with pytest.raises(InputError, match="epsilon"):
        dp.release_counts(np.array([1, 2]), 0.0)
