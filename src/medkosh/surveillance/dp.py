"""Differential privacy through OpenDP: noise calibrated to a per-query (ε, δ).

Counts use OpenDP's discrete Laplace (pure ε-DP) or discrete Gaussian (ρ-zCDP converted to
(ε, δ)-DP); sums for means use the continuous Laplace. The noise scale is found by OpenDP's own
privacy map (binary search over the scale), so the stated ε is what OpenDP certifies, not a
hand-derived formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from medkosh.errors import InputError
from medkosh.surveillance.types import Mechanism


def _dp() -> Any:
    import opendp.prelude as dp

    dp.enable_features("contrib")  # OpenDP gates its not-yet-proven constructors behind this flag
    return dp


@dataclass(frozen=True)
class Release:
    values: np.ndarray
    scale: float
    epsilon: float
    delta: float
    mechanism: str


def _check_budget(epsilon: float, delta: float, mechanism: Mechanism) -> None:
    if not (epsilon > 0 and np.isfinite(epsilon)):
        raise InputError(f"epsilon must be a positive number, got {epsilon}", where="--dp")
    if mechanism is Mechanism.GAUSSIAN and not (0 < delta < 1):
        raise InputError(f"the Gaussian mechanism needs 0 < delta < 1, got {delta}", where="--delta")


def count_measurement(epsilon: float, sensitivity: int, mechanism: Mechanism = Mechanism.LAPLACE,
                      delta: float = 0.0) -> tuple[Any, float]:
    """An OpenDP measurement on integer vectors certified at most (ε, δ) at d_in = Δ, and its scale."""
    _check_budget(epsilon, delta, mechanism)
    dp = _dp()
    if mechanism is Mechanism.LAPLACE:
        space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
        scale = sensitivity / epsilon  # discrete Laplace: ε = Δ / scale
        meas = dp.m.make_laplace(*space, scale=scale)
        if meas.map(sensitivity) > epsilon * (1 + 1e-9):
            scale = float(dp.binary_search_param(lambda s: dp.m.make_laplace(*space, scale=s),
                                                 d_in=sensitivity, d_out=epsilon))
            meas = dp.m.make_laplace(*space, scale=scale)
        return meas, scale
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l2_distance(T=int)

    def chain(s: float) -> Any:
        return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(dp.m.make_gaussian(*space, scale=s)), delta)

    scale = float(dp.binary_search_param(chain, d_in=sensitivity, d_out=(epsilon, delta)))
    return chain(scale), scale


def sum_measurement(epsilon: float, sensitivity: float) -> tuple[Any, float]:
    _check_budget(epsilon, 0.0, Mechanism.LAPLACE)
    dp = _dp()
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l1_distance(T=float)
    scale = float(dp.binary_search_param(lambda s: dp.m.make_laplace(*space, scale=s),
                                         d_in=float(sensitivity), d_out=epsilon))
    return dp.m.make_laplace(*space, scale=scale), scale


def release_counts(counts: np.ndarray, epsilon: float, *, sensitivity: int = 1,
                   mechanism: Mechanism = Mechanism.LAPLACE, delta: float = 0.0) -> Release:
    """Noisy integer counts for every cell of a fixed (public) key set, zeros included."""
    meas, scale = count_measurement(epsilon, sensitivity, mechanism, delta)
    noisy = np.asarray(meas([int(c) for c in counts]), dtype=np.int64) if len(counts) else np.zeros(0, np.int64)
    return Release(noisy, scale, epsilon, delta if mechanism is Mechanism.GAUSSIAN else 0.0, str(mechanism))


def release_sums(sums: np.ndarray, epsilon: float, *, sensitivity: float) -> Release:
    meas, scale = sum_measurement(epsilon, sensitivity)
    noisy = np.asarray(meas([float(x) for x in sums]), dtype=float) if len(sums) else np.zeros(0)
    return Release(noisy, scale, epsilon, 0.0, str(Mechanism.LAPLACE))
