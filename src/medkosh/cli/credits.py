"""`medkosh credits show|set|usage`: subsidised compute allocations and what was used."""

from __future__ import annotations

import typer

from medkosh.cli._common import emit_json, ensure_store

app = typer.Typer(help="Compute credit allocations and usage.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Compute credit allocations and usage."""


@app.command("show")
def show(quarter: str = typer.Option(None, help="e.g. 2026Q4 (default: this quarter)"),
         json_out: bool = typer.Option(False, "--json")) -> None:
    """Each institution's allocation, committed hours and what is left."""
    from sqlalchemy import select

    from medkosh.compute import credits
    from medkosh.store.db import session_scope
    from medkosh.store.tables.compute import AllocationRow
    from medkosh.store.tables.identity import InstitutionRow

    ensure_store()
    quarter = quarter or credits.quarter_of()
    with session_scope() as s:
        names: dict[str, str] = {i: n for i, n in s.execute(select(InstitutionRow.id, InstitutionRow.name)).tuples()}
        insts = sorted({r for r in s.execute(select(AllocationRow.institution_id)
                                              .where(AllocationRow.quarter == quarter)).scalars()})
        rows = [{"institution_id": i, "institution": names.get(i, i), "quarter": quarter,
                 **credits.remaining(s, i, quarter)} for i in insts]
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['institution']:<40} CPU {r['cpu_hours_committed']:.2f}/{r['cpu_hours_allocated']:.0f} h  "
                   f"GPU {r['gpu_hours_committed']:.2f}/{r['gpu_hours_allocated']:.0f} h  ({quarter})")


@app.command("set")
def set_cmd(institution: str = typer.Argument(..., help="Institution name or id."),
            cpu_hours: float = typer.Option(..., min=0), gpu_hours: float = typer.Option(0.0, min=0),
            quarter: str = typer.Option(None, help="e.g. 2026Q4 (default: this quarter)")) -> None:
    """Set an institution's subsidised allocation for a quarter (admin)."""
    import getpass

    from medkosh.compute import credits
    from medkosh.identity.service import find_institution
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        inst = find_institution(s, institution)
        row = credits.set_allocation(s, inst.id, cpu_hours=cpu_hours, gpu_hours=gpu_hours, quarter=quarter,
                                     actor=f"cli:{getpass.getuser()}")
        typer.echo(f"{inst.name}: {row.cpu_hours:g} CPU-h, {row.gpu_hours:g} GPU-h for {row.quarter}")


@app.command("usage")
def usage(by: str = typer.Option("institution", help="institution, user or project"),
          quarter: str = typer.Option(None), json_out: bool = typer.Option(False, "--json")) -> None:
    """Charged hours per institution, user or project."""
    from medkosh.compute import credits
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        rows = credits.usage_report(s, by, quarter)
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(f"{r[by]:<40} {r['jobs']:>4} jobs  {r['cpu_hours']:.4f} CPU-h  {r['gpu_hours']:.4f} GPU-h")
