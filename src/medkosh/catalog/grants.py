"""Which access grants still point at a version (for notification when it is withdrawn).

Grants belong to the access domain; the catalog asks its service and never reads its tables. Until the
access domain offers the query, the answer is None, shown as 'grants: unknown'.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy.orm import Session

_CANDIDATES = ("grants_for_version", "grants_pointing_at", "active_grants_for_version")


def grants_pointing_at(session: Session, version_id: str) -> list[str] | None:
    try:
        access: Any = importlib.import_module("medkosh.access.service")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("medkosh.access"):
            return None
        raise
    for name in _CANDIDATES:
        fn = getattr(access, name, None)
        if fn is not None:
            grants = fn(session, version_id)
            return sorted(str(getattr(g, "id", g)) for g in grants)
    return None
