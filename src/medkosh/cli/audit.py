"""`medkosh audit verify|export|tail`."""

from __future__ import annotations

from pathlib import Path

import typer

from medkosh.cli._common import emit_json, ensure_store

app = typer.Typer(help="Verify and export the tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify(json_out: bool = typer.Option(False, "--json")) -> None:
    """Recompute the hash chain and check signed checkpoints; exit 9 naming the first broken entry."""
    from medkosh.audit.verify import verify_database
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as session:
        result = verify_database(session)
    if json_out:
        emit_json(result.as_dict())
    if result.ok:
        if not json_out:
            typer.echo(f"audit log intact: {result.events} entries, {result.checkpoints} signed checkpoints "
                       f"({result.seconds:.2f} s)")
        return
    from medkosh.errors import IntegrityError

    where = f"entry {result.first_bad_seq}" + (f" ({result.first_bad_event_id})" if result.first_bad_event_id else "")
    raise IntegrityError(f"audit log broken: {result.reason}", where=where,
                         hint="treat the log as tampered; restore from an export and investigate")


@app.command("export")
def export(out: Path = typer.Argument(..., help="Folder to write the export into."),
           json_out: bool = typer.Option(False, "--json")) -> None:
    """Write events.jsonl, checkpoints.json, public_key.txt and verify_audit.py for outside auditors."""
    from medkosh.audit import record
    from medkosh.audit.service import checkpoint_now
    from medkosh.audit.types import CoreEvent
    from medkosh.audit.verify import export as do_export
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as session:
        record(session, CoreEvent.AUDIT_EXPORTED, actor="cli", details={"out_dir": str(out)})
        checkpoint_now(session)
    with session_scope() as session:
        summary = do_export(session, out)
    if json_out:
        emit_json(summary)
    else:
        typer.echo(f"exported {summary['events']} entries and {summary['checkpoints']} checkpoints to {out}; "
                   f"check with: python {out}/verify_audit.py {out}")
