"""The auditor's view of the tamper-evident log: filter, page, and verify the chain."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from medkosh.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [("Audit log", "/audit", 90)]


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, event_type: str = Query("", max_length=80), actor: str = Query("", max_length=120),
          subject_id: str = Query("", max_length=200), before_seq: int | None = Query(None, ge=1, le=(1 << 62)),
          verify: bool = Query(False)) -> HTMLResponse:
    from medkosh.audit.query import list_events
    from medkosh.audit.signing import public_key_hex
    from medkosh.audit.verify import verify_database
    from medkosh.store.db import session_scope

    with session_scope() as s:
        page = list_events(s, event_type=event_type or None, actor=actor or None, subject_id=subject_id or None,
                           before_seq=before_seq, limit=100)
        result = verify_database(s).as_dict() if verify else None
    return render(request, "audit.html", {"page": page, "verify": result, "public_key": public_key_hex(),
                                          "f": {"event_type": event_type, "actor": actor, "subject_id": subject_id}})
