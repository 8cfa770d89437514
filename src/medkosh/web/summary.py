"""Figures shown on the home page, gathered from the domain services that exist."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from medkosh.store.db import session_scope
from medkosh.store.tables.audit import AuditEventRow


def platform_summary() -> list[dict[str, Any]]:
    with session_scope() as session:
        events = session.execute(select(func.count()).select_from(AuditEventRow)).scalar_one()
    return [{"label": "Audit events", "value": events}]
