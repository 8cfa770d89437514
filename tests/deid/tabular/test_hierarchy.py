from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from medkosh.deid.tabular import hierarchy as hz
from medkosh.errors import InputError


def test_arx_file_levels_and_penalty(arx_dir: Path) -> None:
    h = hz.load_arx_csv(arx_dir / "adult_hierarchy_age.csv", "age")
    assert h.depth == 5
    assert h.level_sizes()[-1] == 1
    top = h.penalty(h.depth - 1)
    assert np.allclose(top, 1.0)
    assert np.allclose(h.penalty(0), 0.0)
    # a 5-year band covers 5 of the 99 leaves: (5-1)/(99-1)
    code = h.codes[1][h.leaf_index["37"]]
    assert h.labels[1][code] == "35-39"
    assert h.penalty(1)[code] == pytest.approx(4 / (h.size - 1))


def test_inconsistent_depth_names_value(tmp_path: Path) -> None:
    f = tmp_path / "h.csv"
    f.write_text("a;x;*\nb;*\n")
    with pytest.raises(InputError, match=r"inconsistent hierarchy depth.*'b'"):
        hz.load_arx_csv(f, "col")


def test_not_a_tree_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "h.csv"
    f.write_text("a;x;P;*\nb;x;Q;*\n")
    with pytest.raises(InputError, match="not a tree"):
        hz.load_arx_csv(f, "col")


def test_duplicate_and_missing_file(tmp_path: Path) -> None:
    f = tmp_path / "h.csv"
    f.write_text("a;*\na;*\n")
    with pytest.raises(InputError, match="twice"):
        hz.load_arx_csv(f, "col")
    with pytest.raises(InputError, match="not found"):
        hz.load_arx_csv(tmp_path / "nope.csv", "col")


def test_rules() -> None:
    ages = hz.intervals("age", ["3", "37", "91", "90+"], [5, 10], top_code=90)
    assert ages.rows[ages.leaf_index["37"]] == ["37", "35-39", "30-39", "*"]
    assert ages.rows[ages.leaf_index["91"]][1] == "90+"
    pins = hz.digits("pin", ["560034", "560001"], [3, 1])
    assert pins.rows[pins.leaf_index["560034"]] == ["560034", "560***", "5*****", "*"]
    icd = hz.icd10("icd", ["E11.9", "J45"])
    assert icd.rows[icd.leaf_index["E11.9"]] == ["E11.9", "E11", "E10-E19", "Chapter IV", "*"]
    d = hz.dates("d", ["2024-05-17", "2024-03"])
    assert d.rows[d.leaf_index["2024-05-17"]] == ["2024-05-17", "2024-05", "2024-Q2", "2024", "*"]
    assert d.rows[d.leaf_index["2024-03"]][1:3] == ["2024-03", "2024-Q1"]
    z = hz.state_zone("state", ["Karnataka", "assam"])
    assert z.rows[z.leaf_index["assam"]][1] == "North-East"
    with pytest.raises(InputError, match="not an Indian state"):
        hz.state_zone("state", ["Atlantis"])
    with pytest.raises(InputError, match="divide"):
        hz.intervals("age", ["1"], [5, 7])
