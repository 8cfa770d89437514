"""The numbers on a data card: per-column summaries, missingness and representativeness.

Values shown publicly are guarded: identifier and free-text columns never list values, and a category
seen fewer than MIN_CELL times is folded into 'other', as are small cells of the age-sex pyramid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from medkosh.catalog import census

MIN_CELL = 5
_ID_LIKE = re.compile(r"(^|_)(id|uid|key|file|path|sha256|text)$|^(person_id|note_id)$")


@dataclass
class ColumnSummary:
    name: str
    dtype: str
    missing: int
    missing_share: float
    distinct: int
    numeric: dict[str, float] = field(default_factory=dict)
    top: list[tuple[str, int]] = field(default_factory=list)
    values_hidden: bool = False


def summarise(frame: pl.DataFrame, text_column: str | None = None) -> list[ColumnSummary]:
    out = []
    n = max(frame.height, 1)
    for name, dtype in frame.schema.items():
        col = frame[name]
        nested = isinstance(dtype, pl.List | pl.Struct | pl.Array)
        summary = ColumnSummary(name, str(dtype).lower(), int(col.null_count()), col.null_count() / n,
                                0 if nested else int(col.n_unique()))
        if dtype.is_numeric() and not dtype == pl.Boolean and col.drop_nulls().len():
            s = col.drop_nulls().cast(pl.Float64)
            summary.numeric = {"min": float(s.min()), "median": float(s.median()),  # type: ignore[arg-type]
                               "mean": float(s.mean()), "max": float(s.max())}  # type: ignore[arg-type]
        elif name == text_column or _ID_LIKE.search(name) or nested:
            summary.values_hidden = True
        elif dtype in (pl.String, pl.Boolean, pl.Categorical):
            counts = col.cast(pl.String).drop_nulls().value_counts(sort=True).head(8)
            top = [(str(v), int(c)) for v, c in counts.iter_rows()]
            summary.top = [(v, c) for v, c in top if c >= MIN_CELL]
            summary.values_hidden = len(summary.top) < len(top)
        out.append(summary)
    return out


@dataclass
class Representativeness:
    patients: int
    pyramid: dict[str, tuple[float, float]]          # band -> (male share, female share) in the dataset
    census_pyramid: dict[str, tuple[float, float]]
    states: dict[str, float]                         # state code -> share of patients
    census_states: dict[str, float]
    suppressed_cells: int
    citation: str = census.CITATION


def representativeness(demo: pl.DataFrame) -> Representativeness | None:
    if demo.is_empty():
        return None
    n = demo.height
    pyramid: dict[str, list[int]] = {b: [0, 0] for b in census.AGE_BANDS}
    suppressed = 0
    if "age" in demo.columns and "gender" in demo.columns:
        bands = demo.select(pl.col("age").map_elements(census.age_band, return_dtype=pl.String).alias("band"),
                            pl.col("gender").str.to_lowercase().alias("sex"))
        for band, sex, count in bands.group_by("band", "sex").len().iter_rows():
            if band in pyramid and sex in ("male", "female"):
                if count < MIN_CELL:
                    suppressed += 1
                    continue
                pyramid[band][0 if sex == "male" else 1] += int(count)
    states: dict[str, int] = {}
    if "state" in demo.columns:
        for value, count in demo["state"].value_counts().iter_rows():
            code = census.state_code(value)
            if code is None:
                continue
            states[code] = states.get(code, 0) + int(count)
    shares = {c: v / n for c, v in states.items() if v >= MIN_CELL}
    suppressed += sum(1 for v in states.values() if v < MIN_CELL)
    return Representativeness(
        patients=n, pyramid={b: (m / n, f / n) for b, (m, f) in pyramid.items()},
        census_pyramid=census.age_sex_shares(), states=dict(sorted(shares.items(), key=lambda kv: -kv[1])),
        census_states=census.state_shares(), suppressed_cells=suppressed)


def _num(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def guarantees(report: dict[str, Any]) -> list[tuple[str, str]]:
    """What the anonymisation achieved, as (label, value) lines: k, l, t achieved against the recipe's
    requirement, suppression, and re-identification risk before and after."""
    if not report:
        return []
    required = report.get("recipe") or {}
    out: list[tuple[str, str]] = []
    for key in ("k", "l", "t"):
        achieved, wanted = report.get(key), required.get(key)
        if achieved is not None or wanted not in (None, 1):
            out.append((f"{key} achieved", f"{_num(achieved)} (required {_num(wanted)})"))
    if "rows_in" in report:
        out.append(("rows suppressed", f"{_num(report.get('suppressed_rows', 0))} of {_num(report['rows_in'])}"))
    if required.get("quasi_identifiers"):
        levels = report.get("transformation") or {}
        out.append(("quasi-identifiers (generalisation level)",
                    ", ".join(f"{q} ({levels.get(q, 0)})" for q in required["quasi_identifiers"])))
    before, after = report.get("risk_before") or {}, report.get("risk_after") or {}
    for key, label in (("prosecutor_max", "highest re-identification risk (prosecutor)"),
                       ("prosecutor_avg", "average re-identification risk (prosecutor)"),
                       ("sample_uniques", "records unique in the sample")):
        if before.get(key) is not None or after.get(key) is not None:
            out.append((label, f"{_num(before.get(key))} before → {_num(after.get(key))} after"))
    return out


def stable_report(report: Any) -> Any:
    """The report without run-time measurements, so it can go into the manifest (whose hash must not
    change when the same build is run again)."""
    if isinstance(report, dict):
        return {k: stable_report(v) for k, v in report.items()
                if not (k.endswith("seconds") or k in ("engine", "nodes_evaluated"))}
    if isinstance(report, list):
        return [stable_report(v) for v in report]
    return report
