"""`medkosh reliability leak-scan|reid-attack`: the leak-canary scan of everything medkosh releases or shows,
and the linkage re-identification attack on released datasets (see docs/reliability.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from medkosh.cli._common import emit_json, ensure_store, info

app = typer.Typer(help="Leak-canary scan and re-identification attack (reliability proofs).", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Leak-canary scan and re-identification attack (reliability proofs)."""


def _default_canaries() -> Path | None:
    from medkosh.config import get_settings

    path = get_settings().home_dir / "demo-data" / "synth" / "canaries.json"
    return path if path.is_file() else None


def _crawl_as_every_user(scanner: Any, limit: int) -> dict[str, Any]:
    """Start a session for every active user (each start is an audited login) and crawl the portal and API
    with it, plus once without signing in."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from medkosh.api.app import create_app
    from medkosh.api.deps import SESSION_COOKIE, serializer
    from medkosh.identity import service
    from medkosh.identity.types import UserStatus
    from medkosh.reliability import leaks
    from medkosh.store.db import session_scope
    from medkosh.store.tables.identity import UserRow

    app_ = create_app()
    with session_scope() as s:
        start = leaks.fill_routes(leaks.route_templates(app_.routes), leaks.path_records(s))
        users = list(s.execute(select(UserRow.email).where(UserRow.status == UserStatus.ACTIVE.value)
                               .order_by(UserRow.email)).scalars())
    out: dict[str, Any] = {}
    for email in [None, *users]:
        client = TestClient(app_, follow_redirects=False)
        if email is not None:
            with session_scope() as s:
                raw = service.start_session(s, service.find_user(s, email), via="reliability-scan")
            client.cookies.set(SESSION_COOKIE, serializer("medkosh-session").dumps(raw))

        def get(path: str, c: Any = client) -> tuple[int, dict[str, str], bytes]:
            r = c.get(path)
            return r.status_code, dict(r.headers), r.content

        who = email or "anonymous"
        stats = leaks.crawl(get, start, scanner, who, limit=limit)
        out[who] = {"requests": stats.requests, "by_status": stats.by_status, "bytes": stats.bytes,
                    "not_visited": stats.left}
    return out


@app.command("leak-scan")
def leak_scan(paths: list[Path] = typer.Argument(None, help="Extra files or folders to scan."),
              canaries: Path = typer.Option(None, help="canaries.json from `medkosh synth` "
                                                       "(default: MEDKOSH_HOME/demo-data/synth/canaries.json)."),
              released: bool = typer.Option(True, "--released/--no-released",
                                            help="Scan what MEDKOSH_HOME releases: dataset versions, cards, "
                                                 "Croissant/DCAT, released outputs, validation reports, model "
                                                 "cards, an audit export, logs and other in-scope files."),
              crawl: bool = typer.Option(False, "--crawl", help="Also GET every API route and portal page as "
                                                                "every user (starts one audited session each)."),
              limit: int = typer.Option(3000, min=1, help="Most requests per user when crawling."),
              json_out: bool = typer.Option(False, "--json")) -> None:
    """Search everything medkosh can release or show for the planted canary identities in every common
    rendering. Exits 1 when any canary is found (findings are masked)."""
    from medkosh.config import get_settings
    from medkosh.errors import InputError
    from medkosh.reliability import leaks
    from medkosh.store.db import session_scope

    source = canaries or _default_canaries()
    if source is None:
        raise InputError("no canary list", where="--canaries",
                         hint="give --canaries <synth out>/canaries.json (written by `medkosh synth`)")
    scanner = leaks.LeakScanner(leaks.load_canaries(source))
    for path in leaks.iter_paths(paths or []):
        scanner.scan_file(path, "given path")
    crawled: dict[str, Any] = {}
    if released or crawl:
        ensure_store()
    if released:
        info("scanning released artefacts, an audit export, logs and in-scope files under MEDKOSH_HOME …")
        with session_scope() as s:
            leaks.scan_home(scanner, get_settings().home_dir, s)
    if crawl:
        info("crawling the API and the portal as every user …")
        crawled = _crawl_as_every_user(scanner, limit)
    result = leaks.summary(scanner)
    result["out_of_scope"] = list(leaks.OUT_OF_SCOPE)
    if released:
        with session_scope() as s:
            result["canaries_in_versions"] = leaks.canaries_in_releases(s, source)
    if crawl:
        result["crawl"] = crawled
    if json_out:
        emit_json(result)
    else:
        typer.echo(f"{result['canary_values']} canary values of {result['identities']} identities, "
                   f"{result['needles']} renderings; scanned {result['bytes_scanned']:,} bytes in "
                   + ", ".join(f"{n} {k}" for k, n in result["scanned"].items()))
        if "canaries_in_versions" in result:
            members = result["canaries_in_versions"]
            typer.echo("canary identities among the members of: "
                       + (", ".join(f"{ref} ({len(ids)})" for ref, ids in members.items()) or "no dataset version"))
        for h in scanner.hits[:50]:
            typer.echo(f"  LEAK {h.kind} (identity {h.identity}) in {h.source} [{h.layer}, {h.where}]: {h.excerpt}")
        typer.echo(f"{result['hits']} hit(s)")
    if scanner.hits:
        raise typer.Exit(1)


@app.command("reid-attack")
def reid_attack(refs: list[str] = typer.Argument(None, help="Dataset versions (default: every published "
                                                             "registered-tier version with quasi-identifiers)."),
                sample: int = typer.Option(None, min=1, help="Attack this many members (default: all)."),
                seed: int = typer.Option(0, help="Seed for the sample."),
                json_out: bool = typer.Option(False, "--json")) -> None:
    """Linkage attack with raw quasi-identifiers against released records; compares the success rate with
    the stated prosecutor risk. Exits 1 when an attacker beats the stated bound."""
    from medkosh.errors import InputError
    from medkosh.reliability import reid_attack as ra
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        targets = list(refs or ra.attackable_versions(s))
        if not targets:
            raise InputError("no published registered-tier dataset with quasi-identifiers to attack",
                             hint="build one (e.g. `medkosh demo`) or name a version: dataset@N")
        results = [r for ref in targets for r in ra.attack_version(s, ref, sample=sample, seed=seed)]
    broken = [r for r in results if r.within_bound is False]
    if json_out:
        emit_json({"results": [r.as_dict() for r in results], "bound_exceeded": len(broken)})
    else:
        for r in results:
            bound = (f"stated prosecutor risk max {r.stated_prosecutor_max:.3f} avg {r.stated_prosecutor_avg:.3f} "
                     f"(k={r.k:g}) → {'within' if r.within_bound else 'EXCEEDED'}"
                     if r.stated_prosecutor_max is not None and r.stated_prosecutor_avg is not None and r.k
                     else "no stated bound (un-anonymised control)")
            typer.echo(f"{r.dataset} {r.table} [{r.attacker}] {r.targets} targets, own record matched for "
                       f"{r.found}; success mean {r.mean_success:.3f} max {r.max_success:.3f}; "
                       f"{r.mean_matches:.1f} candidates each; {bound}")
    if broken:
        info(f"error: {len(broken)} attack(s) beat the dataset's stated prosecutor-risk bound")
        raise typer.Exit(1)
