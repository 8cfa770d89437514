"""`medkosh db upgrade|status`."""

from __future__ import annotations

from typing import Any

import typer

from medkosh.cli._common import emit_json, ensure_store

app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Create or upgrade the database schema to the latest migrations."""
    from medkosh.config import mask_url

    url = ensure_store()
    typer.echo(f"database at {mask_url(url)} is up to date", err=True)


@app.command("status")
def status(json_out: bool = typer.Option(False, "--json")) -> None:
    """Show applied and available migration heads."""
    from medkosh.config import get_settings, mask_url
    from medkosh.store.migrate import current_heads, script_heads

    url = get_settings().effective_database_url
    data: dict[str, Any] = {"database": mask_url(url), "applied": sorted(current_heads(url)),
            "available": sorted(script_heads(url))}
    data["up_to_date"] = data["applied"] == data["available"]
    if json_out:
        emit_json(data)
    else:
        for k, v in data.items():
            typer.echo(f"{k}: {v}")
