"""The CLI contract: `medkosh anonymise table INPUT --recipe R --output OUT --report REPORT` and
the shorthand flags; the report holds the documented keys."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from medkosh.cli.main import main

from .conftest import ADULT_QIS, check_guarantees

REPORT_KEYS = {"k", "l", "t", "transformation", "suppressed_rows", "rows_in", "rows_out", "information_loss",
               "risk_before", "risk_after", "nodes_total", "nodes_evaluated", "seconds"}
RISK_KEYS = {"prosecutor_max", "prosecutor_avg", "journalist_max", "journalist_avg", "marketer", "sample_uniques",
             "population_uniques"}


def test_shorthand_flags_on_adult(arx_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, report = tmp_path / "out.parquet", tmp_path / "report.json"
    main(["anonymise", "table", str(arx_dir / "adult.csv"), "--qi", ",".join(ADULT_QIS), "--sensitive", "occupation",
          "--hierarchies", str(arx_dir), "--k", "5", "--l", "2", "--max-suppression", "0.02",
          "--output", str(out), "--report", str(report), "--json"])
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads(report.read_text())
    assert REPORT_KEYS <= set(saved) and printed["transformation"] == saved["transformation"]
    assert RISK_KEYS <= set(saved["risk_before"]) and RISK_KEYS <= set(saved["risk_after"])
    assert set(saved["information_loss"]) == {"loss", "discernibility", "avg_class_size", "entropy"}
    assert saved["nodes_total"] == 4320
    table = pl.read_parquet(out)
    assert len(table) == saved["rows_out"]
    check_guarantees(table, ADULT_QIS, "occupation", 5, 2)


def test_recipe_file_with_override(tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    pl.DataFrame({"age": [str(20 + i % 30) for i in range(120)], "sex": ["M", "F"] * 60,
                  "name": [f"n{i}" for i in range(120)]}).write_csv(data)
    recipe = tmp_path / "r.yaml"
    recipe.write_text("columns:\n  age: {role: quasi, hierarchy: {rule: intervals, widths: [5, 10]}}\n"
                      "  sex: quasi\n  name: identifier\nprivacy: {k: 2}\n")
    out, report = tmp_path / "o.parquet", tmp_path / "r.json"
    main(["anonymise", "table", str(data), "--recipe", str(recipe), "--k", "10", "--output", str(out),
          "--report", str(report)])
    saved = json.loads(report.read_text())
    assert saved["recipe"]["k"] == 10 and saved["k"] >= 10
    table = pl.read_parquet(out)
    assert "name" not in table.columns
    check_guarantees(table, ["age", "sex"], None, 10)
