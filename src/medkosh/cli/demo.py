"""`medkosh demo`: run the whole commons on synthetic data, then serve the portal."""

from __future__ import annotations

import typer

app = typer.Typer(help="Run the whole commons on synthetic data, then serve the portal.")


@app.command()
def demo(patients: int = typer.Option(2000, min=10, help="Synthetic patients to generate."),
         hospitals: int = typer.Option(3, min=1, max=20, help="Hospitals (each in a different state)."),
         seed: int = typer.Option(7, help="Random seed; the same seed gives the same data."),
         serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the portal afterwards."),
         port: int = typer.Option(None, help="Port for the portal (default 8000)."),
         json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON.")) -> None:
    """Generate synthetic hospitals, run every step of the commons, print a summary, serve the portal."""
    import time

    from medkosh.cli._common import emit_json, info
    from medkosh.config import get_settings
    from medkosh.demo import DemoContext, run_demo

    settings = get_settings()
    home = settings.home_dir
    ctx = DemoContext(home=home, data_dir=home / "demo-data", patients=patients, hospitals=hospitals, seed=seed)
    started = time.perf_counter()
    reports = run_demo(ctx, progress=lambda msg: info(f"[bold]▸[/bold] {msg}"))
    total = time.perf_counter() - started
    if json_out:
        emit_json({"home": str(home), "seconds": round(total, 2),
                   "steps": [{"title": r.title, "lines": r.lines, "seconds": round(r.seconds, 2)} for r in reports]})
    else:
        typer.echo(f"\nmedkosh demo — everything under {home}")
        for r in reports:
            typer.echo(f"\n■ {r.title}  ({r.seconds:.1f} s)")
            for line in r.lines:
                typer.echo(f"  {line}")
        typer.echo(f"\nDone in {total:.1f} s.")
    if serve:
        from medkosh.cli.serve import serve as serve_cmd

        serve_cmd(host=None, port=port, workers=1, sweep_minutes=15.0)
