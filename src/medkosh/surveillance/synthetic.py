"""A fast, vectorised generator of synthetic encounter tables for surveillance tests and benchmarks.

Expected weekly counts are built per district × week × ICD-10 code from a district population, a
per-code base rate and a seasonal curve (monsoon peaks for vector-borne disease, as in IDSP data);
outbreaks multiply one district-week-condition cell. Counts are Poisson draws, then expanded to
one row per encounter with numpy only, and written as dictionary-encoded Parquet, so ten million
rows take seconds. Same arguments and seed → same table.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from medkosh.errors import InputError
from medkosh.surveillance.types import CONDITIONS
from medkosh.surveillance.weeks import parse_week, week_label, week_range

# (district, state): real district names, so tables read like IDSP reports.
DISTRICTS: tuple[tuple[str, str], ...] = (
    ("Pune", "Maharashtra"), ("Mumbai Suburban", "Maharashtra"), ("Nagpur", "Maharashtra"),
    ("Nashik", "Maharashtra"), ("Bengaluru Urban", "Karnataka"), ("Mysuru", "Karnataka"),
    ("Dakshina Kannada", "Karnataka"), ("Chennai", "Tamil Nadu"), ("Coimbatore", "Tamil Nadu"),
    ("Madurai", "Tamil Nadu"), ("Thiruvananthapuram", "Kerala"), ("Ernakulam", "Kerala"),
    ("Kozhikode", "Kerala"), ("Hyderabad", "Telangana"), ("Warangal", "Telangana"),
    ("Visakhapatnam", "Andhra Pradesh"), ("Guntur", "Andhra Pradesh"), ("Kolkata", "West Bengal"),
    ("Darjeeling", "West Bengal"), ("Khordha", "Odisha"), ("Cuttack", "Odisha"), ("Patna", "Bihar"),
    ("Gaya", "Bihar"), ("Lucknow", "Uttar Pradesh"), ("Varanasi", "Uttar Pradesh"),
    ("Gorakhpur", "Uttar Pradesh"), ("Jaipur", "Rajasthan"), ("Jodhpur", "Rajasthan"),
    ("Ahmedabad", "Gujarat"), ("Surat", "Gujarat"), ("Bhopal", "Madhya Pradesh"),
    ("Indore", "Madhya Pradesh"), ("Raipur", "Chhattisgarh"), ("Ranchi", "Jharkhand"),
    ("Kamrup Metropolitan", "Assam"), ("Dibrugarh", "Assam"), ("Ludhiana", "Punjab"),
    ("Amritsar", "Punjab"), ("Gurugram", "Haryana"), ("New Delhi", "Delhi"), ("Dehradun", "Uttarakhand"),
    ("Shimla", "Himachal Pradesh"), ("Srinagar", "Jammu and Kashmir"), ("North Goa", "Goa"),
    ("East Khasi Hills", "Meghalaya"), ("Imphal West", "Manipur"), ("Aizawl", "Mizoram"),
    ("West Tripura", "Tripura"),
)


@dataclass(frozen=True)
class Outbreak:
    condition: str
    district: str
    week: str
    factor: float = 4.0

    @classmethod
    def parse(cls, text: str) -> Outbreak:
        """CONDITION:DISTRICT:YYYY-Www[:factor], the `medkosh synth --outbreak` syntax."""
        parts = text.split(":")
        if len(parts) not in (3, 4):
            raise InputError(f"bad outbreak {text!r}", where="--outbreak",
                             hint="write CONDITION:DISTRICT:YYYY-Www[:factor], e.g. dengue:Pune:2025-W32:4")
        if parts[0] not in CONDITIONS:
            raise InputError(f"unknown condition {parts[0]!r}", where="--outbreak",
                             hint=f"use one of {', '.join(CONDITIONS)}")
        parse_week(parts[2], where="--outbreak")
        factor = 4.0
        if len(parts) == 4:
            try:
                factor = float(parts[3])
            except ValueError as exc:
                raise InputError(f"bad outbreak factor {parts[3]!r}", where="--outbreak",
                                 hint="give a number above 1") from exc
            if not factor > 1:
                raise InputError(f"outbreak factor must exceed 1, got {factor}", where="--outbreak")
        return cls(parts[0], parts[1], parts[2], factor)


# (code, condition key or None, encounters per 100,000 people per week, seasonal profile).
# Background codes dominate, as in any hospital's encounter mix.
_CODES: tuple[tuple[str, str | None, float, str], ...] = (
    ("A90", "dengue", 1.6, "monsoon"), ("A91", "dengue", 0.4, "monsoon"),
    ("B50", "malaria", 0.7, "monsoon"), ("B54", "malaria", 0.5, "monsoon"),
    ("A15", "tuberculosis", 2.0, "flat"), ("A16", "tuberculosis", 0.8, "flat"),
    ("A09", "add", 5.0, "summer"), ("A00", "add", 0.3, "summer"), ("A01", "typhoid", 1.2, "summer"),
    ("A92", "chikungunya", 0.3, "monsoon"), ("J11", "ili", 3.0, "winter"),
    ("I10", None, 14.0, "flat"), ("E11", None, 12.0, "flat"), ("J06", None, 10.0, "winter"),
    ("K29", None, 6.0, "flat"), ("M54", None, 6.0, "flat"), ("N39", None, 4.0, "flat"),
    ("O80", None, 5.0, "flat"), ("R50", None, 6.0, "monsoon"), ("S52", None, 3.0, "flat"),
    ("Z00", None, 8.0, "flat"), ("J45", None, 3.0, "winter"), ("I21", None, 1.5, "flat"),
    ("C50", None, 1.0, "flat"), ("F32", None, 1.5, "flat"), ("L30", None, 2.0, "flat"),
)


def _seasonal(profile: str, weeks: Sequence[dt.date]) -> np.ndarray:
    iso = np.array([d.isocalendar()[1] for d in weeks], dtype=float)
    if profile == "monsoon":  # peaks late August–September (ISO week ~36)
        return 0.35 + 1.65 * np.exp(-0.5 * ((iso - 36) / 6.0) ** 2)
    if profile == "summer":  # pre-monsoon and early monsoon (week ~26)
        return 0.6 + 0.8 * np.exp(-0.5 * ((iso - 26) / 7.0) ** 2)
    if profile == "winter":
        return 0.8 + 0.5 * np.cos(2 * math.pi * (iso - 2) / 52.0)
    return np.ones(len(weeks))


def district_list(n: int) -> list[tuple[str, str]]:
    """`n` (district, state) pairs: the real names first, then numbered ones in the same states."""
    out = list(DISTRICTS[:n])
    k = 0
    while len(out) < n:
        name, state = DISTRICTS[k % len(DISTRICTS)]
        out.append((f"{name} Rural {k // len(DISTRICTS) + 1}", state))
        k += 1
    return out


def expected_counts(districts: Sequence[tuple[str, str]], weeks: Sequence[dt.date], rows: int | None,
                    seed: int) -> np.ndarray:
    """λ[district, week, code]; scaled so the table has about `rows` rows when given."""
    rng = np.random.default_rng(seed)
    pop = rng.lognormal(mean=14.2, sigma=0.5, size=len(districts))  # ~1.5 million people, skewed
    lam = np.empty((len(districts), len(weeks), len(_CODES)))
    for j, (_code, _cond, rate, profile) in enumerate(_CODES):
        # District-level variation in burden (endemicity), fixed over time.
        burden = rng.gamma(shape=6.0, scale=1 / 6.0, size=len(districts))
        lam[:, :, j] = (pop * burden * rate / 1e5)[:, None] * _seasonal(profile, weeks)[None, :]
    if rows is not None:
        lam *= rows / lam.sum()
    return lam


def generate(out: Path, *, rows: int | None = 1_000_000, districts: int = 48, years: int = 3,
             start: str = "2023-W01", outbreaks: Sequence[Outbreak] = (), seed: int = 11,
             district_names: Sequence[tuple[str, str]] | None = None) -> dict[str, object]:
    """Write an encounter table (one Parquet file) to `out`; returns a small manifest.

    Columns: patient_id (int64 pseudonym), state, district, encounter_date (date), icd10, age, sex,
    length_of_stay (days). `rows=None` keeps the natural scale of the district populations.
    """
    if years < 1 or years > 20:
        raise InputError(f"years must be 1–20, got {years}", where="--years")
    names = list(district_names) if district_names else district_list(districts)
    weeks = week_range(parse_week(start, where="start"), 52 * years)
    lam = expected_counts(names, weeks, rows, seed)
    index = {name: i for i, (name, _s) in enumerate(names)}
    week_index = {week_label(w): i for i, w in enumerate(weeks)}
    injected = []
    for ob in outbreaks:
        if ob.district not in index:
            raise InputError(f"outbreak district {ob.district!r} is not in the synthetic districts",
                             where="--outbreak", hint=f"use one of {', '.join(n for n, _ in names[:8])}, …")
        if ob.week not in week_index:
            raise InputError(f"outbreak week {ob.week} is outside the generated weeks",
                             where="--outbreak", hint=f"use {week_label(weeks[0])} to {week_label(weeks[-1])}")
        cols = [j for j, c in enumerate(_CODES) if c[1] == ob.condition]
        d, w = index[ob.district], week_index[ob.week]
        lam[d, w, cols] *= ob.factor
        injected.append({"condition": ob.condition, "district": ob.district, "week": ob.week, "factor": ob.factor})

    rng = np.random.default_rng(seed + 1)
    counts = rng.poisson(lam).ravel()
    cell = np.repeat(np.arange(counts.size, dtype=np.int32), counts)
    n = cell.size
    n_weeks, n_codes = len(weeks), len(_CODES)
    d_idx = (cell // (n_weeks * n_codes)).astype(np.int32)
    w_idx = ((cell // n_codes) % n_weeks).astype(np.int32)
    c_idx = (cell % n_codes).astype(np.int32)
    epoch = np.datetime64(weeks[0], "D").astype(np.int64)
    days = (epoch + 7 * w_idx.astype(np.int64) + rng.integers(0, 7, size=n)).astype(np.int32)
    # Ages: children dominate diarrhoea, adults the rest; a crude but plausible mix.
    age = rng.gamma(shape=2.2, scale=15.0, size=n)
    child = np.isin(c_idx, [j for j, c in enumerate(_CODES) if c[1] == "add"]) & (rng.random(n) < 0.45)
    age[child] = rng.uniform(0, 5, size=int(child.sum()))
    age = np.clip(age, 0, 99).astype(np.int16)
    sex_idx = (rng.random(n) < 0.49).astype(np.int8)  # 0 = M, 1 = F
    los = rng.exponential(2.5, size=n).round(1).astype(np.float32)
    patients = rng.integers(1, max(2, n // 2), size=n, dtype=np.int64)
    state_names = sorted({s for _n, s in names})
    state_of = np.array([state_names.index(s) for _n, s in names], dtype=np.int32)

    def dictionary(indices: np.ndarray, values: list[str]) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(pa.array(indices), pa.array(values, type=pa.string()))

    table = pa.table({
        "patient_id": pa.array(patients),
        "state": dictionary(state_of[d_idx], state_names),
        "district": dictionary(d_idx, [nm for nm, _s in names]),
        "encounter_date": pa.array(days, type=pa.int32()).cast(pa.date32()),
        "icd10": dictionary(c_idx, [c[0] for c in _CODES]),
        "age": pa.array(age),
        "sex": dictionary(sex_idx, ["M", "F"]),
        "length_of_stay": pa.array(los),
    })
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    pq.write_table(table, tmp, row_group_size=1 << 20, compression="zstd")
    tmp.replace(out)  # atomic: readers never see a half-written table
    return {"path": str(out), "rows": int(n), "districts": len(names), "weeks": n_weeks,
            "first_week": week_label(weeks[0]), "last_week": week_label(weeks[-1]), "outbreaks": injected,
            "seed": seed}
