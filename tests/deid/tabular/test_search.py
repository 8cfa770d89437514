"""The search finds the optimum of the whole lattice (brute force), and node evaluation agrees with
a row-level group-by written independently of the engine."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from medkosh.deid.tabular import encode
from medkosh.deid.tabular.api import _problem
from medkosh.deid.tabular.hierarchy import Hierarchy, load_arx_csv
from medkosh.deid.tabular.lattice import Problem
from medkosh.deid.tabular.recipe import load_recipe
from medkosh.deid.tabular.search import search

from .conftest import ADULT_QIS, adult_recipe


def _adult_problem(arx: Path, **kw: object) -> Problem:
    rec = load_recipe(adult_recipe(arx, **kw))  # type: ignore[arg-type]
    lf = pl.scan_csv(arx / "adult.csv", separator=";", infer_schema=False)
    cols = rec.quasi + ([rec.sensitive] if rec.sensitive and (rec.l > 1 or rec.t is not None) else [])
    return _problem(encode.cell_counts(lf, cols), rec)


def brute_force(problem: Problem, metric: str) -> tuple[float, int]:
    best, feasible = np.inf, 0
    base = problem.base_cells()
    for node in itertools.product(*[range(d) for d in problem.depths]):
        r = problem.evaluate(node, base)
        if r.feasible:
            feasible += 1
            best = min(best, problem.metrics(r)[metric])
    return float(best), feasible


@pytest.mark.slow
@pytest.mark.parametrize(("kw", "metric"), [
    ({"k": 5, "supp": 0.0}, "loss"),
    ({"k": 5, "supp": 0.0}, "entropy"),
    ({"k": 5, "supp": 0.05}, "loss"),
    ({"k": 5, "l": 3, "supp": 0.05}, "loss"),
])
def test_adult_optimum_matches_brute_force(arx_dir: Path, kw: dict, metric: str) -> None:
    problem = _adult_problem(arx_dir, **kw)
    found = search(problem, metric)
    assert found.nodes_total == 4320
    assert found.optimal and found.best is not None
    expected, feasible = brute_force(problem, metric)
    assert feasible > 0
    assert found.metrics[metric] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert found.nodes_evaluated < 4320 // 4  # tagging and the bound spare most nodes


def _random_problem(seed: int, sens_kind: str, **model: object) -> Problem:
    rng = np.random.default_rng(seed)
    n = 600
    frame = pl.DataFrame({
        "a": rng.integers(0, 16, n).astype(str), "b": rng.integers(0, 4, n).astype(str),
        "c": rng.integers(0, 6, n).astype(str),
        "s": rng.choice(["1", "2", "3", "4", "5"], n, p=[0.4, 0.3, 0.15, 0.1, 0.05]),
    })
    rec = load_recipe({"columns": {"a": {"role": "quasi", "hierarchy": {"rule": "intervals", "widths": [2, 4, 8]}},
                                   "b": {"role": "quasi", "hierarchy": {"rule": "intervals", "widths": [2]}},
                                   "c": {"role": "quasi", "hierarchy": {"rule": "intervals", "widths": [3]}},
                                   "s": {"role": "sensitive"}},
                       "privacy": model})
    return _problem(encode.cell_counts(frame.lazy(), ["a", "b", "c", "s"]), rec)


@pytest.mark.parametrize("model", [
    {"k": 4, "l": 3, "l_kind": "entropy", "max_suppression": 0.1},
    {"k": 3, "t": 0.25, "max_suppression": 0.05},
    {"k": 3, "t": 0.2, "t_distance": "ordered", "max_suppression": 0.0},
    {"k": 3, "t": 0.15, "t_distance": "ordered", "max_suppression": 0.1},
])
@pytest.mark.parametrize("metric", ["loss", "discernibility", "avg_class_size", "entropy"])
def test_random_tables_match_brute_force(model: dict, metric: str) -> None:
    problem = _random_problem(3, "x", **model)
    found = search(problem, metric)
    expected, feasible = brute_force(problem, metric)
    if feasible == 0:
        assert found.best is None
    else:
        assert found.metrics[metric] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_heuristic_is_labelled_and_feasible(arx_dir: Path) -> None:
    problem = _adult_problem(arx_dir, k=5, supp=0.02)
    found = search(problem, "loss", heuristic=True)
    assert not found.optimal and found.best is not None and found.best.feasible


def test_node_evaluation_matches_row_level_groupby(arx_dir: Path) -> None:
    """Class sizes, suppression and loss of random nodes recomputed from rows with Polars."""
    problem = _adult_problem(arx_dir, k=5, supp=0.05)
    rows = pl.read_csv(arx_dir / "adult.csv", separator=";", infer_schema=False)
    hs: list[Hierarchy] = [load_arx_csv(arx_dir / f"adult_hierarchy_{q}.csv", q) for q in ADULT_QIS]
    rng = np.random.default_rng(11)
    for _ in range(12):
        node = tuple(int(rng.integers(0, h.depth)) for h in hs)
        gen = rows.with_columns([pl.col(h.column).replace_strict(h.mapping(lvl)) for h, lvl in zip(hs, node)])
        sizes = gen.group_by(ADULT_QIS).len()["len"].to_numpy()
        suppressed = int(sizes[sizes < 5].sum())
        r = problem.evaluate(node, problem.base_cells())
        assert sorted(r.class_size.tolist()) == sorted(sizes.tolist())
        assert r.suppressed == suppressed
        # loss: mean over rows and QIs of (m-1)/(M-1); suppressed rows count 1
        small = gen.join(gen.group_by(ADULT_QIS).len(), on=ADULT_QIS).with_columns(
            (pl.col("len") < 5).alias("supp"))
        total = 0.0
        for h, lvl in zip(hs, node):
            covered = {}
            for row in h.rows:
                covered[row[lvl]] = covered.get(row[lvl], 0) + 1
            pen = small.select(pl.col(h.column).replace_strict(
                {lab: (m - 1) / (h.size - 1) for lab, m in covered.items()}, return_dtype=pl.Float64),
                pl.col("supp"))
            total += float(np.where(pen["supp"].to_numpy(), 1.0, pen[h.column].to_numpy()).sum())
        expected_loss = total / (len(rows) * len(hs))
        assert problem.metrics(r)["loss"] == pytest.approx(expected_loss, rel=1e-9)
