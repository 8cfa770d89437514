"""`medkosh deid …`: one command group assembled from the text and DICOM de-identification modules
(`_deid_text.py`: text, scan, review; `_deid_dicom.py`: dicom). Each module exposes a Typer `app`
whose commands are added here, so the two can evolve independently."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(help="De-identify clinical text and DICOM; scan artefacts for PHI.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """De-identify clinical text and DICOM; scan artefacts for PHI."""


for _name in ("medkosh.cli._deid_text", "medkosh.cli._deid_dicom"):
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # only a missing sub-module is tolerated, never a broken one
        if exc.name != _name:
            raise
        continue
    app.registered_commands.extend(_module.app.registered_commands)
    app.registered_groups.extend(_module.app.registered_groups)
