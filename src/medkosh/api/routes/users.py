"""People and institutions API (admins; stewards for their own institution's people)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from medkosh.api.deps import current_principal, require_principal

router = APIRouter(prefix="/api", tags=["identity"])


class UserCreate(BaseModel):
    email: str = Field(max_length=254)
    name: str = Field(max_length=200)
    institution_id: str = Field(max_length=40)
    roles: list[str] = Field(max_length=6)
    password: str | None = Field(default=None, max_length=1024)
    verified: bool = False


class RolesBody(BaseModel):
    roles: list[str] = Field(max_length=6)


class StatusBody(BaseModel):
    status: str = Field(pattern="^(active|suspended)$")


class VerificationBody(BaseModel):
    status: str = Field(pattern="^(unverified|pending|verified|rejected)$")
    note: str = Field(default="", max_length=300)


class TrainingBody(BaseModel):
    code: str = Field(max_length=80)
    completed_on: dt.date
    expires_on: dt.date
    title: str = Field(default="", max_length=200)
    provider: str = Field(default="", max_length=200)


class InstitutionBody(BaseModel):
    name: str = Field(max_length=200)
    kind: str = Field(default="research", max_length=40)
    oidc_issuer: str | None = Field(default=None, max_length=300)
    oidc_client_id: str | None = Field(default=None, max_length=200)


def _user_dict(u: Any) -> dict[str, Any]:
    return {"id": u.id, "email": u.email, "name": u.name, "institution_id": u.institution_id,
            "roles": sorted(u.roles), "status": u.status.value, "verification": u.verification.value}


@router.get("/users")
def list_users(request: Request) -> list[dict[str, Any]]:
    from medkosh.identity import service
    from medkosh.identity.types import Role
    from medkosh.store.db import session_scope

    p = require_principal(request)
    # Stewards see the people of their institution; admins everyone.
    scope = None if p.has_role(Role.ADMIN) else p.institution_id
    with session_scope() as s:
        return [_user_dict(u) for u in service.list_users(s, institution_id=scope)]


@router.post("/users", status_code=201)
def create_user(request: Request, body: UserCreate) -> dict[str, Any]:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        user = service.create_user(s, body.email, body.name, body.institution_id, body.roles, password=body.password,
                                   actor=p, verified=body.verified)
    return _user_dict(user)


def _load_user(s: Any, request: Request, user_id: str, action: str) -> Any:
    from medkosh.access import policies
    from medkosh.errors import NotFoundError
    from medkosh.identity import service

    p = current_principal(request)
    try:
        user = service.get_user(s, user_id)
    except NotFoundError:
        user = None
    if user is None or not policies.can(p, "identity.user.read", user):
        raise NotFoundError("no such user", hint="check the id")
    policies.check(p, action, user, what="user")
    return user


@router.get("/users/{user_id}")
def get_user(request: Request, user_id: str) -> dict[str, Any]:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        user = _load_user(s, request, user_id, "identity.user.read")
        out = _user_dict(user)
        out["trainings"] = [{"code": t.code, "title": t.title, "provider": t.provider,
                             "completed_on": t.completed_on.isoformat(), "expires_at": t.expires_at.isoformat()}
                            for t in service.list_trainings(s, user_id)]
    return out


@router.put("/users/{user_id}/roles")
def set_roles(request: Request, user_id: str, body: RolesBody) -> dict[str, Any]:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        _load_user(s, request, user_id, "identity.user.roles")
        return _user_dict(service.set_roles(s, user_id, body.roles, actor=current_principal(request)))


@router.put("/users/{user_id}/status")
def set_status(request: Request, user_id: str, body: StatusBody) -> dict[str, Any]:
    from medkosh.identity import service
    from medkosh.identity.types import UserStatus
    from medkosh.store.db import session_scope

    with session_scope() as s:
        _load_user(s, request, user_id, "identity.user.status")
        return _user_dict(service.set_status(s, user_id, UserStatus(body.status), actor=current_principal(request)))


@router.put("/users/{user_id}/verification")
def set_verification(request: Request, user_id: str, body: VerificationBody) -> dict[str, Any]:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        _load_user(s, request, user_id, "identity.user.verify")
        return _user_dict(service.set_verification(s, user_id, body.status, actor=current_principal(request),
                                                   note=body.note))


@router.post("/users/{user_id}/trainings", status_code=201)
def record_training(request: Request, user_id: str, body: TrainingBody) -> dict[str, Any]:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        _load_user(s, request, user_id, "identity.training.record")
        t = service.record_training(s, user_id, body.code, completed_on=body.completed_on, expires_on=body.expires_on,
                                    title=body.title, provider=body.provider, actor=current_principal(request))
    return {"id": t.id, "code": t.code, "expires_at": t.expires_at.isoformat()}


@router.get("/institutions")
def list_institutions() -> list[dict[str, Any]]:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return [{"id": i.id, "name": i.name, "kind": i.kind, "oidc": bool(i.oidc_issuer)}
                for i in service.list_institutions(s)]


@router.post("/institutions", status_code=201)
def create_institution(request: Request, body: InstitutionBody) -> dict[str, Any]:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        i = service.create_institution(s, body.name, body.kind, actor=current_principal(request),
                                       oidc_issuer=body.oidc_issuer, oidc_client_id=body.oidc_client_id)
    return {"id": i.id, "name": i.name, "kind": i.kind}
