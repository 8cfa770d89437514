"""medkosh validate MODEL_VERSION --benchmark DATASET_VERSION --protocol PROTOCOL.yaml: run the model on a
sealed benchmark inside medkosh and report aggregates only."""

from __future__ import annotations

from pathlib import Path

import typer

from medkosh.cli._common import emit_json, ensure_store, info

app = typer.Typer(help="Validate a model version on a sealed benchmark under a protocol.")


@app.command()
def validate(model_version: str = typer.Argument(..., help="e.g. diabetes-complication@1"),
             benchmark: str = typer.Option(..., "--benchmark", help="sealed dataset version, e.g. ehr-…-hosp03@1"),
             protocol: Path = typer.Option(..., "--protocol", help="validation protocol YAML"),
             as_user: str | None = typer.Option(None, "--as", help="act as this steward/admin; else MEDKOSH_TOKEN"),
             html: Path | None = typer.Option(None, "--html", help="also write the HTML report here"),
             pdf: Path | None = typer.Option(None, "--pdf", help="also write a PDF report here"),
             json_out: bool = typer.Option(False, "--json", help="print the report's JSON")) -> None:
    """Validate MODEL_VERSION on a sealed benchmark; the version becomes 'validated' if the protocol passes."""
    from medkosh.cli._acting import cli_principal
    from medkosh.store.db import session_scope
    from medkosh.validation.protocols import load
    from medkosh.validation.report import to_html, to_pdf
    from medkosh.validation.run import validate as run

    proto = load(protocol)
    ensure_store()
    with session_scope() as s:
        report = run(s, cli_principal(s, as_user), model_version, benchmark, proto)
    if html:
        html.write_text(to_html(report), encoding="utf-8")
        info(f"wrote {html}")
    if pdf:
        pdf.write_bytes(to_pdf(report))
        info(f"wrote {pdf}")
    if json_out:
        emit_json(report)
        return
    m = report["metrics"]
    verdict = "PASS" if report["pass"]["passed"] else "FAIL"
    typer.echo(f"{model_version} on {benchmark}: {verdict} — n={report['n']}, events={report['events']}, "
               f"AUROC {_ci(m.get('auroc'))}, Brier {_ci(m.get('brier'))}; state: {report['state']}")
    for c in report["pass"]["criteria"]:
        typer.echo(f"  [{'x' if c['passed'] else ' '}] {c['criterion']}: {c['value']}")


def _ci(m: dict[str, float | None] | None) -> str:
    if not m or m.get("value") is None:
        return "n/a"
    lo, hi = m.get("ci_low"), m.get("ci_high")
    ci = f" ({lo:.3f}–{hi:.3f})" if lo is not None and hi is not None else ""
    return f"{m['value']:.3f}{ci}"
