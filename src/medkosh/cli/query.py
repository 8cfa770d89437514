"""`medkosh query DATASET_VERSION --by district,week --count [--dp EPSILON] [--json]`."""

from __future__ import annotations

import typer

app = typer.Typer(help="Privacy-protected aggregate queries over a dataset version.")


@app.command()
def query(
    dataset_version: str = typer.Argument(..., help="DATASET_ID@VERSION from the catalog, or a Parquet path."),
    by: str = typer.Option("", "--by", help="Comma-separated: district, state, week, month, icd10, chapter, "
                                            "condition, age_band, sex."),
    count: bool = typer.Option(False, "--count", help="Count encounters (the default measure)."),
    rate: bool = typer.Option(False, "--rate", help="Cases per 1,000 encounters of the cell (needs --condition or --icd10)."),
    mean: str = typer.Option(None, "--mean", help="Mean of a numeric column, e.g. age."),
    condition: list[str] = typer.Option([], "--condition", help="Restrict to a condition (dengue, malaria, …); repeatable."),
    icd10: list[str] = typer.Option([], "--icd10", help="Restrict to ICD-10 codes starting with this; repeatable."),
    week_from: str = typer.Option(None, "--from", help="First ISO week, e.g. 2025-W01."),
    week_to: str = typer.Option(None, "--to", help="Last ISO week."),
    district: list[str] = typer.Option([], "--district", help="Restrict to a district; repeatable."),
    dp_epsilon: float = typer.Option(None, "--dp", help="Answer with differential privacy at this ε (charged to your budget)."),
    mechanism: str = typer.Option("laplace", "--mechanism", help="laplace or gaussian (with --dp)."),
    table: str = typer.Option(None, "--table", help="Which Parquet file of the version (when it has several)."),
    margins: bool = typer.Option(True, "--margins/--no-margins", help="Show the totals ('*') rows."),
    as_user: str = typer.Option(None, "--as", help="User the query is made as (default MEDKOSH_USER or cli:<os user>)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Counts, rates per 1,000 or means by any dimensions, with small cells suppressed or DP noise."""
    from medkosh.cli._common import emit_json, ensure_store, info
    from medkosh.cli._surveillance_common import cli_actor, one_shot, print_table
    from medkosh.errors import InputError
    from medkosh.store.db import session_scope
    from medkosh.surveillance import service
    from medkosh.surveillance.types import Dimension, Measure, Mechanism, QuerySpec

    one_shot()
    if sum([count, rate, mean is not None]) > 1:
        raise InputError("choose one measure", where="--count/--rate/--mean")
    try:
        dims = tuple(Dimension(d.strip()) for d in by.split(",") if d.strip())
    except ValueError as exc:
        raise InputError(f"unknown dimension in --by {by!r}",
                         hint=f"use {', '.join(d.value for d in Dimension)}") from exc
    try:
        mech = Mechanism(mechanism)
    except ValueError as exc:
        raise InputError(f"unknown mechanism {mechanism!r}", where="--mechanism", hint="laplace or gaussian") from exc
    measure = Measure.RATE if rate else Measure.MEAN if mean else Measure.COUNT
    spec = QuerySpec(by=dims, measure=measure, mean_of=mean, conditions=tuple(condition),
                     icd10_prefixes=tuple(icd10), week_from=week_from, week_to=week_to, districts=tuple(district),
                     epsilon=dp_epsilon, mechanism=mech)
    ensure_store()
    with session_scope() as session:
        result = service.query(session, dataset_version, spec, cli_actor(as_user), table=table, margins=margins)
    if json_out:
        emit_json(result.as_dict())
        return
    extra = ["cases"] if measure is Measure.RATE else ["n"] if measure is Measure.MEAN else []
    cols = [*result.by, str(measure), *extra, "flag"]
    print_table(cols, [[r.get(c) if c != str(measure) else (r["value"] if r["value"] is not None else "suppressed")
                        for c in cols] for r in result.rows])
    for note in result.notes:
        info(f"note: {note}")
    if result.budget_left is not None:
        info(f"privacy budget left: ε={result.budget_left:.4g}")
