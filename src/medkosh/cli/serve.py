"""`medkosh serve`: the API and the portal."""

from __future__ import annotations

import typer

app = typer.Typer(help="Serve the API and web portal.")


@app.command()
def serve(host: str | None = typer.Option(None, help="Address to bind (default from MEDKOSH_HOST, 127.0.0.1)."),
          port: int | None = typer.Option(None, help="Port (default from MEDKOSH_PORT, 8000)."),
          workers: int = typer.Option(1, min=1, help="Worker processes."),
          sweep_minutes: float = typer.Option(15.0, min=0, help="Mark expired grants and requests every N minutes "
                                                                  "(0: never; then run `medkosh access sweep` from cron).")) -> None:
    """Serve the API (OpenAPI at /docs) and the web portal."""
    import uvicorn

    from medkosh.cli._common import ensure_store, info
    from medkosh.config import get_settings

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    ensure_store()
    if sweep_minutes > 0:
        from medkosh.access import sweeper

        sweeper.start(sweep_minutes * 60)
    info(f"medkosh portal on http://{host}:{port}/  (API docs at /docs; Ctrl-C stops)")
    uvicorn.run("medkosh.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=False)
