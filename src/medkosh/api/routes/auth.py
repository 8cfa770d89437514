"""Identity API: exchange a password for an API token, who am I, my tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from medkosh.api.deps import current_principal, require_principal

router = APIRouter(prefix="/api", tags=["identity"])


class TokenExchange(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    name: str = Field(default="api", max_length=120)
    scopes: list[str] = Field(default_factory=lambda: ["*"], max_length=20)
    days: int = Field(default=30, ge=1, le=365)


class TokenCreate(BaseModel):
    name: str = Field(max_length=120)
    scopes: list[str] = Field(default_factory=lambda: ["*"], max_length=20)
    days: int = Field(default=90, ge=1, le=365)


@router.post("/auth/token")
def exchange(body: TokenExchange) -> dict[str, Any]:
    """Exchange email and password for an API token (shown once; stored only as a hash)."""
    from medkosh.errors import AuthenticationError
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    failed: AuthenticationError | None = None
    with session_scope() as s:
        try:
            user = service.authenticate_password(s, body.email, body.password, source="api")
        except AuthenticationError as exc:
            failed = exc  # commit the failed-login audit event, then refuse
        else:
            token_id, token = service.issue_token(s, user.id, body.name, scopes=body.scopes, days=body.days)
            return {"token_id": token_id, "token": token, "user_id": user.id}
    assert failed is not None
    raise failed


@router.get("/me")
def me(request: Request) -> dict[str, Any]:
    from medkosh.access import service as access
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        trainings = service.list_trainings(s, p.id)
        grants = access.grants_of(s, p.id)
    return {"id": p.id, "email": p.user.email, "name": p.user.name, "institution_id": p.institution_id,
            "roles": sorted(p.roles), "verification": p.user.verification.value, "via": p.via,
            "trainings": [{"code": t.code, "title": t.title, "expires_at": t.expires_at.isoformat()} for t in trainings],
            "grants": [g.as_dict() for g in grants]}


@router.get("/tokens")
def tokens(request: Request) -> list[dict[str, Any]]:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        return service.list_tokens(s, p.id)


@router.post("/tokens", status_code=201)
def create_token(request: Request, body: TokenCreate) -> dict[str, Any]:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        token_id, token = service.issue_token(s, p.id, body.name, scopes=body.scopes, days=body.days, actor=p)
    return {"token_id": token_id, "token": token}


@router.delete("/tokens/{token_id}")
def revoke_token(request: Request, token_id: str) -> dict[str, Any]:
    from medkosh.access import policies
    from medkosh.errors import NotFoundError
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    p = current_principal(request)
    with session_scope() as s:
        try:
            owner = service.token_owner(s, token_id)
        except NotFoundError:
            owner = ""  # refused below as 'no such token', like someone else's
        policies.check(p, "identity.token.revoke", owner, what="token")
        service.revoke_token(s, token_id, actor=p)
    return {"token_id": token_id, "revoked": True}
