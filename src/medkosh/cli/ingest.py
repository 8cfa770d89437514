"""`medkosh ingest …`: FHIR bundles, tabular extracts, clinical notes and DICOM studies → raw zone.

Exit status: 0 when every input was ingested, 1 when the run finished but quarantined something
(listed in the report), 2+ for errors (medkosh.errors)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

app = typer.Typer(help="Ingest FHIR bundles, tabular extracts and DICOM studies.", no_args_is_help=True)

_SOURCE = typer.Option(..., "--source", help="Hospital (HIP) id the data comes from, e.g. HOSP-A.")
_JSON = typer.Option(False, "--json", help="Print the ingest report as JSON on stdout.")


@app.callback()
def _group() -> None:
    """Ingest FHIR bundles, tabular extracts, clinical notes and DICOM studies."""


def _finish(report: Any, json_out: bool, *, record: bool, lines: list[str] | None = None) -> None:
    from medkosh.cli._common import emit_json

    if record:
        from medkosh.cli._common import ensure_store
        from medkosh.ingest.service import record_run
        from medkosh.store.db import session_scope

        ensure_store()
        with session_scope() as session:
            record_run(session, report, actor=_cli_actor())
    doc = report.as_dict()
    if json_out:
        emit_json(doc)
    else:
        rows = ", ".join(f"{t} {n}" for t, n in sorted(report.rows.items())) or "no rows"
        typer.echo(f"{report.kind} ingest {report.run_id} → {report.destination}: "
                   f"{report.files_ingested}/{report.files_total} files, {rows} ({report.seconds:.1f} s)")
        for line in lines or []:
            typer.echo(line)
        if report.files_skipped:
            typer.echo(f"skipped {report.files_skipped} file(s) already ingested into {report.source_id}")
    for q in report.quarantined:  # one plain line each on stderr (no wrapping: scripts grep these)
        where = f"{q.path}#{q.pointer}" if q.pointer else q.path
        typer.echo(f"quarantined {where}: {q.reason}", err=True)
    if report.quarantined:
        raise typer.Exit(1)


def _cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@app.command("fhir")
def fhir_cmd(paths: list[Path] = typer.Argument(..., help="Bundle files (.json, .ndjson, .gz, .zip) or folders."),
             source: str = _SOURCE,
             out: Path | None = typer.Option(None, "--out", help="Write DIR/<table>.parquet instead of the raw zone."),
             strict: bool = typer.Option(False, "--strict", help="Also validate every file with fhir.resources (R4B)."),
             json_out: bool = _JSON) -> None:
    """Turn FHIR R4 Bundles into patient, encounter, condition, observation, … Parquet tables."""
    from medkosh.ingest.fhir import ingest_fhir

    report = ingest_fhir(list(paths), source, out=out, strict=strict)
    _finish(report, json_out, record=out is None)


@app.command("table")
def table_cmd(file: Path = typer.Argument(..., help="A CSV or Parquet extract from the HIS."),
              source: str = _SOURCE,
              name: str | None = typer.Option(None, "--name", help="Table name (default: from the file name)."),
              recipe: Path | None = typer.Option(None, "--recipe", help="An edited column-role recipe (YAML) to apply."),
              recipe_out: Path | None = typer.Option(None, "--recipe-out", help="Where to write the suggested recipe."),
              out: Path | None = typer.Option(None, "--out", help="Write DIR/<name>.parquet instead of the raw zone."),
              hi_type: str | None = typer.Option(None, "--hi-type", help="ABDM type of these rows (default: "
                                                 "DischargeSummary if there is a discharge column, else OPConsultation)."),
              json_out: bool = _JSON) -> None:
    """Read a CSV/Parquet extract (encoding and types detected) and suggest a column-role recipe."""
    from medkosh.errors import InputError
    from medkosh.ingest.tabular import ingest_table
    from medkosh.ingest.types import HiType

    if hi_type is not None and hi_type not in {h.value for h in HiType}:
        raise InputError(f"unknown hi-type {hi_type!r}", where="--hi-type",
                         hint="use one of " + ", ".join(h.value for h in HiType))
    report = ingest_table(file, source, name=name, recipe=recipe, recipe_out=recipe_out, out=out, hi_type=hi_type)
    roles = report.extra.get("roles", {})
    lines = [f"recipe: {report.extra.get('recipe_path')}"]
    lines += [f"  {col}: {info['role']}{' (link)' if info.get('link') else ''}" for col, info in roles.items()]
    _finish(report, json_out, record=out is None, lines=lines)


@app.command("notes")
def notes_cmd(file: Path = typer.Argument(..., help="Clinical notes as JSONL (one note per line)."),
              source: str | None = typer.Option(None, "--source", help="Only notes of this hospital (default: "
                                                "each note's hospital_id)."),
              json_out: bool = _JSON) -> None:
    """Ingest clinical notes (JSONL with id, hospital_id, patient/uhid, date, note_type, text)."""
    from medkosh.ingest.notes import ingest_notes

    for report in ingest_notes(file, source):
        _finish(report, json_out, record=True)


@app.command("dicom")
def dicom_cmd(folder: Path = typer.Argument(..., help="A folder of DICOM files (searched recursively)."),
              source: str = _SOURCE, json_out: bool = _JSON) -> None:
    """De-identify DICOM (PS3.15 Basic profile + modified dates + clean descriptors) into the platform."""
    from medkosh.ingest.dicom import ingest_dicom

    report = ingest_dicom(folder, source)
    flagged = report.extra.get("flagged_for_review", 0)
    _finish(report, json_out, record=True, lines=[f"flagged for review: {flagged}"] if flagged else [])


@app.command("runs")
def runs_cmd(source: str | None = typer.Option(None, "--source", help="Only this source."),
             json_out: bool = _JSON) -> None:
    """List recent ingest runs."""
    from medkosh.cli._common import emit_json, ensure_store
    from medkosh.ingest.service import list_runs
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as session:
        runs = [{"id": r.id, "source_id": r.source_id, "kind": r.kind, "status": r.status,
                 "started_at": r.started_at.isoformat(), "files": r.files_total, "rows": r.rows_total,
                 "quarantined": r.files_quarantined, "seconds": r.seconds} for r in list_runs(session, source)]
    if json_out:
        emit_json({"runs": runs})
        return
    for r in runs:
        typer.echo(f"{r['id']}  {r['source_id']:<12} {r['kind']:<6} {r['status']:<26} files {r['files']:>5}  "
                   f"rows {r['rows']:>8}  quarantined {r['quarantined']}")
