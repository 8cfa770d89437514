"""Access pages: my requests, the request form (with the ethics document upload), a request's page,
a dataset's access page (tier, DUA to read and sign, files to download) and the download redirect."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from medkosh.api.deps import current_principal, require_principal
from medkosh.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [("My requests", "/access/requests", 30)]


def request_context(request: Request, request_id: str) -> dict[str, Any]:
    """A request's page data, for the researcher's and the reviewer's pages (visibility checked)."""
    from medkosh.access import policies, requests
    from medkosh.store.db import session_scope

    p = current_principal(request)
    with session_scope() as s:
        view = requests.load_for(s, p, request_id, "access.request.read")
        return {"r": requests.describe(s, request_id), "can_edit": policies.can(p, "access.request.submit", view),
                "can_review": policies.can(p, "access.review.create", view),
                "can_comment": policies.can(p, "access.request.comment", view)}


@router.get("/access/requests", response_class=HTMLResponse)
def my_requests(request: Request) -> HTMLResponse:
    from medkosh.access import requests
    from medkosh.store.db import session_scope

    with session_scope() as s:
        rows = requests.list_for(s, require_principal(request))
    return render(request, "requests.html", {"rows": rows})


def _form_context(dataset: str = "") -> dict[str, Any]:
    from medkosh.access.types import PURPOSES
    from medkosh.catalog.service import list_datasets
    from medkosh.store.db import session_scope

    with session_scope() as s:
        datasets = [d for d in list_datasets(s) if d["latest_number"] and d["tier"] != "open"]
    return {"purposes": PURPOSES, "datasets": datasets, "selected": dataset, "form": {}, "error": None}


@router.get("/access/requests/new", response_class=HTMLResponse)
def new_request(request: Request, dataset: str = Query("", max_length=140)) -> HTMLResponse:
    return render(request, "request_new.html", _form_context(dataset))


@router.post("/access/requests/new", response_model=None)
async def file_request(request: Request, title: str = Form(max_length=300), lay_summary: str = Form(max_length=5000),
                       purpose: str = Form(max_length=20), dataset: str = Form(max_length=140),
                       duration_days: int = Form(ge=1, le=1830), ethics_committee: str = Form(max_length=300),
                       ethics_approval_number: str = Form(max_length=120), team: str = Form("", max_length=2000),
                       document: UploadFile = File(...), action: str = Form("submit", max_length=10)) -> Response:
    from medkosh.access import requests
    from medkosh.errors import MedkoshError
    from medkosh.store.db import session_scope

    p = require_principal(request)
    data = await document.read(requests.MAX_DOCUMENT_BYTES + 1)
    try:
        with session_scope() as s:
            rid = requests.create(s, p, title=title, lay_summary=lay_summary, purpose=purpose, versions=[dataset],
                                  duration_days=duration_days, ethics_committee=ethics_committee,
                                  ethics_approval_number=ethics_approval_number,
                                  team=team.replace(",", " ").split())
            requests.attach_document(s, p, rid, document.filename or "approval.pdf", data)
            if action == "submit":
                requests.submit(s, p, rid)
    except MedkoshError as exc:
        # Show the form again with what was typed and the one-line reason.
        ctx = _form_context(dataset)
        ctx.update(error=exc.user_line(), form={"title": title, "lay_summary": lay_summary, "purpose": purpose,
                                                "duration_days": duration_days, "ethics_committee": ethics_committee,
                                                "ethics_approval_number": ethics_approval_number, "team": team})
        return render(request, "request_new.html", ctx, status=exc.http_status)
    return RedirectResponse(f"/access/requests/{rid}", status_code=303)


@router.get("/access/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, request_id: str) -> HTMLResponse:
    return render(request, "request_detail.html", request_context(request, request_id))


@router.get("/access/requests/{request_id}/document")
def ethics_document(request: Request, request_id: str) -> Response:
    """The uploaded ethics approval letter, for the people who may see the request (its reviewers too)."""
    from medkosh.access import requests
    from medkosh.errors import NotFoundError
    from medkosh.store.db import session_scope
    from medkosh.store.objects import ObjectStore

    with session_scope() as s:
        requests.load_for(s, current_principal(request), request_id, "access.request.read")
        doc = requests.describe(s, request_id)["ethics_document"]
    if doc is None:
        raise NotFoundError("this request has no ethics document yet")
    data = ObjectStore().get_bytes(doc["sha256"])
    name = doc["name"].replace('"', "")
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _act(request: Request, request_id: str, what: str, **kw: Any) -> RedirectResponse:
    from medkosh.access import requests
    from medkosh.store.db import session_scope

    with session_scope() as s:
        getattr(requests, what)(s, require_principal(request), request_id, **kw)
    return RedirectResponse(f"/access/requests/{request_id}", status_code=303)


@router.post("/access/requests/{request_id}/submit")
def submit(request: Request, request_id: str) -> RedirectResponse:
    return _act(request, request_id, "submit")


@router.post("/access/requests/{request_id}/withdraw")
def withdraw(request: Request, request_id: str) -> RedirectResponse:
    return _act(request, request_id, "withdraw")


@router.post("/access/requests/{request_id}/comments")
def comment(request: Request, request_id: str, body: str = Form(max_length=5000)) -> RedirectResponse:
    return _act(request, request_id, "comment", body=body)


@router.get("/access/datasets/{dataset_id}", response_class=HTMLResponse)
def dataset_access(request: Request, dataset_id: str) -> HTMLResponse:
    from medkosh.access import policies, service
    from medkosh.catalog.service import get_version, show_dataset
    from medkosh.errors import MedkoshError
    from medkosh.store.db import session_scope

    p = current_principal(request)
    with session_scope() as s:
        ds = show_dataset(s, dataset_id)
        version = get_version(s, dataset_id) if ds["latest_number"] else None
        facts = service.access_facts(s, p.id if p else None, version) if version else None
        ctx: dict[str, Any] = {"ds": ds, "dv": version.as_dict() if version else None, "dua": service.current_dua(s, dataset_id),
               "policy": service.dataset_policy(s, dataset_id), "facts": facts,
               "signed": bool(p and service.has_signed_current(s, p.id, dataset_id)),
               "can_download": bool(facts and policies.can_download(p, facts)),
               "can_sign": policies.can(p, "access.dua.sign"),
               "can_request": policies.can(p, "access.request.create")}
    if facts and not ctx["can_download"]:
        try:
            policies.check_can_download(p, facts)
        except MedkoshError as exc:  # the policy's one-line reason, shown next to the files
            ctx["why_not"] = exc.user_line()
    return render(request, "dataset_access.html", ctx)


@router.post("/access/datasets/{dataset_id}/dua")
def sign(request: Request, dataset_id: str, typed_name: str = Form(max_length=200),
         dua_sha256: str = Form(pattern="^[0-9a-f]{64}$"), agree: str = Form("", max_length=5)) -> RedirectResponse:
    from medkosh.access import service
    from medkosh.errors import InputError
    from medkosh.store.db import session_scope

    if agree != "yes":
        raise InputError("tick the box to confirm you have read and accept the agreement", where="agree")
    with session_scope() as s:
        service.sign_dua(s, require_principal(request), dataset_id, typed_name=typed_name, dua_sha256=dua_sha256)
    return RedirectResponse(f"/access/datasets/{dataset_id}#files", status_code=303)


@router.get("/access/versions/{version_id}/download")
def download(request: Request, version_id: str, path: str = Query(max_length=400)) -> RedirectResponse:
    """Apply the tier rules, then redirect to a 5-minute signed URL (logged when served)."""
    from medkosh.access import downloads
    from medkosh.store.db import session_scope
    from medkosh.store.tables.catalog import CatalogVersionRow

    with session_scope() as s:
        row = s.get(CatalogVersionRow, version_id)
        ref = f"{row.dataset_id}@{row.number}" if row else version_id
        url = downloads.issue_url(s, current_principal(request), ref, path)
    return RedirectResponse(url, status_code=303)
