"""Audit API for auditors: read the log, verify the chain."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("/events")
def events(event_type: str | None = Query(default=None, max_length=80),
           actor: str | None = Query(default=None, max_length=120),
           subject_id: str | None = Query(default=None, max_length=200),
           before_seq: int | None = Query(default=None, ge=1, le=(1 << 62)),
           limit: int = Query(default=100, ge=1, le=1000)) -> dict[str, Any]:
    """Newest first; page with before_seq. Filters match exactly (event_type may end in '*')."""
    from medkosh.audit.query import list_events
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return list_events(s, event_type=event_type, actor=actor, subject_id=subject_id, before_seq=before_seq,
                           limit=limit)


@router.get("/verify")
def verify() -> dict[str, Any]:
    from medkosh.audit.verify import verify_database
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return verify_database(s).as_dict()
