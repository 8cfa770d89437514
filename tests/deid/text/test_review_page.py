"""The stewards' note review page: highlighted spans, steward-only, listed files only, audited."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medkosh.store.db import session_scope

_WORLD = Path(__file__).resolve().parents[2] / "access" / "world.py"
_spec = importlib.util.spec_from_file_location("access_world", _WORLD)
assert _spec and _spec.loader
world = sys.modules.get("access_world") or importlib.util.module_from_spec(_spec)
if "access_world" not in sys.modules:
    sys.modules["access_world"] = world
    _spec.loader.exec_module(world)


def _client() -> TestClient:
    from medkosh.api.app import create_app

    return TestClient(create_app(), base_url="http://testserver")


def _sign_in(email: str) -> TestClient:
    c = _client()
    page = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert token
    r = c.post("/login", data={"email": email, "password": world.PASSWORD, "next": "/me",
                               "csrf_token": token.group(1)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


@pytest.fixture
def notes_file(sqlite_url: str, medkosh_home: Path) -> str:
    with session_scope() as s:
        world.build_world(s)
    folder = medkosh_home / "raw" / "notes"
    folder.mkdir(parents=True)
    rows = [{"id": "n1", "text": "Pt Ramesh Yadav S/o Suresh, ph 9876543210. Lasix 40 mg."},
            {"id": "n2", "text": "BP 120/80, afebrile."}]
    (folder / "notes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return "raw/notes/notes.jsonl"


def test_steward_sees_highlighted_sample(notes_file: str) -> None:
    c = _sign_in("steward@test.in")
    listing = c.get("/deid/notes/review")
    assert listing.status_code == 200 and notes_file in listing.text
    page = c.get("/deid/notes/review", params={"file": notes_file, "note": "n1"})
    assert page.status_code == 200
    assert '<mark class="phi" title="NAME">Ramesh Yadav' in page.text
    assert 'title="PHONE">9876543210' in page.text
    assert "Lasix 40 mg" in page.text and '<mark class="phi" title="NAME">Lasix' not in page.text
    from sqlalchemy import select

    from medkosh.store.tables.audit import AuditEventRow

    with session_scope() as s:
        rows = s.execute(select(AuditEventRow).where(AuditEventRow.event_type == "deid.notes.reviewed")).scalars().all()
        assert len(rows) == 1
        details = json.loads(rows[0].details)
        assert details["notes_shown"] == 1 and details["spans_shown"] >= 3
        assert "Ramesh" not in rows[0].details and "9876543210" not in rows[0].details


def test_other_roles_and_anonymous_are_refused(notes_file: str) -> None:
    assert _sign_in("researcher@test.in").get("/deid/notes/review").status_code == 403
    anonymous = _client().get("/deid/notes/review", params={"file": notes_file}, follow_redirects=False)
    assert anonymous.status_code in (303, 401)


def test_only_listed_files_open(notes_file: str) -> None:
    c = _sign_in("steward@test.in")
    for bad in ("../../etc/passwd", "/etc/passwd", "raw/notes/other.jsonl"):
        assert c.get("/deid/notes/review", params={"file": bad}).status_code == 404
