"""The in-platform task derivation equals the TRE example's (examples/tre-training/train.py) on the same
tables, and a dataset spec's `sources` keeps only those hospitals' rows."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[2]


def _tables(tmp: Path) -> Path:
    rng = np.random.default_rng(0)
    n = 300
    pids = [f"p{i:04d}" for i in range(n)]
    patients = pl.DataFrame({"person_id": pids, "gender": rng.choice(["female", "male"], n).tolist(),
                             "birth_date": rng.choice(["1950-1954", "1961", "[1970, 1975)", "*"], n).tolist(),
                             "state": rng.choice(["Kerala", "Bihar"], n).tolist()})
    dx, obs = [], []
    base = dt.date(2020, 1, 1)
    for i, p in enumerate(pids):
        if i % 10 == 9:
            continue  # no diabetes: not in the cohort
        idx = base + dt.timedelta(days=int(rng.integers(0, 700)))
        dx.append((idx, "E11.9", p))
        dx.append((idx + dt.timedelta(days=40), "E11.9", p))
        if i % 3 == 0:
            dx.append((idx - dt.timedelta(days=5), "I10", p))
        r = rng.random()
        if r < 0.2:
            dx.append((idx + dt.timedelta(days=int(rng.integers(1, 365))), "E11.21", p))
        elif r < 0.25:
            dx.append((idx + dt.timedelta(days=400), "N18.3", p))  # too late: not a label
        elif r < 0.3:
            dx.append((idx, "H36.0", p))  # at the index date: not at risk
        for code in ("4548-4", "1558-6", "8480-6", "2160-0", "718-7"):
            for k in range(int(rng.integers(0, 3))):
                obs.append((idx - dt.timedelta(days=30 * k), code, float(rng.normal(8, 2)), p))
    out = tmp / "tables"
    out.mkdir()
    patients.write_parquet(out / "patients.parquet")
    pl.DataFrame(dx, schema=["record_date", "code", "person_id"], orient="row").with_columns(
        pl.lit("x").alias("code_display"), pl.lit("active").alias("clinical_status")).write_parquet(
        out / "diagnoses.parquet")
    pl.DataFrame(obs, schema=["record_date", "code", "value_num", "person_id"], orient="row").with_columns(
        pl.lit("x").alias("code_display"), pl.lit("u").alias("value_unit"), pl.lit("lab").alias("category")
    ).write_parquet(out / "observations.parquet")
    return out


def _train_module() -> Any:
    spec = importlib.util.spec_from_file_location("tre_train", ROOT / "examples" / "tre-training" / "train.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_task_matches_the_tre_example(tmp_path: Path) -> None:
    from medkosh.validation.tasks import FEATURES, diabetes_complication_1y

    tables = _tables(tmp_path)
    theirs = _train_module().build(tables).sort("person_id")
    ours = diabetes_complication_1y(tables)
    assert len(ours) == theirs.height > 200
    assert np.array_equal(ours.y, theirs["label"].to_numpy())
    assert 0 < ours.y.sum() < len(ours)
    for f in FEATURES:
        a, b = ours.features[f], theirs[f].cast(pl.Float64).fill_null(float("nan")).to_numpy()
        assert np.allclose(a, b, equal_nan=True), f
    assert set(ours.groups) == {"sex", "age_band", "state"}


def test_spec_sources_keep_only_those_hospitals() -> None:
    from medkosh.catalog.prepare import _from_sources
    from medkosh.catalog.spec import load_spec

    frame = pl.DataFrame({"source_id": ["hosp01", "hosp02", "hosp03"], "patient_key": ["a", "b", "c"]}).lazy()
    scan = _from_sources(lambda table: frame, ["hosp03"])
    assert scan("patient").collect()["patient_key"].to_list() == ["c"]
    no_source = pl.DataFrame({"x": [1]}).lazy()
    assert _from_sources(lambda t: no_source, ["hosp03"])("t").collect().height == 1
    spec, _ = load_spec(ROOT / "examples" / "datasets" / "ehr-diabetes-benchmark-hosp03.yaml")
    train, _ = load_spec(ROOT / "examples" / "datasets" / "ehr-diabetes-train-hosp01-02.yaml")
    assert spec.sources == ["hosp03"] and "hosp03" not in train.sources
