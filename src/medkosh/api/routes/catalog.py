"""Catalog API: list, show, search, versions, data cards, Croissant and DCAT-AP; builds for stewards.

Metadata is public (AIKosh-style browsing); file downloads are the access domain's signed URLs.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from medkosh.catalog.search import SearchQuery, SearchResult

router = APIRouter(tags=["catalog"])

ROUTES: list[tuple[str, str, str]] = [
    ("GET", "/api/datasets", "catalog.dataset.list"),
    ("GET", "/api/datasets/search", "catalog.dataset.search"),
    ("GET", "/api/datasets/{dataset_id}", "catalog.dataset.read"),
    ("GET", "/api/datasets/{dataset_id}/versions/{version}", "catalog.version.read"),
    ("GET", "/api/datasets/{dataset_id}/versions/{version}/card", "catalog.version.read"),
    ("GET", "/api/datasets/{dataset_id}/versions/{version}/manifest", "catalog.version.read"),
    ("GET", "/datasets/{dataset_id}/versions/{version}/croissant.json", "catalog.version.read"),
    ("GET", "/datasets/{dataset_id}/versions/{version}/dcat.jsonld", "catalog.version.read"),
]
BUILD_ROUTE = ("POST", "/api/datasets/build", "catalog.dataset.build")
SCAN_ROUTE = ("GET", "/api/datasets/{dataset_id}/versions/{version}/scan", "catalog.version.scan")


def _register_policy() -> None:
    try:
        from medkosh.access.policies import can_rescan_dataset, public, register, roles
        from medkosh.identity.types import Role
    except ImportError:  # a build without the access domain has no central route table to fill
        return
    for method, path, action in ROUTES:
        register(method, path, action, public())
    method, path, action = BUILD_ROUTE
    register(method, path, action, roles(Role.STEWARD, Role.ADMIN))
    # Re-scanning reads and scans every file of a version: for the people who answer for releases.
    method, path, action = SCAN_ROUTE
    register(method, path, action, roles(Role.STEWARD, Role.ADMIN, Role.AUDITOR, check=can_rescan_dataset,
                                         hidden=False))


_register_policy()


def _ref(dataset_id: str, version: str) -> str:
    return f"{dataset_id}@{version}"


@router.get("/api/datasets")
def list_datasets(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=1_000_000)) -> dict[str, Any]:
    """Every catalogued dataset with its latest version."""
    from medkosh.catalog.service import list_datasets as run
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return {"datasets": run(s, limit=limit, offset=offset)}


@router.get("/api/datasets/search")
async def search(q: str = Query("", max_length=400, description="Words to look for."),
                 facet: list[str] = Query(default=[], description="facet=value filters (repeatable)."),
                 limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=1_000_000)) -> Response:
    """Full-text and faceted search (modality, ICD-10 chapter, state, tier, size, institution)."""
    import orjson
    from fastapi.concurrency import run_in_threadpool

    from medkosh.catalog.search import parse_filters, search_cached

    query = SearchQuery(text=q, filters=parse_filters(facet), limit=limit, offset=offset)
    # A current in-memory index answers in about a millisecond, inline; otherwise (first request, a
    # catalog change, PostgreSQL) the database work runs in the thread pool.
    result = search_cached(query)
    if result is None:
        result = await run_in_threadpool(_search_db, query)
    return Response(orjson.dumps(result.as_dict()), media_type="application/json")


def _search_db(query: SearchQuery) -> SearchResult:
    from medkosh.catalog.search import search as run
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return run(s, query)


@router.get("/api/datasets/{dataset_id}")
def show(dataset_id: str) -> dict[str, Any]:
    """A dataset and all its versions with their status."""
    from medkosh.catalog.service import show_dataset
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return show_dataset(s, dataset_id)


@router.get("/api/datasets/{dataset_id}/versions/{version}")
def version(dataset_id: str, version: str) -> dict[str, Any]:
    """One version (number, manifest hash or 'latest'): status, tier, files with sha256 and size."""
    from medkosh.catalog.service import get_version
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return get_version(s, _ref(dataset_id, version)).as_dict()


@router.get("/api/datasets/{dataset_id}/versions/{version}/card")
def card(dataset_id: str, version: str, format: str = Query("md", pattern="^(md|html)$")) -> Response:
    """The version's data card as Markdown or HTML."""
    from medkosh.catalog.service import card as get_card
    from medkosh.store.db import session_scope

    with session_scope() as s:
        data = get_card(s, _ref(dataset_id, version), format)
    if format == "html":
        return HTMLResponse(data.decode("utf-8"))
    return Response(data, media_type="text/markdown; charset=utf-8")


@router.get("/api/datasets/{dataset_id}/versions/{version}/manifest")
def manifest(dataset_id: str, version: str) -> dict[str, Any]:
    """The manifest whose sha256 is the version id (checked before it is returned)."""
    from medkosh.catalog.service import manifest as get_manifest
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return get_manifest(s, _ref(dataset_id, version))


@router.get("/datasets/{dataset_id}/versions/{version}/croissant.json")
def croissant(dataset_id: str, version: str) -> JSONResponse:
    """Croissant 1.0 JSON-LD with the Responsible-AI fields."""
    from medkosh.catalog.metadata import croissant_for
    from medkosh.store.db import session_scope

    with session_scope() as s:
        doc = croissant_for(s, _ref(dataset_id, version))
    return JSONResponse(doc, media_type="application/ld+json")


@router.get("/datasets/{dataset_id}/versions/{version}/dcat.jsonld")
def dcat(dataset_id: str, version: str) -> JSONResponse:
    """DCAT-AP description (JSON-LD)."""
    from medkosh.catalog.metadata import dcat_for
    from medkosh.store.db import session_scope

    with session_scope() as s:
        doc = dcat_for(s, _ref(dataset_id, version))
    return JSONResponse(doc, media_type="application/ld+json")


@router.get("/api/datasets/{dataset_id}/versions/{version}/scan")
def scan(request: Request, dataset_id: str, version: str) -> dict[str, Any]:
    """Re-run the release gate (PHI scan + canaries) over the version's files and data card."""
    from medkosh.access.policies import check
    from medkosh.api.deps import require_principal
    from medkosh.catalog.rescan import rescan_version
    from medkosh.catalog.service import dataset_summary, get_dataset_row
    from medkosh.store.db import session_scope

    with session_scope() as s:
        check(require_principal(request), SCAN_ROUTE[2], dataset_summary(get_dataset_row(s, dataset_id)),
              what="dataset")
        return rescan_version(s, _ref(dataset_id, version)).as_dict()


MAX_SPEC = 200_000


@router.post("/api/datasets/build")
async def build(request: Request) -> dict[str, Any]:
    """Build the next version from a SPEC.yaml request body (paths in it must be absolute or ${VARIABLES})."""
    from fastapi.concurrency import run_in_threadpool

    from medkosh.catalog.build import build_spec
    from medkosh.catalog.spec import parse_spec
    from medkosh.config import get_settings
    from medkosh.errors import PayloadTooLarge

    data = await request.body()
    if len(data) > MAX_SPEC:
        raise PayloadTooLarge(f"the spec is larger than {MAX_SPEC} bytes")
    principal = getattr(request.state, "principal", None)
    actor = getattr(getattr(principal, "user", None), "id", None) or "api"
    parsed = parse_spec(data, "request body")
    result = await run_in_threadpool(build_spec, parsed, data, get_settings().home_dir, actor=actor)
    return result.as_dict()
