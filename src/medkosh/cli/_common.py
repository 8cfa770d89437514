"""Helpers shared by CLI modules: JSON output, messages on stderr, store start-up."""

from __future__ import annotations

import sys
from typing import Any

import orjson
from rich.console import Console

err_console = Console(stderr=True, highlight=False)


def emit_json(obj: Any) -> None:
    """One JSON document on stdout (the --json contract)."""
    sys.stdout.buffer.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS,
                                         default=str) + b"\n")
    sys.stdout.flush()


def info(message: str) -> None:
    err_console.print(message)


def ensure_store() -> str:
    """Create/upgrade the database for the configured URL; returns the URL."""
    from medkosh.config import get_settings
    from medkosh.store.migrate import is_up_to_date, upgrade

    url = get_settings().effective_database_url
    try:
        if not is_up_to_date(url):
            upgrade(url)
    except Exception as exc:
        from sqlalchemy.exc import OperationalError

        from medkosh.errors import StoreError
        from medkosh.store.db import describe_db_error

        if isinstance(exc, OperationalError):
            raise StoreError(f"cannot open the database: {describe_db_error(exc)}",
                             hint="check MEDKOSH_DATABASE_URL and that the server is running") from exc
        raise
    return url
