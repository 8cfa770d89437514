"""`medkosh dataset …`: build, list, show, card, croissant, dcat and search the dataset catalog."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Build, list, show and search dataset versions in the catalog.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Build, list, show and search dataset versions in the catalog."""


def _actor() -> str:
    import getpass

    return f"cli:{getpass.getuser()}"


@app.command()
def build(spec: Path = typer.Argument(..., help="The dataset's SPEC.yaml."),
          json_out: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Build the next version: select → consent filter → anonymise → PHI scan → publish (atomically)."""
    from medkosh.catalog.build import build as run_build
    from medkosh.cli._common import emit_json, ensure_store, info

    ensure_store()
    result = run_build(spec, actor=_actor(), progress=lambda m: info(f"  {m}"))
    if json_out:
        emit_json(result.as_dict())
        return
    v = result.version
    state = "published" if result.created else "already published (identical inputs)"
    typer.echo(f"{v.ref} {state}: {v.rows} rows, {v.patients} patients, {len(v.files)} files; id {v.id}")
    excluded = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in result.excluded.items()) or "none"
    typer.echo(f"consent: {result.eligible} eligible; excluded: {excluded}")


@app.command("list")
def list_(json_out: bool = typer.Option(False, "--json", help="Print the datasets as JSON.")) -> None:
    """List the datasets in the catalog with their latest version."""
    from medkosh.catalog.service import list_datasets
    from medkosh.cli._common import emit_json, ensure_store
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        rows = list_datasets(s)
    if json_out:
        emit_json({"datasets": rows})
        return
    if not rows:
        typer.echo("the catalog is empty; build a dataset with 'medkosh dataset build SPEC.yaml'")
    for r in rows:
        typer.echo(f"{r['id']}@{r['latest_number']}  {r['tier']:<10} {r['modality']:<11} {r['rows']:>9} rows  "
                   f"{r['name']}")


@app.command()
def show(dataset_id: str = typer.Argument(..., help="Dataset id."),
         json_out: bool = typer.Option(False, "--json", help="Print the dataset and its versions as JSON.")) -> None:
    """Show a dataset and every version with its status (published / superseded — consent withdrawn)."""
    from medkosh.catalog.service import show_dataset
    from medkosh.cli._common import emit_json, ensure_store
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        out = show_dataset(s, dataset_id.split("@", 1)[0])
    if json_out:
        emit_json(out)
        return
    typer.echo(f"{out['id']}: {out['name']}  [{out['tier']}, {out['modality']}, {out['licence']}]")
    typer.echo(f"steward {out['steward']}, {out['institution']}; conditions {', '.join(out['conditions']) or '—'}")
    for v in out["versions"]:
        typer.echo(f"  @{v['number']:<3} {v['status_label']:<32} {v['created_at'][:19]}  {v['rows']:>8} rows  "
                   f"{v['patients']:>6} patients  {v['id'][:16]}")


@app.command()
def card(ref: str = typer.Argument(..., help="ID@VERSION (number or manifest hash)."),
         html: bool = typer.Option(False, "--html", help="Print the HTML card instead of Markdown."),
         out: Path = typer.Option(None, "--out", help="Write the card to this file instead of stdout.")) -> None:
    """Print a version's data card (Markdown by default)."""
    import sys

    from medkosh.catalog.service import card as get_card
    from medkosh.cli._common import ensure_store, info
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        data = get_card(s, ref, "html" if html else "md")
    if out is not None:
        out.write_bytes(data)
        info(f"wrote {out}")
        return
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


@app.command()
def croissant(ref: str = typer.Argument(..., help="ID@VERSION (number or manifest hash).")) -> None:
    """Print a version's Croissant JSON-LD (with the Responsible-AI fields)."""
    from medkosh.catalog.metadata import croissant_for
    from medkosh.cli._common import emit_json, ensure_store
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        emit_json(croissant_for(s, ref))


@app.command()
def dcat(ref: str = typer.Argument(..., help="ID@VERSION (number or manifest hash).")) -> None:
    """Print a version's DCAT-AP description (JSON-LD)."""
    from medkosh.catalog.metadata import dcat_for
    from medkosh.cli._common import emit_json, ensure_store
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        emit_json(dcat_for(s, ref))


@app.command()
def scan(ref: str = typer.Argument(..., help="ID@VERSION (number or manifest hash)."),
         json_out: bool = typer.Option(False, "--json", help="Print the scan result as JSON.")) -> None:
    """Re-run the release gate (PHI scan + canaries) over a published version's files and card."""
    from medkosh.catalog.rescan import rescan_version
    from medkosh.cli._common import emit_json, ensure_store
    from medkosh.errors import PolicyViolation
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        result = rescan_version(s, ref)
    if json_out:
        emit_json(result.as_dict())
    else:
        typer.echo(f"{result.ref}: {result.files} artefacts scanned with {result.canaries} canary values: "
                   f"{len(result.findings)} finding(s)")
        for f in result.findings[:20]:
            typer.echo(f"  {f.path}: {f.kind} {f.detail}")
    if result.findings:
        raise PolicyViolation(f"{result.ref} holds {len(result.findings)} PHI finding(s)",
                              hint="withdraw the version and fix the spec or recipe")


@app.command()
def search(query: str = typer.Argument("", help="Words to look for (empty: everything)."),
           facet: list[str] = typer.Option(None, "--facet", "-f",
                                           help="Filter facet=value (modality, chapter, state, tier, size, "
                                                "institution); repeatable."),
           limit: int = typer.Option(20, min=1, max=100, help="Hits to show."),
           json_out: bool = typer.Option(False, "--json", help="Print hits and facet counts as JSON.")) -> None:
    """Full-text and faceted search over the catalog."""
    from medkosh.catalog.search import SearchQuery, parse_filters
    from medkosh.catalog.search import search as run_search
    from medkosh.cli._common import emit_json, ensure_store
    from medkosh.store.db import session_scope

    ensure_store()
    q = SearchQuery(text=query, filters=parse_filters(facet or []), limit=limit)
    with session_scope() as s:
        result = run_search(s, q)
    if json_out:
        emit_json(result.as_dict())
        return
    typer.echo(f"{result.total} dataset(s)")
    for h in result.hits:
        typer.echo(f"  {h['id']}@{h['latest_number']}  {h['tier']:<10} {h['modality']:<11} {h['name']}")
    for name, counts in result.facets.items():
        if counts:
            typer.echo(f"  {name}: " + ", ".join(f"{v} ({n})" for v, n in list(counts.items())[:8]))
