"""`medkosh outputs review|approve|reject|release|download`: the airlock for job outputs."""

from __future__ import annotations

from pathlib import Path

import typer

from medkosh.cli._common import emit_json, ensure_store

app = typer.Typer(help="Check and release job outputs (airlock).", no_args_is_help=True)
AS = typer.Option(None, "--as", help="Act as this user (email or id); or set MEDKOSH_TOKEN.")


@app.callback()
def _group() -> None:
    """Check and release job outputs (airlock)."""


@app.command("review")
def review(as_user: str = AS, job: str = typer.Option(None, help="Only this job's outputs."),
           json_out: bool = typer.Option(False, "--json")) -> None:
    """Outputs waiting for checkers (those you may check), with the automatic checks' findings."""
    import os

    from medkosh.cli._acting import cli_principal
    from medkosh.compute import outputs
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        who = cli_principal(s, as_user) if (as_user or os.environ.get("MEDKOSH_TOKEN")) else None
        rows = outputs.outputs_of(s, job) if job else outputs.review_queue(s, who)
        views = [outputs.view(s, r).as_dict() for r in rows]
    if json_out:
        emit_json(views)
        return
    for v in views:
        reasons = "; ".join(v["auto_check"].get("reasons", []))
        typer.echo(f"{v['id']}  {v['status']:<14} {v['job_id']}  {v['path']}  approvals {v['approvals']}/2  {reasons}")


def _decide(output_id: str, as_user: str | None, decision: str, comment: str) -> None:
    from medkosh.cli._acting import cli_principal
    from medkosh.compute import outputs
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        row = outputs.decide(s, cli_principal(s, as_user), output_id, decision, comment)
        status = row.status
    typer.echo(f"{output_id}  {status}")


@app.command("approve")
def approve(output_id: str = typer.Argument(...), as_user: str = AS,
            comment: str = typer.Option("", help="Optional note for the record.")) -> None:
    """Approve an output (two independent checkers are needed)."""
    _decide(output_id, as_user, "approve", comment)


@app.command("reject")
def reject(output_id: str = typer.Argument(...), as_user: str = AS,
           comment: str = typer.Option(..., help="What the researcher must change.")) -> None:
    """Reject an output, saying why."""
    _decide(output_id, as_user, "reject", comment)


@app.command("release")
def release(output_id: str = typer.Argument(...), as_user: str = AS) -> None:
    """Release an approved output to the job's team."""
    from medkosh.cli._acting import cli_principal
    from medkosh.compute import outputs
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        outputs.release(s, cli_principal(s, as_user), output_id)
    typer.echo(f"{output_id}  released")


@app.command("download")
def download(output_id: str = typer.Argument(...), dest: Path = typer.Argument(..., help="File to write."),
             as_user: str = AS) -> None:
    """Save a released output (the checked version) — job team only."""
    import os

    from medkosh.cli._acting import cli_principal
    from medkosh.compute import outputs
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        _, data = outputs.released_bytes(s, cli_principal(s, as_user), output_id)
    tmp = dest.with_name(f".{dest.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, dest)
    typer.echo(f"wrote {len(data):,} bytes to {dest}", err=True)
