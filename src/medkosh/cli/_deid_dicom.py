"""`medkosh deid dicom IN_DIR OUT_DIR`: the standalone DICOM de-identifier (same engine as
`medkosh ingest dicom`), merged into `medkosh deid` by cli/deid.py."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer()


@app.command("dicom")
def dicom(in_dir: Path = typer.Argument(..., help="Folder of DICOM files (searched recursively)."),
          out_dir: Path = typer.Argument(..., help="Where de-identified files go (OUT/<study>/<sop>.dcm)."),
          dataset: str = typer.Option("dicom", "--dataset",
                                      help="Dataset name: its secret (HOME/keys/pseudonym-<name>.key) keys UIDs, "
                                           "pseudonyms and date shifts."),
          source: str = typer.Option("standalone", "--source",
                                     help="Hospital id: part of the pseudonym, as in the raw zone."),
          workers: int = typer.Option(0, "--workers", min=0, max=32,
                                      help="Worker processes (0: one per CPU, at most 4)."),
          json_out: bool = typer.Option(False, "--json", help="Print the report as JSON on stdout.")) -> None:
    """De-identify DICOM headers (PS3.15 Basic profile + modified dates + clean descriptors)."""
    import os

    from medkosh.deid.dicom import DicomDeidentifier, deidentify_folder
    from medkosh.deid.pseudonym import dataset_secret
    from medkosh.errors import InputError
    from medkosh.ingest.linkage import UhidKey

    if not in_dir.is_dir():
        raise InputError(f"not a folder: {in_dir}", hint="give the folder that holds the DICOM files")
    if out_dir.resolve() == in_dir.resolve() or in_dir.resolve() in out_dir.resolve().parents:
        raise InputError(f"output folder {out_dir} is inside the input folder", hint="choose another OUT_DIR")
    secret = dataset_secret(dataset)
    engine = DicomDeidentifier(secret, UhidKey(secret, source))
    report = deidentify_folder(in_dir, out_dir, engine, workers=workers or min(os.cpu_count() or 1, 4))
    doc = report.as_dict()
    if json_out:
        from medkosh.cli._common import emit_json

        emit_json(doc)
    else:
        files = doc["files"]
        typer.echo(f"de-identified {files['written']}/{files['total']} files into {out_dir} "
                   f"({files['flagged_for_review']} flagged for review under {out_dir / '_review'}, "
                   f"{files['skipped']} skipped) in {doc['seconds']:.1f} s")
    for item in doc["skipped"]:
        typer.echo(f"skipped {item['path']}: {item['reason']}", err=True)
    if doc["skipped"]:
        raise typer.Exit(1)
