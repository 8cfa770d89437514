"""My account: profile, trainings, grants, signed agreements and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from medkosh.api.deps import current_principal, require_principal
from medkosh.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [("My account", "/me", 80)]


def _page(request: Request, new_token: str | None = None) -> HTMLResponse:
    from medkosh.access import service as access
    from medkosh.identity import service
    from medkosh.store.base import utcnow
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        ctx = {"me": p.user, "trainings": service.list_trainings(s, p.id), "grants": access.grants_of(s, p.id),
               "signatures": access.signatures_of(s, p.id), "tokens": service.list_tokens(s, p.id),
               "now": utcnow(), "new_token": new_token}
    return render(request, "me.html", ctx)


@router.get("/me", response_class=HTMLResponse)
def me(request: Request) -> HTMLResponse:
    return _page(request)


@router.post("/me/tokens", response_class=HTMLResponse)
def create_token(request: Request, name: str = Form(max_length=120), scopes: str = Form("*", max_length=400),
                 days: int = Form(30, ge=1, le=365)) -> HTMLResponse:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        _, token = service.issue_token(s, p.id, name, scopes=scopes.split(), days=days, actor=p)
    # Shown once, on this response only (never stored, never put in a URL).
    return _page(request, new_token=token)


@router.post("/me/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: str) -> RedirectResponse:
    from medkosh.access import policies
    from medkosh.errors import NotFoundError
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    p = current_principal(request)
    with session_scope() as s:
        try:
            owner = service.token_owner(s, token_id)
        except NotFoundError:
            owner = ""
        policies.check(p, "identity.token.revoke", owner, what="token")
        service.revoke_token(s, token_id, actor=p)
    return RedirectResponse("/me#tokens", status_code=303)
