"""Re-identification risk from equivalence-class sizes (the attacker models ARX reports).

* prosecutor: the attacker knows the person is in the table; a record's risk is 1/|its class|.
* journalist: the attacker links against a population table; a record's risk is 1/|its class in the
  population| (only when a population table is given).
* marketer: the expected share of records re-identified when linking every record.
* sample uniques: the share of records alone in their class.
* population uniques: the estimated share of the population that is unique on the QIs, from the
  sample by the Zayatz (1991) or the Pitman (Hoshino 2001) model, given the population size.
"""

from __future__ import annotations

import math

import numpy as np


def risk_figures(sizes: np.ndarray, population_size: float, model: str = "zayatz",
                 population_sizes: np.ndarray | None = None) -> dict[str, float | None]:
    """Risk figures for classes of the given sizes (suppressed rows excluded by the caller).

    `population_sizes`, aligned with `sizes`, holds each class's size in the population table."""
    sizes = np.asarray(sizes, dtype=np.float64)
    n = float(sizes.sum())
    out: dict[str, float | None] = {"records": n, "classes": float(len(sizes))}
    if n == 0:
        out.update(prosecutor_max=0.0, prosecutor_avg=0.0, marketer=0.0, sample_uniques=0.0,
                   population_uniques=0.0, journalist_max=None, journalist_avg=None)
        return out
    out["prosecutor_max"] = float(1.0 / sizes.min())
    out["prosecutor_avg"] = len(sizes) / n  # mean over records of 1/|class|
    out["sample_uniques"] = float(sizes[sizes == 1].sum() / n)
    if population_sizes is not None:
        pop = np.maximum(np.asarray(population_sizes, dtype=np.float64), sizes)  # a class is in its population
        out["journalist_max"] = float(1.0 / pop.min())
        out["journalist_avg"] = float((sizes / pop).sum() / n)
        out["marketer"] = out["journalist_avg"]
    else:
        out["journalist_max"] = None
        out["journalist_avg"] = None
        out["marketer"] = out["prosecutor_avg"]
    population = max(float(population_size), n)
    out["population_uniques"] = population_uniqueness(sizes, population, model)
    return out


def _frequencies(sizes: np.ndarray) -> dict[int, int]:
    values, counts = np.unique(sizes.astype(np.int64), return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts, strict=True)}


def _hypergeometric_one(population: float, successes: int, draws: float) -> float:
    """P(X = 1) for X ~ Hypergeometric(population, successes, draws), in log space."""
    big_n, k, n = round(population), int(successes), round(draws)
    if k < 1 or n < 1 or k > big_n or n > big_n or (big_n - k) < (n - 1):
        return 0.0

    def log_comb(a: int, b: int) -> float:
        return math.lgamma(a + 1) - math.lgamma(b + 1) - math.lgamma(a - b + 1)

    return math.exp(math.log(k) + log_comb(big_n - k, n - 1) - log_comb(big_n, n))


def zayatz(sizes: np.ndarray, population: float) -> float:
    """Estimated share of the population that is unique (Zayatz 1991, as ARX computes it)."""
    freq = _frequencies(sizes)
    n = float(sizes.sum())
    if freq.get(1, 0) == 0:
        return 0.0
    classes = float(len(sizes))
    denominator = sum((count / classes) * _hypergeometric_one(population, size, n) for size, count in freq.items())
    if denominator <= 0:
        return 0.0
    conditional = (freq[1] / classes) * _hypergeometric_one(population, 1, n) / denominator
    sampling_fraction = n / population
    return float(freq[1] * conditional / sampling_fraction / population)


def pitman(sizes: np.ndarray, population: float) -> float:
    """Estimated share of the population that is unique under the Pitman sampling formula, with
    (theta, alpha) fitted by maximum likelihood (Hoshino 2001)."""
    from scipy.optimize import minimize  # only this model needs scipy
    from scipy.special import gammaln

    freq = _frequencies(sizes)
    n = float(sizes.sum())
    u = float(len(sizes))
    if freq.get(1, 0) == 0 or u < 2:
        return 0.0
    ks = np.array([k for k in freq if k > 1], dtype=np.float64)
    cs = np.array([freq[int(k)] for k in ks], dtype=np.float64)

    def negative_log_likelihood(x: np.ndarray) -> float:
        theta, alpha = float(x[0]), float(x[1])
        if alpha <= 0 or alpha >= 1 or theta <= -alpha:
            return math.inf
        ll = (u - 1) * math.log(alpha) + gammaln(theta / alpha + u) - gammaln(theta / alpha + 1)
        ll -= gammaln(theta + n) - gammaln(theta + 1)
        if len(ks):
            ll += float((cs * (gammaln(ks - alpha) - gammaln(1 - alpha))).sum())
        return -float(ll)

    c1, c2 = float(freq[1]), float(freq.get(2, 1))
    c = c1 * (c1 - 1) / c2
    denominator = 2 * c1 * u + c1 * c - n * c
    theta0 = (n * u * c - c1 * (n - 1) * (2 * u + c)) / denominator if denominator else 1.0
    alpha0 = (theta0 * (c1 - n) + (n - 1) * c1) / (n * u)
    if not (0 < alpha0 < 1) or theta0 <= -alpha0:
        theta0, alpha0 = max(u / 10.0, 1.0), 0.5
    fit = minimize(negative_log_likelihood, np.array([theta0, alpha0]), method="Nelder-Mead",
                   options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000})
    theta, alpha = float(fit.x[0]), float(fit.x[1])
    if not (0 < alpha < 1):
        return float("nan")
    uniques = math.exp(gammaln(theta + 1) - gammaln(theta + alpha)) * population ** alpha
    return float(min(max(uniques, 0.0), population) / population)


def population_uniqueness(sizes: np.ndarray, population: float, model: str) -> float:
    if model == "pitman":
        return pitman(sizes, population)
    return zayatz(sizes, population)
