"""`medkosh consent import|revoke|expire|enforce|show|list|eligibility` and `medkosh consent trust …`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from medkosh.cli._common import emit_json, ensure_store, info

app = typer.Typer(help="Import, revoke, expire and enforce ABDM consent artefacts.", no_args_is_help=True)
trust_app = typer.Typer(help="Consent managers' public keys trusted to sign artefacts.", no_args_is_help=True)
app.add_typer(trust_app, name="trust")


@app.callback()
def _group() -> None:
    """Import, revoke, expire and enforce ABDM consent artefacts."""


@trust_app.callback()
def _trust_group() -> None:
    """Consent managers' public keys trusted to sign artefacts and notifications."""


def _actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (containers)
        return "cli:unknown"


def _files(paths: list[Path]) -> list[Path]:
    from medkosh.errors import InputError

    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                raise InputError(f"no .json consent artefacts in {path}", hint="give a file or a folder of them")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(f"no such file or folder: {path}")
    return out


IMPORT_BATCH = 200  # artefacts per transaction (each in its own savepoint)


@app.command("import")
def import_(paths: list[Path] = typer.Argument(..., help="Artefact files (JSON) or folders of them."),
            json_out: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Verify each artefact's signature against the trusted consent-manager keys and store it.

    An artefact that fails (bad signature, unknown consent manager, malformed) is rejected and named;
    the others are still imported, and the command exits non-zero if any was rejected."""
    from medkosh.consent import service
    from medkosh.errors import InputError, MedkoshError
    from medkosh.store.db import session_scope

    ensure_store()
    files = _files(paths)
    actor = _actor()
    results: list[dict[str, Any]] = []
    rejected: list[tuple[str, MedkoshError]] = []
    for start in range(0, len(files), IMPORT_BATCH):
        batch: list[tuple[bytes, str]] = []
        for path in files[start:start + IMPORT_BATCH]:
            try:
                batch.append((path.read_bytes(), str(path)))
            except OSError as exc:
                rejected.append((str(path), InputError(f"cannot read {path}: {exc.strerror}")))
        with session_scope() as s:
            done, refused = service.import_many(s, batch, actor=actor)
        results.extend({"file": where, **r.as_dict()} for where, r in done)
        rejected.extend((r.where, r.error) for r in refused)
    for _where, error in rejected:
        info(f"[red]rejected[/red] {error.user_line()}")
    counts: dict[str, int] = {}
    for r in results:
        counts[r["action"]] = counts.get(r["action"], 0) + 1
    if json_out:
        emit_json({"files": len(files), "counts": counts, "artefacts": results,
                   "rejected": [{"file": w, "error": e.user_line()} for w, e in rejected]})
    else:
        summary = ", ".join(f"{n} {a.replace('_', ' ')}" for a, n in sorted(counts.items())) or "none stored"
        typer.echo(f"{len(files)} artefact file(s): {summary}; {len(rejected)} rejected")
    if rejected:
        first = rejected[0][1]
        raise type(first)(f"{len(rejected)} of {len(files)} consent artefact(s) rejected; first: "
                          f"{first.user_line()}", hint="fix or re-request them; the others were imported")


def _change(consent_id: str, target: str, reason: str | None, json_out: bool) -> None:
    from medkosh.consent import service
    from medkosh.consent.types import ChangeSource, ConsentStatus
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        changed = service.change_status(s, consent_id, ConsentStatus(target), source=ChangeSource.CLI,
                                        actor=_actor(), note=reason)
        shown = service.show(s, consent_id)
    if json_out:
        emit_json({"consent_id": consent_id, "changed": changed, "status": shown["status"],
                   "enforcement": shown["enforcement"]})
    elif changed:
        typer.echo(f"consent {consent_id} is now {target}; run 'medkosh consent enforce' to withdraw it from "
                   "datasets and erase its raw records")
    else:
        typer.echo(f"consent {consent_id} was already {target}")


@app.command()
def revoke(consent_id: str = typer.Argument(..., help="The consentId."),
           reason: str = typer.Option(None, "--reason", help="A note kept in the history (no patient names)."),
           json_out: bool = typer.Option(False, "--json")) -> None:
    """Record that the patient withdrew this consent (e.g. received in writing at the hospital)."""
    _change(consent_id, "REVOKED", reason, json_out)


@app.command()
def expire(consent_id: str = typer.Argument(..., help="The consentId."),
           reason: str = typer.Option(None, "--reason", help="A note kept in the history."),
           json_out: bool = typer.Option(False, "--json")) -> None:
    """Mark this consent EXPIRED (its purpose ended, or the consent manager says so)."""
    _change(consent_id, "EXPIRED", reason, json_out)


def _parse_as_of(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    from medkosh.consent.artefact import parse_timestamp

    return parse_timestamp(value, "--as-of", "command line")


@app.command()
def enforce(as_of: str = typer.Option(None, "--as-of", help="Act as if it were this moment (ISO 8601); "
                                      "default now."),
            json_out: bool = typer.Option(False, "--json")) -> None:
    """Expire consents past dataEraseAt, rebuild every dataset version holding a withdrawn principal
    (old version: superseded — consent withdrawn), and erase their raw records. Safe to re-run."""
    from medkosh.consent.enforce import enforce as run

    ensure_store()
    report = run(as_of=_parse_as_of(as_of), actor=_actor(), progress=lambda m: info(m))
    if json_out:
        emit_json(report.as_dict())
    else:
        typer.echo(f"expired {len(report.expired)} consent(s); {len(report.withdrawn)} dataset version(s) "
                   f"withdrawn; raw records erased for {len(report.erased)} consent(s)")
        for w in report.withdrawn:
            new = f"version {w['new_version']}" if w["new_version"] else "no new version"
            grants = w["grants"] if isinstance(w["grants"], str) else len(w["grants"])
            typer.echo(f"  {w['dataset_id']}: {str(w['old_version'])[:12]} superseded — consent withdrawn; "
                       f"{new}; grants still pointing at it: {grants}")
    if report.failed:
        from medkosh.errors import StoreError

        first = report.failed[0]
        raise StoreError(f"{len(report.failed)} enforcement task(s) could not finish; first: "
                         f"{first['kind']} for consent {first['consent_id']}: {first['error']}",
                         hint="the work stays pending; fix the cause and run 'medkosh consent enforce' again")


@app.command()
def show(consent_id: str = typer.Argument(..., help="The consentId."),
         json_out: bool = typer.Option(False, "--json")) -> None:
    """An artefact's index fields, status history and enforcement work (patient shown as a keyed hash)."""
    from medkosh.consent import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        data = service.show(s, consent_id)
    if json_out:
        emit_json(data)
        return
    typer.echo(f"{data['consent_id']}  {data['status']}  purpose {data['purpose']}  access {data['access_mode']}")
    typer.echo(f"  hiTypes: {', '.join(data['hi_types'])}")
    typer.echo(f"  dateRange: {data['date_range']['from']} .. {data['date_range']['to']}; "
               f"dataEraseAt {data['data_erase_at']}")
    typer.echo(f"  hip {data['hip']}  hiu {data['hiu']}  consent manager {data['consent_manager']}")
    for h in data["history"]:
        typer.echo(f"  {h['recorded_at']}  {h['from'] or '—'} → {h['to']}  ({h['source']}, {h['actor']})")
    for t in data["enforcement"]:
        typer.echo(f"  enforcement {t['kind']}: {t['state']}" + (f" ({t['last_error']})" if t["last_error"] else ""))


@app.command("list")
def list_(status: str = typer.Option(None, "--status", help="Only artefacts with this status."),
          limit: int = typer.Option(1000, min=1, max=100000),
          json_out: bool = typer.Option(False, "--json")) -> None:
    """Stored artefacts (index fields only), and counts per status."""
    from medkosh.consent import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        rows = service.list_artefacts(s, status=status, limit=limit)
        counts = service.counts_by_status(s)
    if json_out:
        emit_json({"counts": counts, "artefacts": rows})
        return
    typer.echo(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no consent artefacts")
    for r in rows:
        typer.echo(f"  {r['consent_id']}  {r['status']:<9} {r['purpose']:<8} {','.join(r['hi_types'])}")


@app.command()
def eligibility(purpose: str = typer.Option("DSRCH", help="The dataset's purpose: DSRCH or PUBHLTH."),
                hi_types: str = typer.Option(..., "--hi-types", help="Comma-separated hiTypes."),
                from_: str = typer.Option(None, "--from", help="Window start (YYYY-MM-DD)."),
                to: str = typer.Option(None, "--to", help="Window end (YYYY-MM-DD)."),
                json_out: bool = typer.Option(False, "--json")) -> None:
    """Preview a dataset's consent snapshot over the raw zone: eligible patients and exclusions by reason."""
    from medkosh.consent.eligibility import eligibility as snapshot
    from medkosh.errors import InputError
    from medkosh.store.db import session_scope

    def day(value: str | None, default: dt.date, flag: str) -> dt.date:
        if value is None:
            return default
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise InputError(f"{flag} is not a date: {value!r}", hint="use YYYY-MM-DD") from exc

    ensure_store()
    window = (day(from_, dt.date.min, "--from"), day(to, dt.date.max, "--to"))
    with session_scope() as s:
        snap = snapshot(s, purpose, [h.strip() for h in hi_types.split(",") if h.strip()], window)
    data = snap.as_dict()
    if json_out:
        emit_json(data)
        return
    typer.echo(f"snapshot {data['snapshot_id'][:16]}  purpose {data['purpose']}  hiTypes {','.join(data['hi_types'])}")
    for reason, n in data["patients"].items():
        typer.echo(f"  {reason:<22} {n}")


@app.command()
def reindex(json_out: bool = typer.Option(False, "--json")) -> None:
    """Recompute the keyed patient index of every artefact (run after rotating consent-patient-index)."""
    from medkosh.consent import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        changed = service.reindex(s, actor=_actor())
    if json_out:
        emit_json({"changed": changed})
    else:
        typer.echo(f"patient index rebuilt: {changed} artefact(s) re-keyed")


@trust_app.command("add")
def trust_add(cm_id: str = typer.Option(None, "--id", help="The consent manager's id (consentManager.id)."),
              public_key: str = typer.Option(None, "--public-key", help="A key file (PEM or hex) or 64 hex digits."),
              alg: str = typer.Option(None, "--alg", help="EdDSA or RS256 (checked against the key)."),
              from_json: Path = typer.Option(None, "--from-json",
                                             help="A public.json {id, alg, public_key} as medkosh synth writes it."),
              json_out: bool = typer.Option(False, "--json")) -> None:
    """Trust a consent manager's public key for artefact and notification signatures."""
    import orjson

    from medkosh.consent.signatures import add_trusted_key
    from medkosh.errors import InputError
    from medkosh.store.db import session_scope

    if from_json is not None:
        try:
            doc = orjson.loads(from_json.read_bytes())
            cm_id, public_key, alg = cm_id or doc["id"], doc["public_key"], alg or doc.get("alg")
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"cannot read {from_json}", hint="expected {\"id\", \"alg\", \"public_key\"}") from exc
    if not cm_id or not public_key:
        raise InputError("give --id and --public-key, or --from-json")
    key_path = Path(public_key)
    text = key_path.read_text() if len(public_key) < 4096 and key_path.is_file() else public_key
    ensure_store()
    with session_scope() as s:
        key = add_trusted_key(s, cm_id, text, alg=alg, actor=_actor())
    if json_out:
        emit_json({"consent_manager_id": key.consent_manager_id, "alg": key.alg.value,
                   "fingerprint": key.fingerprint})
    else:
        typer.echo(f"trusted {key.alg.value} key {key.fingerprint[:16]} for consent manager {key.consent_manager_id}")


@trust_app.command("list")
def trust_list(json_out: bool = typer.Option(False, "--json")) -> None:
    """Trusted keys, removed ones included (with when they were removed)."""
    from medkosh.consent.signatures import list_trusted
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        rows = list_trusted(s)
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        state = f"removed {r['removed_at']}" if r["removed_at"] else "trusted"
        typer.echo(f"{r['fingerprint'][:16]}  {r['alg']:<6} {r['consent_manager_id']}  {state}")


@trust_app.command("remove")
def trust_remove(fingerprint: str = typer.Argument(..., help="The key's fingerprint (from 'trust list')."),
                 json_out: bool = typer.Option(False, "--json")) -> None:
    """Stop trusting a key; artefacts already imported keep the record of the key that verified them."""
    from sqlalchemy import select

    from medkosh.consent.signatures import remove_trusted_key
    from medkosh.errors import InputError
    from medkosh.store.db import session_scope
    from medkosh.store.tables.consent import ConsentTrustedKeyRow

    ensure_store()
    with session_scope() as s:
        prefix = fingerprint.strip().lower()
        matches = s.execute(select(ConsentTrustedKeyRow.fingerprint)
                            .where(ConsentTrustedKeyRow.fingerprint.startswith(prefix))).scalars().all()
        if len(matches) > 1:
            raise InputError(f"fingerprint prefix {prefix!r} is ambiguous", hint="give more digits")
        remove_trusted_key(s, matches[0] if matches else prefix, actor=_actor())
    if json_out:
        emit_json({"removed": matches[0] if matches else prefix})
    else:
        typer.echo(f"no longer trusted: {matches[0] if matches else prefix}")
