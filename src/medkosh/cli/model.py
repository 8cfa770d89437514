"""medkosh model …: the AI model registry and its lifecycle (register, list, show, seal a benchmark,
approve, deploy, suspend, retire, card, worklist, monitor)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from medkosh.cli._common import emit_json, ensure_store, info

app = typer.Typer(help="AI models: registry, model cards, approval, deployment and monitoring.", no_args_is_help=True)

AS = typer.Option(None, "--as", help="act as this user (operators on the platform host); else MEDKOSH_TOKEN")
JSON = typer.Option(False, "--json", help="print one JSON document")


@app.callback()
def _group() -> None:
    """AI models: registry, model cards, approval, deployment and monitoring."""


def _run(fn: Any, as_user: str | None) -> Any:
    from medkosh.cli._acting import cli_principal
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        return fn(s, cli_principal(s, as_user) if as_user is not None or _token() else None)


def _token() -> bool:
    import os

    return bool(os.environ.get("MEDKOSH_TOKEN"))


def _line(v: dict[str, Any]) -> str:
    mode = f" [{v['mode']}]" if v.get("mode") else ""
    val = v.get("last_validation")
    vtxt = f"; validated on {val['benchmark'][:12]}… {'PASS' if val['passed'] else 'FAIL'}" if val else ""
    return f"{v['id']}: {v['state']}{mode} — {v['name']} ({v['developer']}){vtxt}"


@app.command("register")
def register_cmd(model_id: str = typer.Argument(..., help="model id (slug), e.g. diabetes-complication"),
                 artefact: Path = typer.Option(..., "--onnx", help="the model file (.onnx; pickles are refused)"),
                 schema: Path = typer.Option(..., "--schema", help="input/output schema JSON (features, output)"),
                 name: str | None = typer.Option(None, "--name"),
                 trained_on: list[str] = typer.Option([], "--trained-on", help="dataset version(s) (lineage)"),
                 job_id: str | None = typer.Option(None, "--job", help="the TRE job that produced it"),
                 card: Path | None = typer.Option(None, "--card", help="JSON with the developer's model-card fields"),
                 as_user: str | None = AS, json_out: bool = JSON) -> None:
    """Register a new immutable version of a model."""
    from medkosh.errors import InputError
    from medkosh.models.service import read_artefact_file, register

    def _json(p: Path) -> Any:
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read JSON: {exc}".split("\n")[0], where=str(p)) from None

    data = read_artefact_file(artefact)
    sch = _json(schema)
    crd = _json(card) if card else None

    def go(s: Any, p: Any) -> Any:
        from medkosh.catalog.service import get_version

        versions = [get_version(s, ref).id for ref in trained_on]
        return register(s, _need(p), model_id=model_id, artefact=data, artefact_name=artefact.name, schema=sch,
                        name=name, trained_on=versions, job_id=job_id, card=crd)

    out = _run(go, as_user)
    emit_json(out) if json_out else info(f"registered {_line(out)}")


def _need(p: Any) -> Any:
    from medkosh.errors import AuthenticationError

    if p is None:
        raise AuthenticationError("who are you acting as?", hint="set MEDKOSH_TOKEN, or pass --as EMAIL")
    return p


@app.command("list")
def list_cmd(json_out: bool = JSON) -> None:
    """Every model version with its lifecycle state and deployment mode."""
    from medkosh.models.service import list_versions

    rows = _run(lambda s, _p: list_versions(s), None)
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(_line(r))
    if not rows:
        info("no models registered yet (medkosh model register)")


@app.command("show")
def show_cmd(version: str, json_out: bool = JSON) -> None:
    """One version: lineage, schema, card fields, validations, approvals and deployment."""
    from medkosh.deployment.inference import counts
    from medkosh.deployment.lifecycle import approvals, validations
    from medkosh.models.service import show

    def go(s: Any, _p: Any) -> Any:
        out = show(s, version)
        out.update(validations=validations(s, out["id"]), approvals=approvals(s, out["id"]),
                   predictions=counts(s, out["id"]))
        return out

    out = _run(go, None)
    if json_out:
        emit_json(out)
        return
    typer.echo(_line(out))
    typer.echo(f"  lineage: trained on {', '.join(out['lineage']['trained_on']) or '—'}; job {out['lineage']['job_id']}")
    typer.echo("  features: " + ", ".join(f"{f['name']} ({f['unit']})" for f in out["schema"]["features"]))
    for v in out["validations"]:
        typer.echo(f"  validation {v['id']} on {v['benchmark'][:16]}: {'PASS' if v['passed'] else 'FAIL'}")
    for a in out["approvals"]:
        typer.echo(f"  approved by {a['clinician']} (reg. {a['registration_number']}): {a['statement']}")
    typer.echo(f"  predictions: {out['predictions'] or 'none'}")


@app.command("seal-benchmark")
def seal_cmd(dataset_version: str, note: str | None = typer.Option(None, "--note"), as_user: str | None = AS) -> None:
    """Mark a dataset version as a sealed benchmark: its files never leave medkosh (stewards)."""
    from medkosh.models.service import seal_benchmark

    _run(lambda s, p: seal_benchmark(s, _need(p), dataset_version, note), as_user)
    info(f"{dataset_version} is now a sealed benchmark")


@app.command("approve")
def approve_cmd(version: str, registration: str = typer.Option(..., "--registration", help="your registration number"),
                statement: str = typer.Option(..., "--statement", help="what you reviewed and approve"),
                validation: str | None = typer.Option(None, "--validation", help="the report id you reviewed"),
                as_user: str | None = AS, json_out: bool = JSON) -> None:
    """A clinician approves a validated version after reviewing its report."""
    from medkosh.deployment.lifecycle import approve

    out = _run(lambda s, p: approve(s, _need(p), version, registration_number=registration, statement=statement,
                                    viewed_validation=validation), as_user)
    emit_json(out) if json_out else info(f"approved {_line(out)}")


@app.command("deploy")
def deploy_cmd(version: str, mode: str = typer.Option("supervised", "--mode", help="shadow | supervised | active"),
               as_user: str | None = AS, json_out: bool = JSON) -> None:
    """Deploy an approved version (needs a passing validation and a clinical approval)."""
    from medkosh.deployment.lifecycle import deploy

    out = _run(lambda s, p: deploy(s, _need(p), version, mode), as_user)
    emit_json(out) if json_out else info(f"deployed {_line(out)}")


@app.command("suspend")
def suspend_cmd(version: str, reason: str = typer.Option(..., "--reason"), as_user: str | None = AS,
                json_out: bool = JSON) -> None:
    """Suspend a deployed version."""
    from medkosh.deployment.lifecycle import suspend

    out = _run(lambda s, p: suspend(s, _need(p), version, reason), as_user)
    emit_json(out) if json_out else info(f"suspended {_line(out)}")


@app.command("retire")
def retire_cmd(version: str, reason: str = typer.Option(..., "--reason"), as_user: str | None = AS,
               json_out: bool = JSON) -> None:
    """Retire a version for good."""
    from medkosh.deployment.lifecycle import retire

    out = _run(lambda s, p: retire(s, _need(p), version, reason), as_user)
    emit_json(out) if json_out else info(f"retired {_line(out)}")


@app.command("card")
def card_cmd(version: str, fmt: str = typer.Option("json", "--format", help="json | html"),
             out: Path | None = typer.Option(None, "--out", help="write here instead of stdout")) -> None:
    """The model card (CHAI Applied Model Card headings), from lineage, validation and the developer."""
    from medkosh.errors import InputError
    from medkosh.models.card import card_html, model_card

    if fmt not in ("json", "html"):
        raise InputError(f"unknown format {fmt!r}", where="--format", hint="use json or html")
    c = _run(lambda s, _p: model_card(s, version), None)
    text = json.dumps(c, indent=1, default=str) if fmt == "json" else card_html(c)
    if out:
        out.write_text(text, encoding="utf-8")
        info(f"wrote {out}")
    else:
        typer.echo(text)


@app.command("monitor")
def monitor_cmd(version: str, json_out: bool = JSON) -> None:
    """Check drift, override rate and performance now; suspends the deployment if an alarm trips."""
    from medkosh.deployment.monitoring import check

    out = _run(lambda s, _p: check(s, version), None)
    if json_out:
        emit_json(out)
        return
    typer.echo(f"{out['model_version']}: {out['figures']['predictions']} predictions, "
               f"{len(out['alarms'])} alarm(s){' — SUSPENDED' if out['suspended'] else ''}")
    for a in out["alarms"]:
        typer.echo(f"  {a}")
