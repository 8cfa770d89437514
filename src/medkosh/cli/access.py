"""`medkosh access …`: requests, dataset access policy (committee, quorum, trainings), DUAs, grants, expiry.

Request filing and review happen in the portal or the API as the people themselves; the CLI is the
operator's view and the steward's settings, audited as 'cli:<os user>'."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from medkosh.cli._common import emit_json, ensure_store

app = typer.Typer(help="Access requests, committee review, data use agreements and grants.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Access requests, committee review, data use agreements and grants."""


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@app.command("list")
def list_requests(json_out: bool = typer.Option(False, "--json")) -> None:
    """Every access request, newest first."""
    from sqlalchemy import select

    from medkosh.access.requests import summary
    from medkosh.store.db import session_scope
    from medkosh.store.tables.access import AccessRequestRow

    ensure_store()
    with session_scope() as s:
        rows = [summary(r) for r in s.execute(select(AccessRequestRow)
                                                .order_by(AccessRequestRow.created_at.desc())).scalars()]
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['id']}  {r['state']:<10} {r['purpose']:<8} {r['title']}")


@app.command("show")
def show(request_id: str = typer.Argument(...), json_out: bool = typer.Option(False, "--json")) -> None:
    """A request with its datasets, team, reviews, comments, conditions and grants."""
    from medkosh.access import requests
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        out = requests.describe(s, request_id)
    if json_out:
        emit_json(out)
        return
    typer.echo(f"{out['id']}  {out['title']}\n  state: {out['state']}  purpose: {out['purpose']}  "
               f"applicant: {out['applicant']['email'] if out['applicant'] else '?'}")
    for rv in out["reviews"]:
        typer.echo(f"  review: {rv['reviewer']['email'] if rv['reviewer'] else '?'} {rv['decision']} {rv['comment']}")
    for g in out["grants"]:
        typer.echo(f"  grant {g['id']}: {g['user_id']} {g['dataset_id']} {g['status']} until {g['expires_at'][:10]}")


@app.command("policy")
def policy(dataset_id: str = typer.Argument(...), quorum: int = typer.Option(None, min=1, max=20),
           committee: list[str] = typer.Option(None, "--member", help="Committee member (email or id); repeat."),
           training: list[str] = typer.Option(None, "--training", help="Required training code; repeat."),
           json_out: bool = typer.Option(False, "--json")) -> None:
    """Show or set a dataset's committee, n-of-m quorum and required trainings."""
    from medkosh.access import service
    from medkosh.catalog.service import get_dataset_row
    from medkosh.identity.service import find_user
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        get_dataset_row(s, dataset_id)
        if quorum is None and not committee and not training:
            out = service.dataset_policy(s, dataset_id)
        else:
            members = [find_user(s, m).id for m in committee] if committee else None
            out = service.set_dataset_policy(s, dataset_id, actor=_actor(), quorum=quorum, committee=members,
                                             required_trainings=training or None)
    if json_out:
        emit_json(out)
    else:
        typer.echo(f"{dataset_id}: quorum {out['quorum']} of {len(out['committee'])}; committee {out['committee']}; "
                   f"trainings {out['required_trainings']}")


@app.command("dua")
def dua(dataset_id: str = typer.Argument(...),
        text_file: Path = typer.Option(None, "--file", exists=True, dir_okay=False, help="Publish this text as a new version."),
        title: str = typer.Option("Data use agreement"), json_out: bool = typer.Option(False, "--json")) -> None:
    """Show a dataset's current DUA, or publish a new version from a text file."""
    from medkosh.access import service
    from medkosh.catalog.service import get_dataset_row
    from medkosh.errors import NotFoundError
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        get_dataset_row(s, dataset_id)
        if text_file is not None:
            out = service.publish_dua(s, dataset_id, title, text_file.read_text(encoding="utf-8"), actor=_actor())
        else:
            current = service.current_dua(s, dataset_id)
            if current is None:
                raise NotFoundError(f"dataset {dataset_id} has no DUA", hint="publish one with --file")
            out = current
    if json_out:
        emit_json(out)
    else:
        typer.echo(f"{out['title']} v{out['version']} sha256 {out['sha256']}\n\n{out['text']}")


@app.command("grants")
def grants(version: str = typer.Option(None, help="Only grants pointing at this version id."),
           json_out: bool = typer.Option(False, "--json")) -> None:
    """Grants (all, or the live ones on one version)."""
    from medkosh.access import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        rows = [g.as_dict() for g in (service.grants_for_version(s, version) if version else service.grants_of(s))]
    if json_out:
        emit_json(rows)
        return
    for g in rows:
        typer.echo(f"{g['id']}  {g['status']:<11} {g['user_id']}  {g['dataset_id']}  until {str(g['expires_at'])[:10]}")


@app.command("revoke-grant")
def revoke_grant(grant_id: str = typer.Argument(...), reason: str = typer.Option(..., help="Why (kept in the audit log).")) -> None:
    """End one grant now."""
    from medkosh.access import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        g = service.revoke_grant(s, grant_id, reason, actor=_actor())
    typer.echo(f"{g.id}: {g.status.value}")


@app.command("sweep")
def sweep(json_out: bool = typer.Option(False, "--json")) -> None:
    """Expire grants and approved requests whose period has ended (run daily, e.g. from cron)."""
    from medkosh.access import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        out = service.sweep_expired(s)
    if json_out:
        emit_json(out)
    else:
        typer.echo(f"expired {out['grants_expired']} grants and {out['requests_expired']} requests")
