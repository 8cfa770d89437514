"""Access API: requests, review, DUAs, dataset access policy, grants and signed downloads.

Route-level authorisation happens centrally (medkosh.api.deps.enforce); object-level checks happen in
the services through medkosh.access.policies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from medkosh.api.deps import current_principal, require_principal

router = APIRouter(prefix="/api/access", tags=["access"])


class RequestBody(BaseModel):
    title: str = Field(max_length=300)
    lay_summary: str = Field(max_length=5000)
    purpose: str = Field(max_length=20)
    versions: list[str] = Field(min_length=1, max_length=20)
    duration_days: int = Field(ge=1, le=1830)
    ethics_committee: str = Field(max_length=300)
    ethics_approval_number: str = Field(max_length=120)
    team: list[str] = Field(default_factory=list, max_length=50)


class ReviewBody(BaseModel):
    decision: str = Field(pattern="^(approve|reject)$")
    comment: str = Field(default="", max_length=5000)
    conditions: list[str] = Field(default_factory=list, max_length=20)


class CommentBody(BaseModel):
    body: str = Field(max_length=5000)


class ReasonBody(BaseModel):
    reason: str = Field(max_length=300)


class DuaBody(BaseModel):
    title: str = Field(max_length=200)
    text: str = Field(max_length=100_000)


class SignBody(BaseModel):
    typed_name: str = Field(max_length=200)
    dua_sha256: str = Field(pattern="^[0-9a-f]{64}$")


class PolicyBody(BaseModel):
    quorum: int | None = Field(default=None, ge=1, le=20)
    committee: list[str] | None = Field(default=None, max_length=50)
    required_trainings: list[str] | None = Field(default=None, max_length=20)


class DownloadBody(BaseModel):
    path: str = Field(max_length=400)


@router.get("/requests")
def list_requests(request: Request) -> list[dict[str, Any]]:
    from medkosh.access import requests
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return requests.list_for(s, require_principal(request))


@router.post("/requests", status_code=201)
def create_request(request: Request, body: RequestBody) -> dict[str, Any]:
    from medkosh.access import requests
    from medkosh.store.db import session_scope

    with session_scope() as s:
        rid = requests.create(s, require_principal(request), title=body.title, lay_summary=body.lay_summary,
                              purpose=body.purpose, versions=body.versions, duration_days=body.duration_days,
                              ethics_committee=body.ethics_committee,
                              ethics_approval_number=body.ethics_approval_number, team=body.team)
        return requests.describe(s, rid)


@router.get("/requests/{request_id}")
def get_request(request: Request, request_id: str) -> dict[str, Any]:
    from medkosh.access import requests
    from medkosh.store.db import session_scope

    with session_scope() as s:
        requests.load_for(s, current_principal(request), request_id, "access.request.read")
        return requests.describe(s, request_id)


@router.post("/requests/{request_id}/document")
async def attach_document(request: Request, request_id: str, document: UploadFile) -> dict[str, Any]:
    from medkosh.access import requests
    from medkosh.store.db import session_scope

    data = await document.read(requests.MAX_DOCUMENT_BYTES + 1)
    with session_scope() as s:
        sha = requests.attach_document(s, require_principal(request), request_id, document.filename or "", data)
    return {"request_id": request_id, "sha256": sha}


def _act(request: Request, request_id: str, what: str, **kw: Any) -> dict[str, Any]:
    from medkosh.access import requests
    from medkosh.store.db import session_scope

    p = require_principal(request)
    with session_scope() as s:
        getattr(requests, what)(s, p, request_id, **kw)
    with session_scope() as s:
        return requests.describe(s, request_id)


@router.post("/requests/{request_id}/submit")
def submit(request: Request, request_id: str) -> dict[str, Any]:
    return _act(request, request_id, "submit")


@router.post("/requests/{request_id}/withdraw")
def withdraw(request: Request, request_id: str) -> dict[str, Any]:
    return _act(request, request_id, "withdraw")


@router.post("/requests/{request_id}/revoke")
def revoke(request: Request, request_id: str, body: ReasonBody) -> dict[str, Any]:
    return _act(request, request_id, "revoke", reason=body.reason)


@router.post("/requests/{request_id}/comments", status_code=201)
def comment(request: Request, request_id: str, body: CommentBody) -> dict[str, Any]:
    return _act(request, request_id, "comment", body=body.body)


@router.post("/requests/{request_id}/reviews", status_code=201)
def review(request: Request, request_id: str, body: ReviewBody) -> dict[str, Any]:
    return _act(request, request_id, "review", decision=body.decision, comment_text=body.comment,
                conditions=body.conditions)


@router.get("/review-queue")
def review_queue(request: Request) -> list[dict[str, Any]]:
    from medkosh.access import requests
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return requests.review_queue(s, require_principal(request))


@router.get("/datasets/{dataset_id}/dua")
def get_dua(dataset_id: str) -> dict[str, Any]:
    from medkosh.access import service
    from medkosh.errors import NotFoundError
    from medkosh.store.db import session_scope

    with session_scope() as s:
        dua = service.current_dua(s, dataset_id)
    if dua is None:
        raise NotFoundError(f"dataset {dataset_id!r} has no data use agreement")
    return dua


@router.post("/datasets/{dataset_id}/dua", status_code=201)
def publish_dua(request: Request, dataset_id: str, body: DuaBody) -> dict[str, Any]:
    from medkosh.access import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        p = _dataset_steward(s, request, dataset_id, "access.dua.publish")
        return service.publish_dua(s, dataset_id, body.title, body.text, actor=p)


@router.post("/datasets/{dataset_id}/dua/sign", status_code=201)
def sign_dua(request: Request, dataset_id: str, body: SignBody) -> dict[str, Any]:
    from medkosh.access import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return service.sign_dua(s, require_principal(request), dataset_id, typed_name=body.typed_name,
                                dua_sha256=body.dua_sha256)


@router.get("/datasets/{dataset_id}/policy")
def get_policy(dataset_id: str) -> dict[str, Any]:
    from medkosh.access import service
    from medkosh.catalog.service import get_dataset_row
    from medkosh.store.db import session_scope

    with session_scope() as s:
        get_dataset_row(s, dataset_id)
        return service.dataset_policy(s, dataset_id)


@router.put("/datasets/{dataset_id}/policy")
def set_policy(request: Request, dataset_id: str, body: PolicyBody) -> dict[str, Any]:
    from medkosh.access import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        p = _dataset_steward(s, request, dataset_id, "access.policy.update")
        return service.set_dataset_policy(s, dataset_id, actor=p, quorum=body.quorum,
                                          committee=body.committee, required_trainings=body.required_trainings)


def _dataset_steward(s: Any, request: Request, dataset_id: str, action: str) -> Any:
    from medkosh.access import policies
    from medkosh.catalog.service import dataset_summary, get_dataset_row

    p = require_principal(request)
    policies.check(p, action, dataset_summary(get_dataset_row(s, dataset_id)), what="dataset")
    return p


@router.get("/signatures")
def signatures(request: Request) -> list[dict[str, Any]]:
    from medkosh.access import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return service.signatures_of(s, require_principal(request).id)


@router.get("/grants")
def grants(request: Request) -> list[dict[str, Any]]:
    from medkosh.access import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return [g.as_dict() for g in service.grants_of(s, require_principal(request).id)]


@router.post("/versions/{version_id}/download-url")
def download_url(request: Request, version_id: str, body: DownloadBody) -> dict[str, Any]:
    """A 5-minute signed URL for one file (open: anyone; registered: signed DUA; controlled: never)."""
    from medkosh.access import downloads
    from medkosh.store.db import session_scope

    with session_scope() as s:
        url = downloads.issue_url(s, current_principal(request), _version_ref(s, version_id), body.path)
    return {"url": url, "expires_in": downloads.URL_SECONDS}


def _version_ref(s: Any, version_id: str) -> str:
    """Accept 'dataset@N' or a bare version id (the manifest hash)."""
    if "@" in version_id:
        return version_id
    from sqlalchemy import select

    from medkosh.errors import NotFoundError
    from medkosh.store.tables.catalog import CatalogVersionRow

    if not (12 <= len(version_id) <= 64 and all(c in "0123456789abcdef" for c in version_id)):
        raise NotFoundError(f"no dataset version {version_id!r}", hint="use DATASET@N or the version id")
    row = s.execute(select(CatalogVersionRow.dataset_id).where(CatalogVersionRow.id == version_id)).first()
    if row is None:
        raise NotFoundError(f"no dataset version {version_id!r}", hint="use DATASET@N or the version id")
    return f"{row[0]}@{version_id}"


@router.get("/download/{token}")
def download(token: str) -> StreamingResponse:
    """Serve one file named by a valid signed link; every file served is logged in the audit chain."""
    from medkosh.access import downloads
    from medkosh.access.types import AccessEvent
    from medkosh.audit import record
    from medkosh.audit.types import Outcome
    from medkosh.errors import MedkoshError
    from medkosh.store.db import session_scope

    refused: MedkoshError | None = None
    with session_scope() as s:
        try:
            served = downloads.serve(s, token)
        except MedkoshError as exc:
            refused = exc
    if refused is not None:
        with session_scope() as s:  # the refusal is itself a security event
            record(s, AccessEvent.DOWNLOAD_REFUSED, outcome=Outcome.DENIED, details={"reason": refused.message[:200]})
        raise refused

    def chunks() -> Any:
        with served.stream as fh:
            while block := fh.read(1 << 20):
                yield block

    return StreamingResponse(chunks(), media_type=served.media_type, headers={
        "Content-Disposition": f'attachment; filename="{served.filename}"', "Content-Length": str(served.size),
        "Cache-Control": "no-store"})
