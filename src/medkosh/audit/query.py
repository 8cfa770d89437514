"""Reading the audit log for the auditor's viewer and API (newest first, exact filters, keyset pages)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medkosh.store.tables.audit import AuditEventRow


def list_events(session: Session, *, event_type: str | None = None, actor: str | None = None,
                subject_id: str | None = None, before_seq: int | None = None, limit: int = 100) -> dict[str, Any]:
    stmt = select(AuditEventRow).order_by(AuditEventRow.seq.desc()).limit(min(max(limit, 1), 1000))
    if event_type:
        if event_type.endswith("*"):
            prefix = event_type[:-1]
            stmt = stmt.where(AuditEventRow.event_type.startswith(prefix, autoescape=True))
        else:
            stmt = stmt.where(AuditEventRow.event_type == event_type)
    if actor:
        stmt = stmt.where(AuditEventRow.actor == actor)
    if subject_id:
        stmt = stmt.where(AuditEventRow.subject_id == subject_id)
    if before_seq:
        stmt = stmt.where(AuditEventRow.seq < before_seq)
    rows = session.execute(stmt).scalars().all()
    total = session.execute(select(func.count()).select_from(AuditEventRow)).scalar_one()
    return {
        "total": total,
        "events": [{"seq": r.seq, "event_id": r.event_id, "occurred_at": r.occurred_at.isoformat(),
                    "event_type": r.event_type, "actor": r.actor, "institution": r.institution,
                    "subject_type": r.subject_type, "subject_id": r.subject_id, "outcome": r.outcome,
                    "details": orjson.loads(r.details), "hash": r.hash} for r in rows],
        "next_before_seq": rows[-1].seq if len(rows) == limit and rows else None,
    }
