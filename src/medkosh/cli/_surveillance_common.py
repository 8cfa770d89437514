"""Helpers shared by `medkosh query` and `medkosh surveillance`: who is asking, table printing."""

from __future__ import annotations

import getpass
import os
from typing import Any

from medkosh.audit.service import Actor


def cli_actor(as_user: str | None) -> Actor:
    """`--as USER`, else MEDKOSH_USER, else 'cli:<os user>' — the ledger is kept per this id."""
    if as_user:
        return Actor(id=as_user.strip())
    env = os.environ.get("MEDKOSH_USER")
    if env:
        return Actor(id=env.strip())
    try:
        name = getpass.getuser()
    except Exception:  # no passwd entry in some containers
        name = "unknown"
    return Actor(id=f"cli:{name}")


def one_shot() -> None:
    """A CLI process answers one query: read Parquet directly instead of loading it into memory."""
    os.environ.setdefault("MEDKOSH_SURVEILLANCE_MATERIALISE", "0")


def print_table(columns: list[str], rows: list[list[Any]], title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c)
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=200)  # piped output: do not wrap columns
    console.print(table)
