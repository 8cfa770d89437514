"""Catalog pages: browse and search (with facets), a dataset's page (versions, status, data card,
Croissant and DCAT links) and a version's page. Readable by anyone."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from medkosh.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [("Datasets", "/datasets", 10)]

PAGES = [
    ("GET", "/datasets", "catalog.page.browse"),
    ("GET", "/datasets/{dataset_id}", "catalog.page.dataset"),
    ("GET", "/datasets/{dataset_id}/versions/{version}", "catalog.page.version"),
]
_ARTICLE = re.compile(r"<article class=\"data-card\">.*</article>", re.S)
FACET_LABELS = {"modality": "Modality", "chapter": "ICD-10 chapter", "state": "State", "tier": "Access tier",
                "size": "Size", "institution": "Institution"}


def _register_policy() -> None:
    try:
        from medkosh.access.policies import public, register
    except ImportError:
        return
    for method, path, action in PAGES:
        register(method, path, action, public())


_register_policy()


@router.get("/datasets", response_class=HTMLResponse)
def browse(request: Request, q: str = Query("", max_length=400), facet: list[str] = Query(default=[]),
           page: int = Query(1, ge=1, le=500)) -> HTMLResponse:
    from medkosh.catalog.search import SearchQuery, parse_filters, search
    from medkosh.store.db import session_scope

    filters = parse_filters(facet)
    per_page = 20
    with session_scope() as s:
        result = search(s, SearchQuery(text=q, filters=filters, limit=per_page, offset=(page - 1) * per_page))
    active = {(f, v) for f, values in filters.items() for v in values}
    return render(request, "catalog.html", {
        "q": q, "result": result, "active": active, "facet_labels": FACET_LABELS, "page": page,
        "pages": max(1, -(-result.total // per_page)), "facet_params": facet})


def _card_article(html: bytes) -> str:
    """The card's <article> (our own generated, escaped HTML) for embedding in the portal page."""
    match = _ARTICLE.search(html.decode("utf-8"))
    return match.group(0) if match else ""


def _dataset_context(dataset_id: str, version: str | None) -> dict[str, Any]:
    from medkosh.catalog.service import card, get_version, show_dataset
    from medkosh.store.db import session_scope

    with session_scope() as s:
        ds = show_dataset(s, dataset_id)
        current = get_version(s, f"{dataset_id}@{version}" if version else dataset_id) if ds["versions"] else None
        card_html = _card_article(card(s, current.ref, "html")) if current else ""
    return {"ds": ds, "current": current.as_dict() if current else None, "card_html": card_html}


@router.get("/datasets/{dataset_id}", response_class=HTMLResponse)
def dataset(request: Request, dataset_id: str) -> HTMLResponse:
    return render(request, "dataset.html", _dataset_context(dataset_id, None))


@router.get("/datasets/{dataset_id}/versions/{version}", response_class=HTMLResponse)
def dataset_version(request: Request, dataset_id: str, version: str) -> HTMLResponse:
    return render(request, "dataset.html", _dataset_context(dataset_id, version))
