"""`medkosh surveillance run|alerts|settings|budget|synth`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

app = typer.Typer(help="Disease surveillance: weekly series and aberration alerts.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Disease surveillance: weekly series per district and condition, EARS and Farrington alerts."""


@app.command("run")
def run(source: str = typer.Option(None, "--source", help="DATASET_ID@VERSION or a Parquet path (default: the last run's)."),
        table: str = typer.Option(None, "--table", help="Which Parquet file of the version."),
        alpha: float = typer.Option(0.001, "--alpha", min=1e-6, max=0.1, help="False-alarm rate per series-week."),
        weeks: int = typer.Option(52, "--weeks", min=1, help="List alerts for the last N weeks."),
        as_user: str = typer.Option(None, "--as", help="Who runs it (audit)."),
        json_out: bool = typer.Option(False, "--json")) -> None:
    """Build weekly series for every district × condition and run EARS C1/C2/C3 and Farrington."""
    from medkosh.cli._common import emit_json, ensure_store
    from medkosh.cli._surveillance_common import cli_actor, one_shot
    from medkosh.store.db import session_scope
    from medkosh.surveillance import runs

    one_shot()
    ensure_store()
    with session_scope() as session:
        summary = runs.run(session, source, cli_actor(as_user), alpha=alpha, weeks_shown=weeks, table=table)
    if json_out:
        emit_json(summary)
        return
    typer.echo(f"run {summary['run_id']}: {summary['series']} series × {summary['weeks']} weeks "
               f"({summary['first_week']} – {summary['last_week']}), {summary['alerts']} alerts "
               f"in {summary['seconds']:.2f} s; see 'medkosh surveillance alerts'")


@app.command("alerts")
def alerts(run_id: str = typer.Option(None, "--run", help="Run id (default: the latest)."),
           condition: str = typer.Option(None, "--condition"),
           district: str = typer.Option(None, "--district"),
           json_out: bool = typer.Option(False, "--json")) -> None:
    """Alerts of a run, strongest first: condition, ICD-10, district, week, statistic and threshold."""
    from medkosh.cli._common import emit_json, ensure_store
    from medkosh.cli._surveillance_common import print_table
    from medkosh.store.db import session_scope
    from medkosh.surveillance import runs

    ensure_store()
    with session_scope() as session:
        found = runs.alerts(session, run_id, condition=condition, district=district)
    if json_out:
        emit_json(found)
        return
    print_table(["condition", "ICD-10", "state", "district", "week", "method", "observed", "statistic",
                 "threshold", "strength"],
                [[a["condition_name"], a["icd10"], a["state"], a["district"], a["week"], a["method"],
                  a["observed_display"], f"{a['statistic']:.2f}", f"{a['threshold']:.2f}", f"{a['score']:.2f}"]
                 for a in found["alerts"]],
                title=f"{len(found['alerts'])} alerts, run {found['run_id']} ({found['first_week']} – {found['last_week']})")


@app.command("settings")
def settings(dataset_id: str = typer.Argument(..., help="Dataset id (or a Parquet path's 'file:' id)."),
             mode: str = typer.Option(None, "--mode", help="disclosure or dp."),
             threshold: int = typer.Option(None, "--threshold", min=1, help="Cells below this are suppressed."),
             rounding: int = typer.Option(None, "--rounding", min=1, help="Round published counts to this base."),
             epsilon_budget: float = typer.Option(None, "--epsilon-budget", help="ε per user for this dataset."),
             max_epsilon: float = typer.Option(None, "--max-epsilon", help="Largest ε one query may spend."),
             max_contributions: int = typer.Option(None, "--max-contributions", min=1,
                                                   help="Rows one patient may contribute to a DP query."),
             as_user: str = typer.Option(None, "--as"),
             json_out: bool = typer.Option(False, "--json")) -> None:
    """Show, or (with options) change, how a dataset's aggregates are protected."""
    import dataclasses

    from medkosh.cli._common import emit_json, ensure_store
    from medkosh.cli._surveillance_common import cli_actor
    from medkosh.errors import InputError
    from medkosh.store.db import session_scope
    from medkosh.surveillance import service
    from medkosh.surveillance.types import ProtectionMode

    ensure_store()
    changes: dict[str, Any] = {k: v for k, v in {"threshold": threshold, "rounding_base": rounding, "epsilon_budget": epsilon_budget,
                                 "max_epsilon_per_query": max_epsilon,
                                 "max_contributions": max_contributions}.items() if v is not None}
    if mode is not None:
        try:
            changes["mode"] = ProtectionMode(mode)
        except ValueError as exc:
            raise InputError(f"unknown mode {mode!r}", where="--mode", hint="disclosure or dp") from exc
    with session_scope() as session:
        current = service.dataset_settings(session, dataset_id)
        if changes:
            current = service.set_dataset_settings(session, dataclasses.replace(current, **changes), cli_actor(as_user))
    data = {k: str(v) if isinstance(v, ProtectionMode) else v for k, v in dataclasses.asdict(current).items()}
    if json_out:
        emit_json(data)
    else:
        for k, v in data.items():
            typer.echo(f"{k}: {v}")


@app.command("budget")
def budget(dataset_version: str = typer.Argument(...),
           as_user: str = typer.Option(None, "--as"),
           json_out: bool = typer.Option(False, "--json")) -> None:
    """The privacy budget you (or --as USER) have spent and have left on a dataset."""
    from medkosh.cli._common import emit_json, ensure_store
    from medkosh.cli._surveillance_common import cli_actor
    from medkosh.store.db import session_scope
    from medkosh.surveillance import service

    ensure_store()
    with session_scope() as session:
        state = service.budget(session, dataset_version, cli_actor(as_user).id)
    if json_out:
        emit_json(state.as_dict())
    else:
        typer.echo(f"{state.user_id} on {state.dataset_id}: ε spent {state.epsilon_spent:.4g} of "
                   f"{state.epsilon_budget:g} ({state.queries} queries), {state.epsilon_left:.4g} left")


@app.command("synth")
def synth(out: Path = typer.Argument(..., help="Parquet file to write."),
          rows: int = typer.Option(1_000_000, "--rows", min=1000),
          districts: int = typer.Option(48, "--districts", min=1, max=5000),
          years: int = typer.Option(3, "--years", min=1, max=20),
          start: str = typer.Option("2023-W01", "--start", help="First ISO week."),
          outbreak: list[str] = typer.Option([], "--outbreak", help="CONDITION:DISTRICT:YYYY-Www[:factor]; repeatable."),
          seed: int = typer.Option(11, "--seed"),
          json_out: bool = typer.Option(False, "--json")) -> None:
    """Write a synthetic encounter table (seasonal baselines, injectable outbreaks) for tests and benchmarks."""
    from medkosh.cli._common import emit_json
    from medkosh.surveillance.synthetic import Outbreak, generate

    manifest = generate(out, rows=rows, districts=districts, years=years, start=start,
                        outbreaks=[Outbreak.parse(o) for o in outbreak], seed=seed)
    if json_out:
        emit_json(manifest)
    else:
        typer.echo(f"wrote {manifest['rows']:,} encounters ({manifest['districts']} districts, "
                   f"{manifest['first_week']} – {manifest['last_week']}) to {out}")
