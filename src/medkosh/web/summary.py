"""Figures shown on the home page, gathered from the domain services that exist."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from medkosh.store.db import session_scope
from medkosh.store.tables.audit import AuditHeadRow


def platform_summary() -> list[dict[str, Any]]:
    # The chain head's sequence number is the number of events (seq runs 1, 2, … without gaps): one row
    # read instead of counting a table that grows by every security-relevant action.
    with session_scope() as session:
        events = session.execute(select(AuditHeadRow.seq).where(AuditHeadRow.id == 1)).scalar_one_or_none() or 0
    return [{"label": "Audit events", "value": events}]
