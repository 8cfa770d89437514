"""`medkosh synth`: generate synthetic Indian health data (layout: docs/reference/synth-layout.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Generate synthetic Indian health data.", add_completion=False)


def _record_audit(summary: dict[str, Any]) -> None:
    """Record synth.data.generated when a database is configured or already exists; the generator
    itself stays pure. Only counts and the seed are recorded, never a patient value."""
    from medkosh.config import get_settings

    settings = get_settings()
    if not settings.database_url and not (settings.home_dir / "medkosh.db").exists():
        return
    from medkosh.cli._common import ensure_store
    from medkosh.store.db import session_scope
    from medkosh.synth.service import record_generated

    ensure_store()
    with session_scope() as session:
        record_generated(session, summary)


@app.command()
def synth(
    patients: Annotated[int, typer.Option("--patients", "-n", help="Number of patients.")] = 1000,
    hospitals: Annotated[int, typer.Option("--hospitals", "-k", help="Number of hospitals (in different states).")] = 3,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same arguments give byte-identical output.")] = 7,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (new, empty, or an earlier synth output).")]
    = Path("synth-data"),
    years: Annotated[int, typer.Option("--years", help="Years of history, ending 2025-12-31.")] = 3,
    outbreak: Annotated[str | None, typer.Option(
        "--outbreak", help="Inject an outbreak: CONDITION:DISTRICT:YYYY-Www[:factor], e.g. dengue:Pune:2024-W38:5.")]
    = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: CPUs, at most 4).")]
    = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout.")] = False,
) -> None:
    """Generate synthetic patients: FHIR bundles, HIS extracts, notes with gold PHI spans, DICOM,
    signed consent artefacts, a labelled outcome and canaries."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from medkosh.cli._common import emit_json, err_console, info
    from medkosh.synth.generate import SynthOptions, generate
    from medkosh.synth.outbreak import parse_outbreak

    options = SynthOptions(patients=patients, hospitals=hospitals, seed=seed, years=years,
                           outbreak=parse_outbreak(outbreak) if outbreak else None, workers=workers)
    options.check()
    with Progress(TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=patients < 2000) as bar:
        task = bar.add_task("patients", total=patients)
        summary = generate(options, out, progress=lambda done: bar.update(task, completed=done))
    _record_audit(summary)
    counts = summary["counts"]
    if json_out:
        emit_json({"out": summary["out"], "seconds": summary["seconds"], "seed": seed, "patients": patients,
                   "hospitals": summary["hospitals"], "counts": counts, "outbreak": summary["outbreak"]})
        return
    info(f"wrote {patients:,} patients across {len(summary['hospitals'])} hospitals to {summary['out']} "
         f"in {summary['seconds']:.1f} s: {counts['notes']:,} notes, {counts['dicom_instances']:,} DICOM files, "
         f"{sum(counts['consents'].values()):,} consents, {counts['canaries']} canary values")
    if summary["outbreak"]:
        o = summary["outbreak"]
        info(f"outbreak: {o['injected_cases']} extra {o['condition']} cases in {o['district']} in {o['iso_week']}")
