"""Prediction tasks: how a validation derives features (X), the outcome (y) and subgroup labels from a
benchmark dataset version inside medkosh, so the model's developer never sees the labels.

'diabetes-complication-1y' is behaviourally identical to examples/tre-training/train.py (tests compare
both on the same tables): index date = first E11 diagnosis; label = E11.2*/E11.3*/N18*/H36* within 365
days after it; patients with a complication at or before the index date are not at risk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from medkosh.errors import InputError

LABS = {"hba1c": "4548-4", "fasting_glucose": "1558-6", "systolic_bp": "8480-6", "creatinine": "2160-0",
        "haemoglobin": "718-7"}
COMPLICATION = r"^(E11\.[23]|N18|H36)"
FEATURES = ["female", "age", "hypertension", *LABS]
AGE_BANDS = ((0, 40, "<40"), (40, 60, "40-59"), (60, 75, "60-74"), (75, 200, "75+"))


@dataclass(frozen=True)
class TaskData:
    features: dict[str, NDArray[np.float64]]  # raw (NaN = missing); the model's schema imputes
    y: NDArray[np.int64]
    groups: dict[str, NDArray[Any]]

    def __len__(self) -> int:
        return len(self.y)


def birth_year(value: str | None) -> float:
    """'1961', '1960-1964', '[1960, 1965)' → the interval's midpoint; '*' → unknown."""
    if not value:
        return float("nan")
    digits = [int(tok) for tok in "".join(c if c.isdigit() else " " for c in value).split() if len(tok) == 4]
    return float(np.mean(digits)) if digits else float("nan")


def diabetes_frame(patients: pl.DataFrame, dx: pl.DataFrame, obs: pl.DataFrame) -> pl.DataFrame:
    index = (dx.filter(pl.col("code").str.starts_with("E11")).group_by("person_id")
             .agg(pl.col("record_date").min().alias("index_date")))
    comp = dx.filter(pl.col("code").str.contains(COMPLICATION)).join(index, on="person_id")
    prior = comp.filter(pl.col("record_date") <= pl.col("index_date")).select("person_id").unique()
    label = (comp.filter((pl.col("record_date") > pl.col("index_date"))
                         & (pl.col("record_date") <= pl.col("index_date") + pl.duration(days=365)))
             .select("person_id").unique().with_columns(pl.lit(1).alias("label")))
    htn = (dx.filter(pl.col("code").str.starts_with("I10")).join(index, on="person_id")
           .filter(pl.col("record_date") <= pl.col("index_date")).select("person_id").unique()
           .with_columns(pl.lit(1.0).alias("hypertension")))
    frame = index.join(prior, on="person_id", how="anti")
    last = (obs.join(index, on="person_id").filter(pl.col("record_date") <= pl.col("index_date"))
            .sort("record_date").group_by(["person_id", "code"]).agg(pl.col("value_num").last()))
    for name, code in LABS.items():
        frame = frame.join(last.filter(pl.col("code") == code).select("person_id", pl.col("value_num").alias(name)),
                           on="person_id", how="left")
    extra = [c for c in ("state",) if c in patients.columns]
    years = patients.with_columns(pl.col("birth_date").map_elements(birth_year, return_dtype=pl.Float64).alias("by"),
                                  (pl.col("gender") == "female").cast(pl.Float64).alias("female"))
    return (frame.join(years.select("person_id", "by", "female", "gender", *extra), on="person_id", how="left")
            .with_columns((pl.col("index_date").dt.year() - pl.col("by")).alias("age"))
            .join(htn, on="person_id", how="left").join(label, on="person_id", how="left")
            .with_columns(pl.col("hypertension").fill_null(0.0), pl.col("label").fill_null(0))
            .sort("person_id"))


def _age_band(age: NDArray[np.float64]) -> NDArray[Any]:
    out = np.full(len(age), "unknown", dtype=object)
    for lo, hi, name in AGE_BANDS:
        out[(age >= lo) & (age < hi)] = name
    return out


def diabetes_complication_1y(tables: Path) -> TaskData:
    try:
        frame = diabetes_frame(pl.read_parquet(tables / "patients.parquet"),
                               pl.read_parquet(tables / "diagnoses.parquet"),
                               pl.read_parquet(tables / "observations.parquet"))
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(f"the benchmark does not have the tables this task needs: {exc}".split("\n")[0],
                         where=str(tables), hint="use a tabular EHR benchmark with patients, diagnoses and "
                         "observations tables") from None
    feats = {f: frame[f].cast(pl.Float64).fill_null(float("nan")).to_numpy() for f in FEATURES}
    groups: dict[str, NDArray[Any]] = {
        "sex": frame["gender"].fill_null("unknown").to_numpy().astype(object),
        "age_band": _age_band(feats["age"]),
    }
    if "state" in frame.columns:
        groups["state"] = frame["state"].fill_null("unknown").to_numpy().astype(object)
    return TaskData(feats, frame["label"].to_numpy().astype(np.int64), groups)


TASKS: dict[str, Callable[[Path], TaskData]] = {"diabetes-complication-1y": diabetes_complication_1y}


def get_task(name: str) -> Callable[[Path], TaskData]:
    try:
        return TASKS[name]
    except KeyError:
        raise InputError(f"unknown prediction task {name!r}", where="protocol: task",
                         hint=f"use one of {', '.join(TASKS)}") from None
