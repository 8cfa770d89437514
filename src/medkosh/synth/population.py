"""The synthetic population, drawn all at once with numpy: who lives where, who has which chronic
condition, acute episodes in their seasons, the injected outbreak and the labelled outcome.

Everything that is a property of the population (prevalence, seasonality, the outcome model) is
decided here in vectorised form, so the per-patient code only dresses each patient in records.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from medkosh.errors import InputError
from medkosh.synth import refdata
from medkosh.synth.clinical import ACUTE_KEYS, ACUTE_RATE, CHRONIC_KEYS, SEASON, STATE_MULT
from medkosh.synth.outbreak import OutbreakSpec

# A fixed end of history: output never depends on the day it is generated.
HISTORY_END = dt.date(2025, 12, 31)


@dataclass(frozen=True)
class Hospital:
    id: str
    index: int
    name: str
    district: refdata.District
    uhid_style: int  # which UHID format this hospital's HIS uses
    bom: bool  # whether its HIS export starts with a UTF-8 byte-order mark
    hba1c_bias: float  # lab calibration offset, in HbA1c percentage points
    outcome_offset: float  # case-mix/care differences on the outcome's log-odds scale
    served: tuple[int, ...]  # indices into refdata.districts() its patients live in

    @property
    def slug(self) -> str:
        return self.id

    def manifest(self) -> dict[str, Any]:
        d = self.district
        return {"id": self.id, "name": self.name, "state": d.state, "state_code": d.state_code,
                "district": d.name, "city": d.city, "pin": d.pin(self.index * 7 + 1)}


@dataclass
class Population:
    seed: int
    years: int
    start: dt.date
    end: dt.date
    hospitals: list[Hospital]
    hospital: np.ndarray
    district: np.ndarray
    female: np.ndarray
    age: np.ndarray  # age in whole years at HISTORY_END
    chronic: dict[str, np.ndarray]
    dm_years: np.ndarray  # years since diabetes diagnosis at HISTORY_END (0 where no diabetes)
    hba1c: np.ndarray  # the patient's usual HbA1c (%)
    cohort: np.ndarray  # in the outcome task (diabetes without complications at index)
    index_day: np.ndarray  # day offset of the index visit (cohort only)
    outcome: np.ndarray
    outcome_kind: np.ndarray  # which complication (index into clinical.COMPLICATIONS)
    imaging: np.ndarray
    canary: np.ndarray
    episodes: dict[int, list[tuple[int, int, bool]]]  # patient -> [(acute kind, day offset, outbreak?)]
    outbreak: dict[str, Any] | None = None

    @property
    def size(self) -> int:
        return int(self.age.shape[0])

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _choose_hospitals(rng: np.random.Generator, k: int) -> list[Hospital]:
    districts = refdata.districts()
    states = refdata.states()
    order = list(rng.permutation(len(states)))
    hospitals: list[Hospital] = []
    used: set[int] = set()
    for i in range(k):
        state = states[order[i % len(states)]]
        candidates = [j for j, d in enumerate(districts) if d.state_code == state and j not in used]
        if not candidates:  # more hospitals than districts in the state: share a district
            candidates = [j for j, d in enumerate(districts) if d.state_code == state]
        home = int(candidates[int(rng.integers(len(candidates)))])
        used.add(home)
        d = districts[home]
        pattern = refdata.HOSPITAL_PATTERNS[int(rng.integers(len(refdata.HOSPITAL_PATTERNS)))]
        brand = refdata.HOSPITAL_BRANDS[int(rng.integers(len(refdata.HOSPITAL_BRANDS)))]
        name = pattern.format(city=d.city, district=d.name, brand=brand)
        others = tuple(j for j, x in enumerate(districts) if x.state_code == state and j != home)
        hospitals.append(Hospital(
            id=f"hosp{i + 1:02d}", index=i, name=name, district=d, uhid_style=i % 4, bom=(i % 2 == 1),
            hba1c_bias=float(np.round(rng.normal(0.0, 0.15), 2)), outcome_offset=float(rng.normal(0.0, 0.3)),
            served=(home, *others),
        ))
    return hospitals


def _mult(kind: str, states: np.ndarray) -> np.ndarray:
    table = STATE_MULT.get(kind, {})
    return np.array([table.get(s, 1.0) for s in states])


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    band = rng.choice(4, size=n, p=[0.14, 0.30, 0.40, 0.16])
    age = np.empty(n)
    age[band == 0] = rng.uniform(0, 15, (band == 0).sum())
    age[band == 1] = rng.uniform(15, 40, (band == 1).sum())
    age[band == 2] = rng.uniform(40, 65, (band == 2).sum())
    age[band == 3] = 65 + np.minimum(rng.exponential(9.0, (band == 3).sum()), 38)
    return age.astype(np.int64)


def _chronic(rng: np.random.Generator, age: np.ndarray, female: np.ndarray, st: np.ndarray) -> dict[str, np.ndarray]:
    n = age.shape[0]
    a = age.astype(float)
    adult = a >= 18
    p: dict[str, np.ndarray] = {}
    p["diabetes"] = adult * (0.004 + 0.30 * _sigmoid((a - 52) / 8)) * _mult("diabetes", st)
    p["hypertension"] = adult * (0.02 + 0.55 * _sigmoid((a - 55) / 9)) * np.where(female, 0.9, 1.1) * _mult(
        "hypertension", st)
    p["anaemia"] = np.where(a < 5, 0.25, np.where(female & (a >= 15) & (a < 50), 0.22,
                                                   np.where(female, 0.12, 0.06))) * _mult("anaemia", st)
    p["tb"] = 0.006 * np.where(female, 0.6, 1.3) * np.where((a >= 15) & (a < 65), 1.3, 0.6) * _mult("tb", st)
    p["copd"] = (a >= 40) * (0.02 + 0.06 * np.clip((a - 40) / 40, 0, 1)) * np.where(female, 0.7, 1.4) * _mult(
        "copd", st)
    out = {k: rng.random(n) < np.clip(p[k], 0, 0.95) for k in ("diabetes", "hypertension", "anaemia", "tb", "copd")}
    p_ckd = (a >= 25) * (0.006 + 0.05 * out["diabetes"] + 0.025 * out["hypertension"]) * (1 + np.clip(a - 50, 0, 40)
                                                                                          / 40) * _mult("ckd", st)
    out["ckd"] = rng.random(n) < np.clip(p_ckd, 0, 0.95)
    return {k: out[k] for k in CHRONIC_KEYS}


def _day_weights(start: dt.date, n_days: int, kind: str) -> np.ndarray:
    months = np.array([(start + dt.timedelta(days=i)).month for i in range(n_days)])
    w = np.array(SEASON[kind])[months - 1]
    return w / w.sum()


def build(seed: int, patients: int, hospitals: int, years: int, outbreak: OutbreakSpec | None) -> Population:
    """Draw the population. Raises InputError if the outbreak names a district or week outside the data."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED]))
    end = HISTORY_END
    start = dt.date(end.year - years + 1, 1, 1)
    n_days = (end - start).days + 1
    hosp = _choose_hospitals(rng, hospitals)
    districts = refdata.districts()

    weights = 0.6 + 0.8 * rng.random(hospitals)
    hospital = rng.choice(hospitals, size=patients, p=weights / weights.sum())
    district = np.empty(patients, dtype=np.int64)
    home_draw = rng.random(patients)
    other_draw = rng.integers(0, 1 << 30, size=patients)
    for h in hosp:
        idx = np.nonzero(hospital == h.index)[0]
        served = np.array(h.served)
        pick = np.where(home_draw[idx] < 0.7, 0, 1 + other_draw[idx] % max(1, len(served) - 1))
        pick = np.minimum(pick, len(served) - 1)
        district[idx] = served[pick]
    st = np.array([districts[i].state_code for i in district])

    female = rng.random(patients) < 0.49
    age = _ages(rng, patients)
    chronic = _chronic(rng, age, female, st)

    dm = chronic["diabetes"]
    dm_years = np.where(dm, np.minimum(rng.exponential(6.0, patients), np.maximum(age - 20, 0)), 0.0).round(1)
    hba1c = np.where(dm, np.clip(rng.normal(8.1, 1.4, patients), 5.9, 14.5),
                     np.clip(rng.normal(5.4, 0.35, patients), 4.3, 6.4)).round(1)

    # Outcome: diabetic complication within a year of the index visit. A logistic model of HbA1c,
    # age, duration and hypertension plus a hospital offset and unexplained noise (AUROC ~0.8).
    cohort = dm & ~chronic["ckd"] & (age >= 25)
    h_off = np.array([h.outcome_offset for h in hosp])[hospital]
    logit = (-2.3 + 0.75 * (hba1c - 8.0) + 0.04 * (age - 55) + 0.09 * (dm_years - 6) + 0.7 * chronic["hypertension"]
             + h_off + rng.normal(0.0, 0.6, patients))
    outcome = cohort & (rng.random(patients) < _sigmoid(logit))
    outcome_kind = rng.integers(0, 2, size=patients)
    last_index = max(0, n_days - 366)
    index_day = rng.integers(0, last_index + 1, size=patients)

    imaging = rng.random(patients) < np.where(chronic["copd"] | chronic["tb"], 0.6, 0.15)
    n_canary = min(5, 1 + patients // 1000, patients)
    canary_idx = np.sort(rng.choice(patients, size=n_canary, replace=False))
    canary = np.zeros(patients, dtype=bool)
    canary[canary_idx] = True
    imaging |= canary

    episodes: dict[int, list[tuple[int, int, bool]]] = {}
    # The latest day offset a patient of this age can have been born on (see identity.make_patient).
    born_by = n_days - 1 - (age * 365.25).astype(np.int64)
    for k, kind in enumerate(ACUTE_KEYS):
        rate = ACUTE_RATE[kind] * _mult(kind, st) * years
        if kind == "diarrhoea":
            rate = rate * np.where(age < 5, 2.5, np.where(age < 15, 1.5, 1.0))
        counts = rng.poisson(rate)
        who = np.repeat(np.arange(patients), counts)
        days = rng.choice(n_days, size=who.shape[0], p=_day_weights(start, n_days, kind))
        # Drop episodes that could fall before the patient's birth (young children).
        alive = days > born_by[who]
        for p_, d_ in zip(who[alive].tolist(), days[alive].tolist(), strict=True):
            episodes.setdefault(p_, []).append((k, d_, False))

    pop = Population(seed, years, start, end, hosp, hospital, district, female, age, chronic, dm_years, hba1c,
                     cohort, index_day, outcome, outcome_kind, imaging, canary, episodes)
    if outbreak is not None:
        pop.outbreak = _inject(rng, pop, outbreak, st)
    return pop


def _inject(rng: np.random.Generator, pop: Population, spec: OutbreakSpec, st: np.ndarray) -> dict[str, Any]:
    districts = refdata.districts()
    served = sorted({i for h in pop.hospitals for i in h.served}, key=lambda i: districts[i].name)
    match = [i for i in served if districts[i].name.lower() == spec.district.lower()]
    if not match:
        names = ", ".join(districts[i].name for i in served)
        raise InputError(f"outbreak district {spec.district!r} is not among the generated districts",
                         where="--outbreak", hint=f"with this seed and --hospitals, choose one of: {names}")
    d_idx = match[0]
    week_start = spec.week_start
    first = (week_start - pop.start).days
    if first < 0 or first + 6 >= pop.n_days:
        raise InputError(f"outbreak week {spec.iso_week} is outside the history {pop.start}..{pop.end}",
                         where="--outbreak", hint="pick a week inside the generated years (see --years)")
    residents = np.nonzero((pop.district == d_idx) & (pop.age >= pop.years))[0]  # born before the history
    k = list(ACUTE_KEYS).index(spec.condition)
    weights = _day_weights(pop.start, pop.n_days, spec.condition)
    base_rate = ACUTE_RATE[spec.condition] * _mult(spec.condition, st[residents]).sum() * pop.years
    expected = float(base_rate * weights[first:first + 7].sum())
    wanted = max(math.ceil((spec.factor - 1.0) * expected), math.ceil(2 * spec.factor))
    n = min(wanted, residents.shape[0])
    chosen = np.sort(rng.choice(residents, size=n, replace=False)) if n else np.array([], dtype=np.int64)
    days = first + rng.integers(0, 7, size=n)
    for p_, d_ in zip(chosen.tolist(), days.tolist(), strict=True):
        pop.episodes.setdefault(p_, []).append((k, d_, True))
    d = districts[d_idx]
    return {"condition": spec.condition, "district": d.name, "state": d.state, "state_code": d.state_code,
            "iso_week": spec.iso_week, "week_start": week_start.isoformat(),
            "week_end": (week_start + dt.timedelta(days=6)).isoformat(), "factor": spec.factor,
            "expected_baseline_cases": round(expected, 3), "injected_cases": int(n)}
