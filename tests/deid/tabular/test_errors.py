"""Bad input: one clear error naming the column/value, and no output file left behind."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from medkosh.cli.main import main
from medkosh.deid.tabular import anonymise_to_file, load_recipe
from medkosh.errors import InputError, MedkoshError, PolicyViolation


def _table(tmp_path: Path) -> Path:
    path = tmp_path / "t.csv"
    pl.DataFrame({"age": ["30", "31", "32", "45", "46", "47"], "sex": ["M", "F", "M", "F", "M", "F"],
                  "dx": ["a", "b", "c", "a", "b", "c"]}).write_csv(path)
    return path


def _run(tmp_path: Path, recipe: dict, data: Path | None = None) -> MedkoshError:
    out = tmp_path / "out.parquet"
    report = tmp_path / "r.json"
    with pytest.raises(MedkoshError) as info:
        anonymise_to_file(data or _table(tmp_path), recipe, out, report)
    assert not out.exists() and not report.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.parquet")]
    return info.value


def test_unknown_column(tmp_path: Path) -> None:
    err = _run(tmp_path, {"columns": {"agee": "quasi"}, "privacy": {"k": 2}})
    assert "'agee'" in str(err) and "\n" not in str(err)


def test_value_missing_from_hierarchy(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("30;*\n31;*\n32;*\n45;*\n46;*\n")
    err = _run(tmp_path, {"columns": {"age": {"role": "quasi", "hierarchy": {"file": str(tmp_path / "h.csv")}}},
                          "privacy": {"k": 2}})
    assert "'47'" in str(err) and "'age'" in str(err)


def test_inconsistent_depth(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("30;3x;*\n31;*\n32;*\n45;*\n46;*\n47;*\n")
    err = _run(tmp_path, {"columns": {"age": {"role": "quasi", "hierarchy": {"file": str(tmp_path / "h.csv")}}},
                          "privacy": {"k": 2}})
    assert "inconsistent hierarchy depth" in str(err) and "'31'" in str(err)


def test_empty_table(tmp_path: Path) -> None:
    empty = tmp_path / "e.csv"
    empty.write_text("age,sex,dx\n")
    err = _run(tmp_path, {"columns": {"age": "quasi"}, "privacy": {"k": 2}}, empty)
    assert "empty" in str(err)


def test_k_larger_than_rows_and_unsatisfiable(tmp_path: Path) -> None:
    err = _run(tmp_path, {"columns": {"age": "quasi"}, "privacy": {"k": 50}})
    assert isinstance(err, PolicyViolation) and "k=50" in str(err)
    err = _run(tmp_path, {"columns": {"age": "quasi", "dx": "sensitive"}, "privacy": {"k": 2, "l": 4}})
    assert "no generalisation satisfies" in str(err)


def test_bad_recipe_values() -> None:
    with pytest.raises(InputError, match="max_suppression"):
        load_recipe({"columns": {"a": "quasi"}, "privacy": {"max_suppression": 2}})
    with pytest.raises(InputError, match="role"):
        load_recipe({"columns": {"a": "quasy"}})
    with pytest.raises(InputError, match="patient_key_column"):
        load_recipe({"columns": {"d": {"role": "insensitive", "shift": True}}})
    with pytest.raises(InputError, match="exactly one sensitive"):
        load_recipe({"columns": {"a": "quasi"}, "privacy": {"l": 2}})


def test_bad_number_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("age,sex\n30,M\nabc,F\n")
    err = _run(tmp_path, {"columns": {"age": {"role": "quasi", "band": 5}}, "privacy": {"k": 1}}, path)
    assert "\n" not in str(err) and "recipe" in str(err)


def test_cli_error_is_one_line_and_leaves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _table(tmp_path)
    out = tmp_path / "out.parquet"
    with pytest.raises(SystemExit) as code:
        main(["anonymise", "table", str(data), "--qi", "age,sex", "--k", "99", "--output", str(out)])
    assert code.value.code != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "k=99" in err[0]
    assert not out.exists()
