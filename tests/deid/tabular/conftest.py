"""Shared helpers for the tabular anonymisation tests: the ARX Adult benchmark (read in place from
the shared data folder) and an independent, row-level checker of the privacy guarantees."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

ARX = Path(os.environ.get("MEDKOSH_SHARED_DATA", Path(__file__).resolve().parents[3].parent / "shared" / "data")) \
    / "arx-benchmark"
ADULT_QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "salary-class"]
ADULT_COLUMNS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
                 "occupation", "salary-class"]


@pytest.fixture(scope="session")
def arx_dir() -> Path:
    if not (ARX / "adult.csv").exists():
        pytest.skip(f"ARX benchmark data not found at {ARX}")
    return ARX


def adult_recipe(arx: Path, k: int = 5, l: int = 1, supp: float = 0.0, metric: str = "loss",  # noqa: E741
                 t: float | None = None) -> dict:
    from medkosh.deid.tabular.recipe import shorthand_recipe

    files = {q: str(arx / f"adult_hierarchy_{q}.csv") for q in ADULT_QIS}
    return shorthand_recipe(ADULT_COLUMNS, ADULT_QIS, "occupation", files, k, l, t, supp, metric)


def emd_equal(counts: dict[str, int], overall: dict[str, float]) -> float:
    total = sum(counts.values())
    return 0.5 * sum(abs(counts.get(v, 0) / total - p) for v, p in overall.items())


def emd_ordered(counts: dict[str, int], overall: dict[str, float], order: list[str]) -> float:
    total = sum(counts.values())
    acc, out = 0.0, 0.0
    for v in order:
        acc += counts.get(v, 0) / total - overall.get(v, 0.0)
        out += abs(acc)
    return out / (len(order) - 1)


def check_guarantees(table: pl.DataFrame, qis: list[str], sensitive: str | None, k: int, l: int = 1,  # noqa: E741
                     t: float | None = None, overall: dict[str, float] | None = None,
                     order: list[str] | None = None) -> None:
    """Row-level check on a released table, independent of the engine's code."""
    classes = table.group_by(qis).agg(pl.len().alias("n"),
                                      *([pl.col(sensitive).n_unique().alias("distinct"),
                                         pl.col(sensitive).alias("values")] if sensitive else []))
    assert classes["n"].min() >= k
    if sensitive and l > 1:
        assert classes["distinct"].min() >= l
    if sensitive and t is not None:
        assert overall is not None
        for values in classes["values"].to_list():
            counts: dict[str, int] = {}
            for v in values:
                counts[v] = counts.get(v, 0) + 1
            d = emd_ordered(counts, overall, order) if order else emd_equal(counts, overall)
            assert d <= t + 1e-9
