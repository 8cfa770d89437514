"""Admin pages: institutions, people (roles, verification, trainings) and each dataset's access settings
(committee, quorum, required trainings, DUA text). Admins see everyone; stewards their institution."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from medkosh.api.deps import current_principal, require_principal
from medkosh.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [("Admin", "/admin", 70)]


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request) -> HTMLResponse:
    from medkosh.access import service as access
    from medkosh.catalog.service import list_datasets
    from medkosh.identity import service
    from medkosh.identity.types import KNOWN_TRAININGS, Role
    from medkosh.store.db import session_scope

    p = require_principal(request)
    scope = None if p.has_role(Role.ADMIN) else p.institution_id
    with session_scope() as s:
        users = service.list_users(s, institution_id=scope)
        trainings = {u.id: service.list_trainings(s, u.id) for u in users}
        datasets = [{**d, "policy": access.dataset_policy(s, d["id"]), "dua": access.current_dua(s, d["id"])}
                    for d in list_datasets(s)]
        committee = service.list_users(s, role=Role.COMMITTEE)
        ctx: dict[str, Any] = {"institutions": service.list_institutions(s), "users": users, "trainings": trainings,
                               "datasets": datasets, "committee": committee, "roles": [r.value for r in Role],
                               "known_trainings": KNOWN_TRAININGS, "is_admin": p.has_role(Role.ADMIN),
                               "today": dt.date.today()}
    return render(request, "admin.html", ctx)


@router.post("/admin/institutions")
def add_institution(request: Request, name: str = Form(max_length=200), kind: str = Form("research", max_length=40),
                    oidc_issuer: str = Form("", max_length=300), oidc_client_id: str = Form("", max_length=200)
                    ) -> RedirectResponse:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        service.create_institution(s, name, kind, actor=require_principal(request), oidc_issuer=oidc_issuer or None,
                                   oidc_client_id=oidc_client_id or None)
    return RedirectResponse("/admin#institutions", status_code=303)


@router.post("/admin/users")
def add_user(request: Request, email: str = Form(max_length=254), name: str = Form(max_length=200),
             institution_id: str = Form(max_length=40), roles: list[str] = Form(default=[]),
             password: str = Form("", max_length=1024)) -> RedirectResponse:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        service.create_user(s, email, name, institution_id, roles, password=password or None,
                            actor=require_principal(request))
    return RedirectResponse("/admin#people", status_code=303)


def _target(s: Any, request: Request, user_id: str, action: str) -> None:
    from medkosh.access import policies
    from medkosh.errors import NotFoundError
    from medkosh.identity import service

    try:
        user = service.get_user(s, user_id)
    except NotFoundError:
        user = None
    policies.check(current_principal(request), action, user or _Nobody(), what="user")


class _Nobody:
    id = ""
    institution_id = ""


@router.post("/admin/users/{user_id}/trainings")
def add_training(request: Request, user_id: str, code: str = Form(max_length=80), completed_on: dt.date = Form(),
                 expires_on: dt.date = Form(), provider: str = Form("", max_length=200)) -> RedirectResponse:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        _target(s, request, user_id, "identity.training.record")
        service.record_training(s, user_id, code, completed_on=completed_on, expires_on=expires_on, provider=provider,
                                actor=current_principal(request))
    return RedirectResponse("/admin#people", status_code=303)


@router.post("/admin/users/{user_id}/verification")
def verify_user(request: Request, user_id: str, status: str = Form(pattern="^(unverified|pending|verified|rejected)$"),
                note: str = Form("", max_length=300)) -> RedirectResponse:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        _target(s, request, user_id, "identity.user.verify")
        service.set_verification(s, user_id, status, actor=current_principal(request), note=note)
    return RedirectResponse("/admin#people", status_code=303)


@router.post("/admin/datasets/{dataset_id}/access")
def dataset_access(request: Request, dataset_id: str, quorum: int = Form(ge=1, le=20),
                   committee: list[str] = Form(default=[]), trainings: str = Form("", max_length=500),
                   dua_title: str = Form("", max_length=200), dua_text: str = Form("", max_length=100_000)
                   ) -> RedirectResponse:
    from medkosh.access import policies, service
    from medkosh.catalog.service import dataset_summary, get_dataset_row
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        policies.check(p, "access.policy.update", dataset_summary(get_dataset_row(s, dataset_id)), what="dataset")
        service.set_dataset_policy(s, dataset_id, actor=p, quorum=quorum, committee=committee,
                                   required_trainings=trainings.replace(",", " ").split())
        current = service.current_dua(s, dataset_id)
        if dua_text.strip() and (current is None or current["text"] != dua_text.strip()):
            service.publish_dua(s, dataset_id, dua_title or "Data use agreement", dua_text, actor=p)
    return RedirectResponse("/admin#datasets", status_code=303)
