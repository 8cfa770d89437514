"""The demo step anonymises the synthetic HIS admissions with the shipped recipe."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

from medkosh.deid.tabular import demo_step, load_recipe


def test_shipped_recipe_loads() -> None:
    rec = load_recipe(demo_step.recipe_path())
    assert rec.k == 5 and rec.max_suppression == 0.02
    assert set(rec.quasi) == {"age", "sex", "pin", "district", "admission_date"}


def test_demo_step_on_synthetic_cohort(tmp_path: Path) -> None:
    generate = pytest.importorskip("medkosh.synth.generate")
    synth = tmp_path / "synth"
    generate.generate(generate.SynthOptions(patients=300, hospitals=2, seed=3), synth)
    ctx = SimpleNamespace(state={"synth_dir": synth}, data_dir=tmp_path, seed=3)
    lines = demo_step.run(ctx)
    assert any("risk before → after" in line for line in lines)
    out = pl.read_parquet(ctx.state["anonymised_cohort"])
    assert {"patient_name", "phone", "state", "discharge_date", "diagnosis"}.isdisjoint(out.columns)
    assert out["uhid"].str.starts_with("P").all()
    classes = out.group_by(["age", "sex", "pin", "district", "admission_date"]).len()
    assert classes["len"].min() >= 5
    report = ctx.state["anonymised_cohort_report"]
    assert report["rows_out"] == len(out)
    assert report["risk_after"]["prosecutor_max"] <= 0.2
