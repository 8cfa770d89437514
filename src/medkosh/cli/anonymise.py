"""`medkosh anonymise table INPUT --recipe RECIPE.yaml --output OUT.parquet --report REPORT.json`.

Quick use without a recipe: `--qi age,sex,… --sensitive COL --hierarchies DIR --k 5 --l 2 --t 0.2
--max-suppression 0.02` (hierarchy files named `*_hierarchy_<column>.csv`, ARX format). Given with a
recipe, --k/--l/--t/--max-suppression/--metric override the recipe's values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Anonymise tables with k-anonymity, l-diversity and t-closeness.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Anonymise tables with k-anonymity, l-diversity and t-closeness."""


def _hierarchy_files(directory: Path | None, input_path: Path) -> dict[str, str]:
    """Column → hierarchy file. Where several files name the same column (ARX's folder holds
    adult_hierarchy_age.csv and test_hierarchy_age.csv), the one prefixed by the input's name wins."""
    from medkosh.errors import InputError

    if directory is None:
        return {}
    if not directory.is_dir():
        raise InputError("hierarchies folder not found", where=str(directory),
                         hint="give a folder of *_hierarchy_<column>.csv")
    candidates: dict[str, list[Path]] = {}
    for path in sorted(directory.glob("*_hierarchy_*.csv")):
        candidates.setdefault(path.stem.split("_hierarchy_", 1)[1], []).append(path)
    found = {}
    for column, paths in candidates.items():
        preferred = [p for p in paths if p.stem.split("_hierarchy_", 1)[0] == input_path.stem]
        if len(paths) > 1 and len(preferred) != 1:
            raise InputError(f"several hierarchy files for column {column!r}: {', '.join(p.name for p in paths)}",
                             where=str(directory), hint=f"name the one to use {input_path.stem}_hierarchy_{column}.csv")
        found[column] = str((preferred or paths)[0])
    return found


def _recipe(input_path: Path, recipe: Path | None, qi: str | None, sensitive: str | None,
            hierarchies: Path | None, k: int | None, l: int | None, t: float | None,  # noqa: E741
            max_suppression: float | None, metric: str | None) -> Any:
    import dataclasses

    from medkosh.deid.tabular.prepare import scan
    from medkosh.deid.tabular.recipe import load_recipe, shorthand_recipe
    from medkosh.errors import InputError

    if recipe is None:
        if not qi:
            raise InputError("give --recipe or --qi", hint="e.g. --qi age,sex,pin --k 5")
        qis = [c.strip() for c in qi.split(",") if c.strip()]
        columns = scan(input_path).collect_schema().names()
        for col in [*qis, *([sensitive] if sensitive else [])]:
            if col not in columns:
                raise InputError(f"column {col!r} is not in the table", where=str(input_path),
                                 hint=f"the table has: {', '.join(columns[:20])}")
        raw = shorthand_recipe(columns, qis, sensitive, _hierarchy_files(hierarchies, input_path), k or 1, l or 1, t,
                               max_suppression or 0.0, metric or "loss")
        return load_recipe(raw)
    rec = load_recipe(recipe)
    overrides: dict[str, Any] = {name: value for name, value in (("k", k), ("l", l), ("t", t), ("max_suppression", max_suppression),
                                                 ("metric", metric)) if value is not None}
    if overrides:
        # Re-check the overridden values through the loader's validation.
        load_recipe({"columns": {"_": "insensitive"}, "privacy": {n: v for n, v in overrides.items() if n != "metric"},
                     **({"metric": metric} if metric else {})})
        rec = dataclasses.replace(rec, **overrides)
    return rec


@app.command("table")
def table(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="A .csv or .parquet table.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The anonymised table (.parquet).")],
    recipe: Annotated[Path | None, typer.Option("--recipe", "-r", help="The anonymisation recipe (YAML).")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the JSON report here.")] = None,
    qi: Annotated[str | None, typer.Option("--qi", help="Quasi-identifiers, comma-separated.")] = None,
    sensitive: Annotated[str | None, typer.Option("--sensitive", help="The sensitive column.")] = None,
    hierarchies: Annotated[Path | None, typer.Option("--hierarchies", help="Folder of ARX hierarchy files.")] = None,
    k: Annotated[int | None, typer.Option("--k", help="k-anonymity.")] = None,
    l: Annotated[int | None, typer.Option("--l", help="Distinct l-diversity of the sensitive column.")] = None,  # noqa: E741
    t: Annotated[float | None, typer.Option("--t", help="t-closeness of the sensitive column.")] = None,
    max_suppression: Annotated[float | None, typer.Option("--max-suppression", help="Largest share of rows to suppress.")] = None,
    metric: Annotated[str | None, typer.Option("--metric", help="loss | discernibility | avg_class_size | entropy")] = None,
    engine: Annotated[str, typer.Option("--engine", help="local or ray.")] = "local",
    seed: Annotated[int, typer.Option("--seed", help="Seed for the output row order.")] = 0,
    dataset_id: Annotated[str | None, typer.Option("--dataset-id", help="Use this dataset's pseudonym secret.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
) -> None:
    """Anonymise one table: optimal generalisation, suppression, and the risk before and after."""
    from medkosh.deid.tabular.api import anonymise_to_file

    rec = _recipe(input_path, recipe, qi, sensitive, hierarchies, k, l, t, max_suppression, metric)
    result = anonymise_to_file(input_path, rec, output, report, engine=engine, seed=seed, dataset_id=dataset_id)
    if as_json:
        from medkosh.cli._common import emit_json

        emit_json(result)
        return

    def info(line: str) -> None:  # plain stderr: rich is not worth its start-up for three lines
        typer.echo(line, err=True)

    before, after = result["risk_before"], result["risk_after"]
    levels = ", ".join(f"{q}={lvl}" for q, lvl in result["transformation"].items())
    info(f"{result['rows_out']} of {result['rows_in']} rows released ({result['suppressed_rows']} suppressed) "
         f"to {output}")
    info(f"transformation: {levels} ({result['search']} search, {result['nodes_evaluated']} of "
         f"{result['nodes_total']} nodes evaluated, {result['seconds']:.2f} s)")
    info(f"information loss {result['information_loss']['loss']:.3f}; prosecutor risk max "
         f"{before['prosecutor_max']:.3f} → {after['prosecutor_max']:.3f}, sample uniques "
         f"{before['sample_uniques']:.1%} → {after['sample_uniques']:.1%}")
