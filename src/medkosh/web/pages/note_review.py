"""Stewards' spot-check of a notes file before a notes dataset is published: a reproducible random
sample of notes with every detected identifier highlighted and labelled.

Only notes files under MEDKOSH_HOME (the raw zone, the work area, the demo data) can be opened, and
the page is for stewards and admins: it shows raw notes. Each view is written to the audit log
(file, sample size, seed and counts; never note text)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from medkosh.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [("Note review", "/deid/notes/review", 60)]
PATH = "/deid/notes/review"
_MAX_FILES = 200


def _register_policy() -> None:
    try:
        from medkosh.access.policies import register, roles
        from medkosh.identity.types import Role
    except ImportError:  # the access package is optional in a bare install
        return
    register("GET", PATH, "deid.notes.review", roles(Role.STEWARD, Role.ADMIN))


_register_policy()


def _roots() -> list[Path]:
    from medkosh.config import get_settings

    s = get_settings()
    return [s.raw_zone, s.work_dir, s.home_dir / "demo-data"]


def note_files() -> list[str]:
    """Notes files a steward may open: *.jsonl with 'note' in the name, under the allowed roots,
    as paths relative to MEDKOSH_HOME."""
    from medkosh.config import get_settings

    home = get_settings().home_dir
    found: list[str] = []
    for root in _roots():
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*note*.jsonl")):
            found.append(path.relative_to(home).as_posix())
            if len(found) >= _MAX_FILES:
                return found
    return found


def _resolve(rel: str) -> Path:
    """A listed file only: anything else (../, absolute paths, other folders) is not found."""
    from medkosh.config import get_settings
    from medkosh.errors import NotFoundError

    if rel not in note_files():
        raise NotFoundError("notes file not found", where=rel, hint="pick a file from the list")
    return get_settings().home_dir / rel


def _audit(request: Request, rel: str, sample: int, seed: int, shown: int, spans: int) -> None:
    from medkosh.audit import record
    from medkosh.store.db import session_scope

    principal = getattr(request.state, "principal", None)
    actor = getattr(principal, "id", None) if principal is not None else None
    with session_scope() as s:
        record(s, "deid.notes.reviewed", actor=actor, subject_type="notes_file", subject_id=rel,
               details={"sample": sample, "seed": seed, "notes_shown": shown, "spans_shown": spans})


@router.get(PATH, response_class=HTMLResponse)
def review(request: Request, file: str = Query("", max_length=500), sample: int = Query(5, ge=1, le=50),
           seed: int = Query(0, ge=0, le=2**31 - 1), note: str = Query("", max_length=200)) -> HTMLResponse:
    from medkosh.deid.text.review import review_sample

    ctx: dict[str, Any] = {"files": note_files(), "file": file, "sample": sample, "seed": seed, "note": note,
                           "items": [], "legend": {}}
    if file:
        items = review_sample(_resolve(file), sample=sample, seed=seed, note_id=note or None)
        legend: dict[str, int] = {}
        for it in items:
            for s in it.spans:
                legend[s.label] = legend.get(s.label, 0) + 1
        ctx.update(items=items, legend=dict(sorted(legend.items())))
        _audit(request, file, sample, seed, len(items), sum(legend.values()))
    return render(request, "note_review.html", ctx)
