"""`medkosh config show`."""

from __future__ import annotations

import typer

from medkosh.cli._common import emit_json

app = typer.Typer(help="Show the effective configuration.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Show the effective configuration."""


@app.command("show")
def show(json_out: bool = typer.Option(False, "--json", help="Print JSON on stdout.")) -> None:
    """Print the effective settings, with secrets masked."""
    from medkosh.config import get_settings

    settings = get_settings().masked()
    if json_out:
        emit_json(settings)
        return
    width = max(len(k) for k in settings)
    for key, value in settings.items():
        typer.echo(f"{key.ljust(width)}  {value}")
