"""Aberration detection on weekly case series, vectorised over every district × condition at once.

EARS (CDC's Early Aberration Reporting System), adapted from days to ISO weeks:
  C1  baseline = the 7 weeks before the current week;
  C2  baseline = weeks t-9 … t-3 (a two-week guard band, so a growing outbreak does not mask itself);
  C3  the sum over the current and two previous weeks of max(0, C2 − 1).
  Statistic (y − mean) / sd. CDC's fixed thresholds (3, 3, 2) amount to a normal tail of 0.135 %
  that ignores the uncertainty of a 7-week baseline; here the threshold follows from a chosen
  false-alarm rate α through the t prediction interval, t(1−α; 6)·√(1 + 1/7), and the C3 threshold
  is the (1−α) quantile of C3 under a simulated Gaussian null. The sd is floored at √mean (Poisson) and at 1,
  so a perfectly flat series cannot produce a division by zero or a spurious alert.

Farrington (Farrington et al. 1996, as used by European agencies), when ≥ `min_years` past years
exist: baseline = weeks t−52k−w … t−52k+w for k = 1…b years back; quasi-Poisson log-linear fit with
an optional linear trend (kept when significant and not extrapolating beyond the baseline), one
round of down-weighting of past outbreaks by Anscombe residuals > 1, and an upper limit on the 2/3
power scale: U = μ̂ (1 + ⅔ z(1−α) √τ)^{3/2}, τ = (φ μ̂ + Var μ̂) / μ̂². The quantile is Student's t with n − 2 degrees of freedom (small baselines),
and the statistic is rescaled to the common z(1−α) threshold. An alert also needs more than
`min_recent` cases in the last four weeks (Farrington's rule against alerts on a handful of cases).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from threadpoolctl import threadpool_limits

EARS_BASELINE = 7


@dataclass(frozen=True)
class DetectorConfig:
    alpha: float = 0.001  # false-alarm rate per series-week
    farrington_years: int = 5  # b: years back used at most
    farrington_window: int = 3  # w: weeks either side of the same week in past years
    min_years: int = 2  # fewer past years → Farrington is not run for that week
    min_recent: int = 5  # Farrington: more than this many cases in the last 4 weeks

    @property
    def ears_threshold(self) -> float:
        n = EARS_BASELINE
        return float(stats.t.ppf(1 - self.alpha, n - 1) * np.sqrt(1 + 1 / n))

    @property
    def c3_threshold(self) -> float:
        return _c3_threshold(self.alpha)

    @property
    def z(self) -> float:
        return float(stats.norm.ppf(1 - self.alpha))


@dataclass
class Detection:
    """Per method, arrays shaped like the input (series × weeks); NaN where not computable."""

    statistic: dict[str, np.ndarray] = field(default_factory=dict)
    threshold: dict[str, float] = field(default_factory=dict)
    expected: dict[str, np.ndarray] = field(default_factory=dict)
    upper: dict[str, np.ndarray] = field(default_factory=dict)  # the alert limit in cases
    alert: dict[str, np.ndarray] = field(default_factory=dict)

    def any_alert(self) -> np.ndarray:
        return np.logical_or.reduce(list(self.alert.values()))

    def score(self, method: str) -> np.ndarray:
        """Signal strength: statistic relative to its threshold (>1 = alert for EARS and Farrington)."""
        return self.statistic[method] / self.threshold[method]


@functools.lru_cache(maxsize=8)
def _c3_threshold(alpha: float) -> float:
    """C3's threshold for false-alarm rate α, by simulation under a Gaussian null (fixed seed).

    C3 sums three overlapping, correlated C2 terms, so no closed form exists; 4,000 null series of
    60 weeks give ~200,000 C3 values, enough for α down to 1e-4.
    """
    rng = np.random.default_rng(20260101)
    y = rng.standard_normal((4000, 60)) * 30 + 100  # sd well above the √mean floor
    det = Detection()
    ears(y, DetectorConfig(alpha=alpha), det, c3_threshold=np.inf)
    values = det.statistic["C3"][:, 12:].ravel()
    return float(np.quantile(values, 1 - alpha))


def _windows(y: np.ndarray, start: int, stop: int) -> np.ndarray:
    """For each week t, the values y[t-start … t-stop] (inclusive), NaN before the series begins."""
    n_series, n_weeks = y.shape
    padded = np.concatenate([np.full((n_series, start), np.nan), y], axis=1)
    idx = np.arange(n_weeks)[:, None] + (start - np.arange(start, stop - 1, -1))[None, :]
    return padded[:, idx]  # (series, weeks, width)


def ears(y: np.ndarray, cfg: DetectorConfig, det: Detection, c3_threshold: float | None = None) -> None:
    thr = cfg.ears_threshold
    thr3 = cfg.c3_threshold if c3_threshold is None else c3_threshold
    c2 = None
    for method, (start, stop) in (("C1", (7, 1)), ("C2", (9, 3))):
        base = _windows(y, start, stop)
        with np.errstate(invalid="ignore"):
            mean = base.mean(axis=2)
            sd = base.std(axis=2, ddof=1)
        sd = np.fmax(np.fmax(sd, np.sqrt(np.fmax(mean, 0))), 1.0)
        stat = (y - mean) / sd
        det.statistic[method] = stat
        det.threshold[method] = thr
        det.expected[method] = mean
        det.upper[method] = mean + thr * sd
        det.alert[method] = np.nan_to_num(stat, nan=-np.inf) > thr
        if method == "C2":
            c2 = stat
    assert c2 is not None
    part = np.fmax(c2 - 1, 0)
    c3 = part + np.concatenate([np.full((y.shape[0], 1), np.nan), part[:, :-1]], axis=1) \
        + np.concatenate([np.full((y.shape[0], 2), np.nan), part[:, :-2]], axis=1)
    det.statistic["C3"] = c3
    det.threshold["C3"] = thr3
    det.expected["C3"] = det.expected["C2"]
    det.upper["C3"] = det.upper["C2"]
    det.alert["C3"] = np.nan_to_num(c3, nan=-np.inf) > thr3


def _irls(y: np.ndarray, t: np.ndarray | None, prior: np.ndarray, iters: int = 15) -> tuple[np.ndarray, np.ndarray]:
    """Batched weighted Poisson log-linear fit: log μ = b0 (+ b1·t) for each row of y (N, n).

    Returns beta (N, 2) (b1 = 0 without trend) and the inverse information (N, 2, 2) without φ.
    The intercept-only model has a closed form; the trend model uses IRLS with 2×2 solves written
    out, which on thousands of series is far faster than generic batched linear algebra.
    """
    n_batch = y.shape[0]
    if t is None:
        mu = (prior * y).sum(axis=1) / prior.sum(axis=1)
        info = (prior * mu[:, None]).sum(axis=1)
        inv = np.zeros((n_batch, 2, 2))
        inv[:, 0, 0] = 1.0 / np.fmax(info, 1e-12)
        return np.column_stack([np.log(np.fmax(mu, 1e-12)), np.zeros(n_batch)]), inv
    b0 = np.log((prior * y).sum(axis=1) / prior.sum(axis=1) + 1e-9)
    b1 = np.zeros(n_batch)
    for _ in range(iters):
        eta = np.clip(b0[:, None] + b1[:, None] * t[None, :], -30, 30)
        mu = np.exp(eta)
        w = prior * mu
        z = eta + (y - mu) / mu
        s00, s01, s11 = w.sum(axis=1), w @ t, w @ (t * t)
        r0, r1 = (w * z).sum(axis=1), (w * z) @ t
        det = np.fmax(s00 * s11 - s01 * s01, 1e-12)
        new0, new1 = (s11 * r0 - s01 * r1) / det, (s00 * r1 - s01 * r0) / det
        done = np.nanmax(np.abs(new0 - b0) + np.abs(new1 - b1)) < 1e-7
        b0, b1 = new0, new1
        if done:
            break
    eta = np.clip(b0[:, None] + b1[:, None] * t[None, :], -30, 30)
    w = prior * np.exp(eta)
    s00, s01, s11 = w.sum(axis=1), w @ t, w @ (t * t)
    det = np.fmax(s00 * s11 - s01 * s01, 1e-12)
    inv = np.empty((n_batch, 2, 2))
    inv[:, 0, 0], inv[:, 0, 1], inv[:, 1, 0], inv[:, 1, 1] = s11 / det, -s01 / det, -s01 / det, s00 / det
    return np.column_stack([b0, b1]), inv


def _mu(beta: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.exp(np.clip(beta[:, :1] + beta[:, 1:] * t[None, :], -30, 30))


def _dispersion(y: np.ndarray, mu: np.ndarray, prior: np.ndarray, p: int) -> np.ndarray:
    n = y.shape[1]
    phi = (prior * (y - mu) ** 2 / np.fmax(mu, 1e-9)).sum(axis=1) / max(n - p, 1)
    return np.fmax(phi, 1.0)


def _fit(y: np.ndarray, t: np.ndarray, trend: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Farrington's fit with one reweighting round → mu0 (at offset 0), Var(eta0), phi, trend t-value."""
    tt = t if trend else None
    p = 2 if trend else 1
    prior = np.ones_like(y)
    beta, _ = _irls(y, tt, prior)
    mu = _mu(beta, t)
    phi = _dispersion(y, mu, prior, p)
    # Anscombe residuals; points above 1 (likely past outbreaks) are down-weighted.
    r = 1.5 * (np.cbrt(y) ** 2 - np.cbrt(mu) ** 2) / (np.sqrt(phi)[:, None] * mu ** (1 / 6))
    weights = np.where(r > 1, 1.0 / np.fmax(r, 1e-9) ** 2, 1.0)
    weights *= y.shape[1] / weights.sum(axis=1, keepdims=True)
    beta, inv = _irls(y, tt, weights)
    phi = _dispersion(y, _mu(beta, t), weights, p)
    cov = inv * phi[:, None, None]
    mu0 = np.exp(np.clip(beta[:, 0], -30, 30))  # offset 0 = the current week
    t_trend = beta[:, 1] / np.sqrt(np.fmax(cov[:, 1, 1], 1e-300)) if trend else np.zeros(y.shape[0])
    return mu0, cov[:, 0, 0], phi, t_trend


def farrington(y: np.ndarray, cfg: DetectorConfig, det: Detection) -> None:
    n_series, n_weeks = y.shape
    w = cfg.farrington_window
    stat = np.full(y.shape, np.nan)
    expected = np.full(y.shape, np.nan)
    upper = np.full(y.shape, np.nan)
    recent = np.cumsum(np.concatenate([np.zeros((n_series, 1)), y], axis=1), axis=1)
    recent4 = recent[:, 1:] - recent[:, np.clip(np.arange(n_weeks) - 3, 0, None)]
    years_back = np.minimum((np.arange(n_weeks) - w) // 52, cfg.farrington_years)
    for b in range(cfg.min_years, cfg.farrington_years + 1):
        weeks = np.flatnonzero(years_back == b)
        if weeks.size == 0:
            continue
        offsets = np.array([-52 * k + j for k in range(1, b + 1) for j in range(-w, w + 1)])
        # A t quantile rather than Farrington's normal one: with 2-5 years the baseline is small
        # (14-35 points) and the normal quantile would overshoot the chosen false-alarm rate.
        z = float(stats.t.ppf(1 - cfg.alpha, offsets.size - 2))
        base = y[:, weeks[:, None] + offsets[None, :]].reshape(-1, offsets.size)  # (series*weeks, n)
        ok = base.sum(axis=1) > 0
        t = offsets / 52.0
        mu_t, var_t, phi_t, t_val = _fit(base[ok], t, trend=True)
        mu_c, var_c, phi_c, _ = _fit(base[ok], t, trend=False)
        # Keep the trend only when significant and not predicting beyond anything seen in the baseline.
        use_trend = (np.abs(t_val) > stats.norm.ppf(0.975)) & (mu_t <= base[ok].max(axis=1))
        mu0 = np.where(use_trend, mu_t, mu_c)
        var_eta = np.where(use_trend, var_t, var_c)
        phi = np.where(use_trend, phi_t, phi_c)
        tau = (phi * mu0 + mu0 ** 2 * var_eta) / mu0 ** 2
        u = mu0 * (1 + (2 / 3) * z * np.sqrt(tau)) ** 1.5
        obs = y[:, weeks].reshape(-1)[ok]
        sd23 = (2 / 3) * np.sqrt(tau) * np.cbrt(mu0) ** 2  # sd of y^(2/3) around mu0^(2/3)
        s = (np.cbrt(obs) ** 2 - np.cbrt(mu0) ** 2) / sd23 * (cfg.z / z)  # on the common z(1-α) scale
        for arr, val in ((stat, s), (expected, mu0), (upper, u)):
            flat = np.full(ok.size, np.nan)
            flat[ok] = val
            arr[:, weeks] = flat.reshape(n_series, weeks.size)
    det.statistic["farrington"] = stat
    det.threshold["farrington"] = cfg.z
    det.expected["farrington"] = expected
    det.upper["farrington"] = upper
    det.alert["farrington"] = (np.nan_to_num(y - upper, nan=-np.inf) > 0) & (recent4 > cfg.min_recent)


def detect(y: np.ndarray, cfg: DetectorConfig | None = None) -> Detection:
    """Run every method over a (series × weeks) matrix of weekly counts (weeks consecutive)."""
    cfg = cfg or DetectorConfig()
    y = np.asarray(y, dtype=float)
    det = Detection()
    # Many small matrix-vector products: BLAS threads cost more than they give (measured 1.0 → 0.8 CPU s).
    with threadpool_limits(limits=1):
        ears(y, cfg, det)
        farrington(y, cfg, det)
    return det
