"""End-to-end guarantees on the released table, checked from rows (independent of the engine)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from medkosh.deid.dates import shift_days
from medkosh.deid.pseudonym import pseudonym
from medkosh.deid.tabular import anonymise, load_recipe

from .conftest import ADULT_QIS, adult_recipe, check_guarantees


def _overall(table: pl.DataFrame, col: str) -> dict[str, float]:
    counts = table.group_by(col).len()
    total = counts["len"].sum()
    return {v: c / total for v, c in zip(counts[col].to_list(), counts["len"].to_list())}


@pytest.mark.parametrize("kw", [{"k": 5}, {"k": 5, "supp": 0.05}, {"k": 5, "l": 3, "supp": 0.05},
                                {"k": 3, "t": 0.3, "supp": 0.05}])
def test_adult_release_meets_models(arx_dir: Path, kw: dict) -> None:
    rows = pl.read_csv(arx_dir / "adult.csv", separator=";", infer_schema=False)
    result = anonymise(arx_dir / "adult.csv", adult_recipe(arx_dir, **kw))
    out, rep = result.table, result.report
    assert rep["rows_in"] == len(rows)
    assert rep["rows_out"] == len(out) == len(rows) - rep["suppressed_rows"]
    assert rep["suppressed_rows"] <= int(kw.get("supp", 0.0) * len(rows))
    check_guarantees(out, ADULT_QIS, "occupation", kw["k"], kw.get("l", 1), kw.get("t"),
                     _overall(rows, "occupation"))
    # every released value is the label of the reported level
    for q, lvl in rep["transformation"].items():
        labels = {line.split(";")[lvl] for line in (arx_dir / f"adult_hierarchy_{q}.csv").read_text().splitlines()
                  if line} if lvl else set(rows[q].to_list())
        assert set(out[q].unique().to_list()) <= labels
    assert rep["k"] >= kw["k"]
    assert rep["risk_after"]["prosecutor_max"] <= 1 / kw["k"]
    assert rep["risk_before"]["sample_uniques"] > rep["risk_after"]["sample_uniques"]
    for key in ("loss", "discernibility", "avg_class_size", "entropy"):
        assert key in rep["information_loss"]


def test_same_seed_same_output(arx_dir: Path) -> None:
    rec = adult_recipe(arx_dir, k=5, supp=0.02)
    a = anonymise(arx_dir / "adult.csv", rec, seed=4).table
    b = anonymise(arx_dir / "adult.csv", rec, seed=4).table
    c = anonymise(arx_dir / "adult.csv", rec, seed=5).table
    assert a.equals(b)
    assert not a.equals(c)
    assert a.sort(a.columns).equals(c.sort(c.columns))


def _patients() -> pl.DataFrame:
    rng = np.random.default_rng(1)
    n = 400
    start = dt.date(2024, 1, 1)
    return pl.DataFrame({
        "uhid": [f"H{i % 150:05d}" for i in range(n)],
        "name": [f"Person {i}" for i in range(n)],
        "age": rng.integers(0, 100, n).astype(str),
        "sex": rng.choice(["M", "F"], n),
        "pin": rng.choice(["560034", "560001", "110001", "110027", "400001"], n),
        "admission_date": [(start + dt.timedelta(days=int(d))).strftime("%d/%m/%Y") for d in rng.integers(0, 360, n)],
        "icd10": rng.choice(["E11.9", "I10", "J45", "A09", "K35.8"], n),
    })


def test_recipe_transforms_and_shift_consistency() -> None:
    secret = b"s" * 32
    frame = _patients()
    rec = {
        "columns": {"uhid": {"role": "identifier", "transform": "pseudonym"}, "name": "identifier",
                    "age": {"role": "quasi", "top_code": 90, "hierarchy": {"rule": "intervals", "widths": [10, 20]}},
                    "sex": "quasi", "pin": {"role": "quasi", "truncate": 3},
                    "admission_date": {"role": "insensitive", "format": "%d/%m/%Y", "shift": True},
                    "icd10": "sensitive"},
        "privacy": {"k": 3, "max_suppression": 0.05}, "patient_key_column": "uhid", "date_shift_days": 20,
        "shuffle_rows": False,
    }
    out = anonymise(frame, rec, secret=secret).table
    assert "name" not in out.columns
    # pseudonyms equal medkosh.deid.pseudonym; shifts equal medkosh.deid.dates (the DICOM/text shift)
    expected = {pseudonym(secret, u, system="uhid") for u in frame["uhid"].unique().to_list()}
    assert set(out["uhid"].unique().to_list()) <= expected
    by_pseudonym = {pseudonym(secret, u, system="uhid"): u for u in frame["uhid"].unique().to_list()}
    source = {(r["uhid"]): r for r in frame.iter_rows(named=True)}
    assert out["admission_date"].dtype == pl.Date
    for row in out.head(50).iter_rows(named=True):
        uhid = by_pseudonym[row["uhid"]]
        shift = shift_days(secret, uhid, 20)
        assert -20 <= shift <= 20 and shift != 0
        originals = {dt.datetime.strptime(r["admission_date"], "%d/%m/%Y").date()
                     for r in frame.filter(pl.col("uhid") == uhid).iter_rows(named=True)}
        assert row["admission_date"] - dt.timedelta(days=shift) in originals
    assert source
    assert set(out["pin"].unique().to_list()) <= {"560", "110", "400", "*"}
    assert all(v.endswith("+") or "-" in v or v == "*" for v in out["age"].unique().to_list())
    check_guarantees(out, ["age", "sex", "pin"], None, 3)


def test_date_generalisation_and_ordered_t() -> None:
    frame = _patients().with_columns(pl.col("age").cast(pl.Int64).alias("los").cast(pl.Utf8))
    rec = load_recipe({
        "columns": {"admission_date": {"role": "quasi", "format": "%d/%m/%Y", "generalise": "month",
                                       "hierarchy": {"rule": "dates"}},
                    "sex": "quasi", "los": "sensitive"},
        "privacy": {"k": 5, "t": 0.3, "t_distance": "ordered", "max_suppression": 0.05},
    })
    result = anonymise(frame, rec)
    out = result.table
    assert all(len(v) in (1, 4, 7) for v in out["admission_date"].unique().to_list())
    order = sorted(frame["los"].unique().to_list(), key=float)
    check_guarantees(out, ["admission_date", "sex"], "los", 5, t=0.3, overall=_overall(frame, "los"), order=order)
    assert result.report["t"] <= 0.3 + 1e-12


def test_population_table_gives_journalist_risk(tmp_path: Path) -> None:
    frame = _patients()
    population = pl.concat([frame] * 20)
    population.write_parquet(tmp_path / "pop.parquet")
    rec = {"columns": {"sex": "quasi", "pin": {"role": "quasi", "truncate": 3}, "icd10": "insensitive"},
           "privacy": {"k": 2}, "risk": {"population_table": str(tmp_path / "pop.parquet"), "model": "pitman"}}
    rep = anonymise(frame, rec).report
    assert rep["risk_after"]["journalist_max"] == pytest.approx(rep["risk_after"]["prosecutor_max"] / 20)
    assert rep["risk_after"]["marketer"] == pytest.approx(rep["risk_after"]["prosecutor_avg"] / 20)
    assert 0 <= rep["risk_before"]["population_uniques"] <= 1
