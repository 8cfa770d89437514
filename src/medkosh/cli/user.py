"""`medkosh user …`: institutions, people, roles, identity verification, trainings and API tokens.

The CLI is the operator's tool on the server itself: its actions are audited as 'cli:<os user>'."""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from typing import Any

import typer

from medkosh.cli._common import emit_json, ensure_store, info

app = typer.Typer(help="Manage users, institutions, roles and trainings.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Manage users, institutions, roles, trainings and API tokens."""


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _user_dict(u: Any) -> dict[str, Any]:
    return {"id": u.id, "email": u.email, "name": u.name, "institution_id": u.institution_id,
            "institution": u.institution_name, "roles": sorted(u.roles), "status": u.status.value,
            "verification": u.verification.value}


@app.command("institutions")
def institutions(json_out: bool = typer.Option(False, "--json")) -> None:
    """List institutions."""
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        rows = [{"id": i.id, "name": i.name, "kind": i.kind, "oidc_issuer": i.oidc_issuer}
                for i in service.list_institutions(s)]
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['id']}  {r['name']}  ({r['kind']}{', OIDC' if r['oidc_issuer'] else ''})")


@app.command("add-institution")
def add_institution(name: str = typer.Argument(...), kind: str = typer.Option("research", help="hospital, research, …"),
                    oidc_issuer: str = typer.Option(None, help="OIDC issuer URL, for sign-in with the institution's IdP"),
                    oidc_client_id: str = typer.Option(None), json_out: bool = typer.Option(False, "--json")) -> None:
    """Add an institution."""
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        inst = service.create_institution(s, name, kind, actor=_actor(), oidc_issuer=oidc_issuer,
                                          oidc_client_id=oidc_client_id)
    if json_out:
        emit_json({"id": inst.id, "name": inst.name, "kind": inst.kind})
    else:
        typer.echo(inst.id)


@app.command("add")
def add(email: str = typer.Argument(...), name: str = typer.Option(..., help="Full name (used to sign DUAs)."),
        institution: str = typer.Option(..., help="Institution id or exact name."),
        role: list[str] = typer.Option(..., "--role", help="admin, steward, researcher, committee_member, clinician, auditor"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
        verified: bool = typer.Option(False, help="Mark the identity as verified now."),
        json_out: bool = typer.Option(False, "--json")) -> None:
    """Add a person. Without --password-stdin a random password is generated and printed once."""
    import secrets

    from medkosh.identity import service
    from medkosh.store.db import session_scope

    ensure_store()
    password = sys.stdin.readline().rstrip("\n") if password_stdin else secrets.token_urlsafe(12)
    with session_scope() as s:
        inst = service.find_institution(s, institution)
        user = service.create_user(s, email, name, inst.id, role, password=password, actor=_actor(), verified=verified)
    out = _user_dict(user)
    if not password_stdin:
        out["password"] = password
    if json_out:
        emit_json(out)
    else:
        typer.echo(f"{user.id}  {user.email}" + ("" if password_stdin else f"  password: {password}"))


@app.command("list")
def list_users(institution: str = typer.Option(None), json_out: bool = typer.Option(False, "--json")) -> None:
    """List people."""
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        inst = service.find_institution(s, institution).id if institution else None
        rows = [_user_dict(u) for u in service.list_users(s, institution_id=inst)]
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['id']}  {r['email']:<32} {','.join(r['roles']):<28} {r['verification']:<10} {r['institution']}")


@app.command("show")
def show(who: str = typer.Argument(..., help="Email or user id."), json_out: bool = typer.Option(False, "--json")) -> None:
    """Show a person with trainings and tokens."""
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        user = service.find_user(s, who)
        out = _user_dict(user)
        out["trainings"] = [{"code": t.code, "title": t.title, "completed_on": t.completed_on.isoformat(),
                             "expires_at": t.expires_at.isoformat()} for t in service.list_trainings(s, user.id)]
        out["tokens"] = service.list_tokens(s, user.id)
    if json_out:
        emit_json(out)
        return
    for key, value in out.items():
        typer.echo(f"{key}: {value}")


@app.command("roles")
def roles(who: str = typer.Argument(...), role: list[str] = typer.Option(..., "--role")) -> None:
    """Replace a person's roles."""
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        user = service.set_roles(s, service.find_user(s, who).id, role, actor=_actor())
    typer.echo(f"{user.email}: {', '.join(sorted(user.roles))}")


@app.command("verify")
def verify(who: str = typer.Argument(...), status: str = typer.Option("verified", help="verified, pending, rejected, unverified"),
           note: str = typer.Option("", help="What was checked (e.g. 'institutional ID seen').")) -> None:
    """Record the outcome of identity verification."""
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        user = service.set_verification(s, service.find_user(s, who).id, status, actor=_actor(), note=note)
    typer.echo(f"{user.email}: {user.verification.value}")


@app.command("suspend")
def suspend(who: str = typer.Argument(...), undo: bool = typer.Option(False, "--undo", help="Reactivate instead.")) -> None:
    """Suspend a person (ends their sessions and tokens at once), or reactivate them."""
    from medkosh.identity import service
    from medkosh.identity.types import UserStatus
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        user = service.set_status(s, service.find_user(s, who).id,
                                  UserStatus.ACTIVE if undo else UserStatus.SUSPENDED, actor=_actor())
    typer.echo(f"{user.email}: {user.status.value}")


@app.command("training")
def training(who: str = typer.Argument(...), code: str = typer.Argument(..., help="e.g. research-ethics, data-protection"),
             completed: str = typer.Option(..., help="Completion date, YYYY-MM-DD."),
             expires: str = typer.Option(..., help="Expiry date, YYYY-MM-DD."),
             provider: str = typer.Option("", help="Who gave the training.")) -> None:
    """Record a completed training with its expiry (access lapses when a required training expires)."""
    from medkosh.errors import InputError
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    try:
        done, until = dt.date.fromisoformat(completed), dt.date.fromisoformat(expires)
    except ValueError as exc:
        raise InputError(f"bad date: {exc}", hint="use YYYY-MM-DD") from exc
    ensure_store()
    with session_scope() as s:
        t = service.record_training(s, service.find_user(s, who).id, code, completed_on=done, expires_on=until,
                                    provider=provider, actor=_actor())
    typer.echo(f"{t.code} recorded until {t.expires_at.date()}")


@app.command("token")
def token(who: str = typer.Argument(...), name: str = typer.Option("cli", help="What the token is for."),
          scope: list[str] = typer.Option(["*"], "--scope", help="'*', '<domain>' or '<domain>:read'"),
          days: int = typer.Option(30, min=1, max=365), json_out: bool = typer.Option(False, "--json")) -> None:
    """Issue an API token (printed once; only its hash is stored)."""
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        token_id, raw = service.issue_token(s, service.find_user(s, who).id, name, scopes=scope, days=days,
                                            actor=_actor())
    if json_out:
        emit_json({"token_id": token_id, "token": raw})
    else:
        info(f"token {token_id} (shown once; use 'Authorization: Bearer <token>'):")
        typer.echo(raw)


@app.command("revoke-token")
def revoke_token(token_id: str = typer.Argument(...)) -> None:
    """Revoke an API token."""
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        service.revoke_token(s, token_id, actor=_actor())
    typer.echo(f"{token_id} revoked")
