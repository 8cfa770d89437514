"""`anonymise()`: recipe → fixed transformations → cell counts (local Polars or Ray) → optimal
lattice search → risk before/after → the generalised table with suppressed rows removed."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from medkosh.deid.tabular import encode
from medkosh.deid.tabular.hierarchy import Hierarchy, load_arx_csv
from medkosh.deid.tabular.lattice import NodeResult, PrivacyModel, Problem
from medkosh.deid.tabular.prepare import prepare, scan
from medkosh.deid.tabular.recipe import Recipe, load_recipe
from medkosh.deid.tabular.risk import risk_figures
from medkosh.deid.tabular.search import SearchResult, search
from medkosh.errors import InputError, PolicyViolation

Data = pl.DataFrame | pl.LazyFrame | str | Path
DEFAULT_POPULATION = 100.0
_SEP = "\x1f"  # ASCII unit separator: joins QI labels into one key  # sample is 1% of the population unless the recipe says otherwise


@dataclass
class AnonymisationResult:
    table: pl.DataFrame
    report: dict[str, Any]


@dataclass
class _Plan:
    recipe: Recipe
    prepared: pl.LazyFrame
    problem: Problem
    found: SearchResult
    best: NodeResult
    report: dict[str, Any]


def _lazy(data: Data) -> pl.LazyFrame:
    if isinstance(data, pl.LazyFrame):
        return data
    if isinstance(data, pl.DataFrame):
        return data.lazy()
    if isinstance(data, str | Path):
        return scan(data)
    raise InputError(f"cannot anonymise a {type(data).__name__}", hint="pass a Polars frame or a .csv/.parquet path")


def _needs_secret(recipe: Recipe) -> bool:
    return any(c.shift or (c.role == "identifier" and c.transform == "pseudonym") for c in recipe.columns.values())


def _secret(recipe: Recipe, secret: bytes | None, dataset_id: str | None) -> bytes:
    """Explicit secret, else the dataset's secret (medkosh.keys), so pseudonyms and date shifts agree
    with the text and DICOM steps of the same dataset."""
    if secret is not None:
        return secret
    if not _needs_secret(recipe):
        return b""
    from medkosh.deid.pseudonym import dataset_secret

    return dataset_secret(dataset_id or recipe.dataset_id or "default")


def _polars_errors() -> tuple[type[BaseException], ...]:
    return (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError,
            pl.exceptions.SchemaError, pl.exceptions.ColumnNotFoundError)


def _input_error(exc: BaseException, recipe: Recipe) -> InputError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(f"the table does not fit the recipe: {first}", where=recipe.source,
                      hint="check the column's format, top_code/band (numbers) and date settings")


def _cell_counts(prepared: pl.LazyFrame, columns: list[str], engine: str, recipe: Recipe,
                 data: Data, secret: bytes, partitions: int | None) -> pl.DataFrame:
    if engine == "ray":
        from medkosh.deid.tabular.ray_engine import cell_counts_ray

        return cell_counts_ray(data, recipe, secret, columns, partitions)
    if engine != "local":
        raise InputError(f"unknown engine {engine!r}", hint="use local or ray")
    return encode.cell_counts(prepared, columns)


def _problem(base: pl.DataFrame, recipe: Recipe) -> Problem:
    qis, sens = recipe.quasi, recipe.sensitive
    sources: dict[str, encode.HierarchySource] = {q: recipe.columns[q].hierarchy for q in qis}
    hierarchies = encode.resolve_hierarchies(base, qis, sources, load_arx_csv)
    codes = [encode.leaf_codes(base, q, h) for q, h in zip(qis, hierarchies, strict=True)]
    model = PrivacyModel(k=recipe.k, l=recipe.l, l_kind=recipe.l_kind, t=recipe.t,
                         t_distance=recipe.t_distance, max_suppression=recipe.max_suppression)
    s_codes = s_values = s_rank = None
    if sens is not None and (recipe.l > 1 or recipe.t is not None):
        spec = recipe.columns[sens]
        s_codes, s_values, s_rank = encode.sensitive_codes(base, sens, spec.order, recipe.t_distance == "ordered")
    weight = base.get_column(encode.COUNT).to_numpy()
    return Problem(hierarchies, codes, weight, s_codes, s_values, model, s_rank)


def _class_labels(problem: Problem, node: tuple[int, ...], reps: np.ndarray) -> pl.DataFrame:
    cols = []
    for i, (h, lvl) in enumerate(zip(problem.hierarchies, node, strict=True)):
        labels = pl.Series(h.column, h.labels[lvl], dtype=pl.Utf8)
        cols.append(labels.gather(problem.level_codes[i][lvl][reps]))
    return pl.DataFrame(cols)


def _generalise(lf: pl.LazyFrame, hierarchies: list[Hierarchy], node: tuple[int, ...]) -> pl.LazyFrame:
    exprs = []
    for h, lvl in zip(hierarchies, node, strict=True):
        if lvl == 0:
            continue
        exprs.append(pl.col(h.column).replace_strict(h.mapping(lvl), return_dtype=pl.Utf8))
    return lf.with_columns(exprs) if exprs else lf


def _population_sizes(recipe: Recipe, problem: Problem, node: tuple[int, ...],
                      reps: np.ndarray) -> np.ndarray | None:
    if not recipe.population_table:
        return None
    labels = _class_labels(problem, node, reps)
    qis = recipe.quasi
    # The population table gets the same fixed transformations as the sample, except per-patient shifts.
    columns = {q: dataclasses.replace(recipe.columns[q], shift=False) for q in qis}
    sub = dataclasses.replace(recipe, columns=columns, other_columns="drop", source=recipe.population_table)
    counts = encode.cell_counts(prepare(scan(recipe.population_table), sub, b""), qis)
    for q, h in zip(qis, problem.hierarchies, strict=True):
        encode.leaf_codes(counts, q, h)  # raises on a value missing from the hierarchy
    grouped = _generalise(counts.lazy(), problem.hierarchies, node).group_by(qis).agg(
        pl.col(encode.COUNT).sum().alias("__population")).collect()
    joined = labels.join(grouped, on=qis, how="left", maintain_order="left")
    return joined.get_column("__population").fill_null(0).to_numpy()


def _plan(data: Data, recipe: Recipe | dict[str, Any] | str | Path, engine: str, secret: bytes | None,
          dataset_id: str | None, partitions: int | None) -> _Plan:
    started = time.perf_counter()
    rec = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    key = _secret(rec, secret, dataset_id)
    prepared = prepare(_lazy(data), rec, key)
    # The sensitive column only splits cells when l-diversity or t-closeness needs its values.
    uses_sensitive = rec.sensitive is not None and (rec.l > 1 or rec.t is not None)
    columns = rec.quasi + ([rec.sensitive] if uses_sensitive and rec.sensitive else [])
    try:
        base = _cell_counts(prepared, columns, engine, rec, data, key, partitions)
    except _polars_errors() as exc:
        raise _input_error(exc, rec) from exc
    rows_in = int(base.get_column(encode.COUNT).sum()) if len(base) else 0
    if rows_in == 0:
        raise InputError("the table is empty", where=rec.source if isinstance(data, pl.DataFrame | pl.LazyFrame)
                         else str(data), hint="give a table with at least one row")
    if rec.k > rows_in:
        raise PolicyViolation(f"k={rec.k} is larger than the table's {rows_in} rows", where=rec.source,
                              hint="lower k or anonymise a larger table")
    problem = _problem(base, rec)
    heuristic = {"auto": None, "optimal": False, "heuristic": True}[rec.strategy]
    found = search(problem, rec.metric, heuristic=heuristic, budget=rec.budget)
    if found.best is None:
        models = f"k={rec.k}" + (f", l={rec.l}" if rec.l > 1 else "") + (f", t={rec.t}" if rec.t is not None else "")
        raise PolicyViolation(f"no generalisation satisfies {models} within {rec.max_suppression:.2%} suppression",
                              where=rec.source, hint="raise max_suppression, add hierarchy levels or relax the model")
    best = found.best
    zero = tuple(0 for _ in rec.quasi)
    original = problem.evaluate(zero, problem.base_cells())
    population = rec.population_size or rows_in * DEFAULT_POPULATION
    before_pop = _population_sizes(rec, problem, zero, original.class_rep)
    kept = best.class_ok
    after_pop = _population_sizes(rec, problem, best.node, best.class_rep[kept])
    achieved = problem.achieved(best)
    report: dict[str, Any] = {
        "recipe": rec.summary(),
        "engine": engine,
        "search": "optimal" if found.optimal else "heuristic",
        "k": achieved["k"], "l": achieved["l"], "l_entropy": achieved["l_entropy"], "t": achieved["t"],
        "transformation": {q: lvl for q, lvl in zip(rec.quasi, best.node, strict=True)},
        "transformation_depth": {h.column: h.depth - 1 for h in problem.hierarchies},
        "suppressed_rows": best.suppressed,
        "rows_in": rows_in,
        "rows_out": rows_in - best.suppressed,
        "classes": int(kept.sum()),
        "information_loss": found.metrics,
        "risk_model": {"population_size": population, "uniqueness_model": rec.risk_model,
                       "population_table": rec.population_table},
        "risk_before": risk_figures(original.class_size, population, rec.risk_model, before_pop),
        "risk_after": risk_figures(best.class_size[kept], population, rec.risk_model, after_pop),
        "nodes_total": found.nodes_total,
        "nodes_evaluated": found.nodes_evaluated,
        "search_seconds": found.seconds,
        "search_cpu_seconds": found.cpu_seconds,
    }
    report["seconds"] = time.perf_counter() - started
    return _Plan(rec, prepared, problem, found, best, report)


def _output(plan: _Plan) -> pl.LazyFrame:
    problem, best = plan.problem, plan.best
    out = _generalise(plan.prepared, problem.hierarchies, best.node)
    bad = ~best.class_ok
    if bad.any():
        # One composite key per row and a set lookup: cheaper than a join on every QI column.
        qis = plan.recipe.quasi
        labels = _class_labels(problem, best.node, best.class_rep[bad])
        keys = labels.select(pl.concat_str(qis, separator=_SEP)).to_series()
        out = out.filter(~pl.concat_str(qis, separator=_SEP).is_in(keys.implode()))
    return out


def anonymise(data: Data, recipe: Recipe | dict[str, Any] | str | Path, *, engine: str = "local", seed: int = 0,
              secret: bytes | None = None, dataset_id: str | None = None,
              partitions: int | None = None) -> AnonymisationResult:
    """Anonymise a table under a recipe; returns the released table and the report.

    `seed` fixes the shuffled row order of the output (rows are shuffled unless the recipe sets
    shuffle_rows: false, so the release order says nothing about the source order)."""
    plan = _plan(data, recipe, engine, secret, dataset_id, partitions)
    started = time.perf_counter()
    try:
        table = _output(plan).collect(engine="streaming")
    except _polars_errors() as exc:
        raise _input_error(exc, plan.recipe) from exc
    if plan.recipe.shuffle_rows and len(table):
        table = table.sample(fraction=1.0, shuffle=True, seed=seed)
    plan.report["seconds"] += time.perf_counter() - started
    return AnonymisationResult(table, plan.report)


def _atomic_target(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def anonymise_to_file(data: Data, recipe: Recipe | dict[str, Any] | str | Path, output: str | Path,
                      report_path: str | Path | None = None, *, engine: str = "local", seed: int = 0,
                      secret: bytes | None = None, dataset_id: str | None = None,
                      partitions: int | None = None) -> dict[str, Any]:
    """Like anonymise(), writing Parquet (and the JSON report) atomically: on any error no output
    file is left. Without shuffling the table is streamed to disk (larger than memory)."""
    import orjson

    out_path = Path(output)
    plan = _plan(data, recipe, engine, secret, dataset_id, partitions)
    started = time.perf_counter()
    tmp = _atomic_target(out_path)
    tmp_report = _atomic_target(Path(report_path)) if report_path else None
    try:
        lf = _output(plan)
        if plan.recipe.shuffle_rows:
            table = lf.collect(engine="streaming")
            table.sample(fraction=1.0, shuffle=True, seed=seed).write_parquet(tmp)
        else:
            lf.sink_parquet(tmp)
        plan.report["seconds"] += time.perf_counter() - started
        if tmp_report is not None and report_path is not None:
            tmp_report.write_bytes(orjson.dumps(plan.report, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
            os.replace(tmp_report, report_path)
        os.replace(tmp, out_path)
    except _polars_errors() as exc:
        raise _input_error(exc, plan.recipe) from exc
    finally:
        tmp.unlink(missing_ok=True)
        if tmp_report is not None:
            tmp_report.unlink(missing_ok=True)
    return plan.report
