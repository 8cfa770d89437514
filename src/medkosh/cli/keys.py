"""`medkosh keys list|rotate`: the secrets kept outside the database (HOME/keys, 0600, or MEDKOSH_KEY_*).

Only key ids (a public fingerprint) are ever printed; never a key."""

from __future__ import annotations

import getpass

import typer

from medkosh.cli._common import emit_json, ensure_store

app = typer.Typer(help="List and rotate the secrets kept outside the database (never printed).",
                  no_args_is_help=True)


@app.callback()
def keys() -> None:
    """Pseudonymisation keys, the consent index key, the audit signing key and the web key."""


@app.command("list")
def list_cmd(json_out: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """Name, key id, where it comes from (file or environment variable) and the file's mode."""
    from medkosh.config import get_settings
    from medkosh.keys import list_keys

    infos = list_keys()
    keys_dir = get_settings().keys_dir
    dir_mode = f"{keys_dir.stat().st_mode & 0o777:04o}" if keys_dir.is_dir() else None
    if json_out:
        emit_json({"keys_dir": str(keys_dir), "dir_mode": dir_mode, "keys": [i.as_dict() for i in infos]})
        return
    typer.echo(f"{keys_dir} (mode {dir_mode or 'missing'})")
    if not infos:
        typer.echo("no keys yet (each is created on first use)")
    for i in infos:
        mode = i.mode or "-"
        warn = "" if i.mode_ok else "  <- not 0600: chmod 600 it"
        retired = f"  ({i.retired} retired)" if i.retired else ""
        typer.echo(f"{i.name:32} {i.key_id}  {i.source:28} {mode}{retired}{warn}")


@app.command("rotate")
def rotate_cmd(name: str = typer.Argument(..., help="Key name, as `medkosh keys list` shows it."),
               break_linkage: bool = typer.Option(False, "--break-linkage",
                                                  help="For pseudonym-<dataset>: accept that later versions get "
                                                       "pseudonyms unrelated to earlier ones."),
               json_out: bool = typer.Option(False, "--json", help="Print one JSON document.")) -> None:
    """Replace a key with a new random one (audited as system.key.rotated, with both key ids)."""
    from medkosh.audit import Actor
    from medkosh.keys import rotate

    ensure_store()
    details = rotate(name, actor=Actor(id=f"cli:{getpass.getuser()}"), break_linkage=break_linkage)
    if json_out:
        emit_json(details)
        return
    extra = ""
    if "consent_artefacts_reindexed" in details:
        extra = f"; {details['consent_artefacts_reindexed']} consent artefacts re-indexed"
    typer.echo(f"rotated {name}: {details['old_key_id']} -> {details['new_key_id']}{extra} "
               "(restart running medkosh services so they read the new key)")
