"""The committee's review queue and review form."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from medkosh.api.deps import require_principal
from medkosh.web.pages.access import request_context
from medkosh.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [("Review queue", "/review", 40)]


@router.get("/review", response_class=HTMLResponse)
def queue(request: Request) -> HTMLResponse:
    from medkosh.access import requests
    from medkosh.store.db import session_scope

    with session_scope() as s:
        rows = requests.review_queue(s, require_principal(request))
    return render(request, "review_queue.html", {"rows": rows})


@router.get("/review/{request_id}", response_class=HTMLResponse)
def review_page(request: Request, request_id: str) -> HTMLResponse:
    return render(request, "request_detail.html", request_context(request, request_id))


@router.post("/review/{request_id}")
def record(request: Request, request_id: str, decision: str = Form(pattern="^(approve|reject)$"),
           comment: str = Form("", max_length=5000), conditions: str = Form("", max_length=5000)) -> RedirectResponse:
    from medkosh.access import requests
    from medkosh.store.db import session_scope

    with session_scope() as s:
        requests.review(s, require_principal(request), request_id, decision, comment, conditions.splitlines())
    return RedirectResponse("/review", status_code=303)
