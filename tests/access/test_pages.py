"""The portal pages through HTTP (TestClient): sign in, file with upload, review, sign the DUA, download;
CSRF and sign-in redirects."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medkosh.store.db import session_scope

_spec = importlib.util.spec_from_file_location("access_world", Path(__file__).with_name("world.py"))
assert _spec and _spec.loader
world = sys.modules.get("access_world") or importlib.util.module_from_spec(_spec)
if "access_world" not in sys.modules:
    sys.modules["access_world"] = world
    _spec.loader.exec_module(world)


def csrf(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert m, "no CSRF token on the page"
    return m.group(1)


def sign_in(email: str) -> TestClient:
    from medkosh.api.app import create_app

    c = TestClient(create_app(), base_url="http://testserver")
    page = c.get("/login").text
    r = c.post("/login", data={"email": email, "password": world.PASSWORD, "next": "/me", "csrf_token": csrf(page)},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


@pytest.fixture
def w(sqlite_url: str) -> Any:
    with session_scope() as s:
        return world.build_world(s)


def test_request_review_sign_download_through_pages(w: Any) -> None:
    r = sign_in("researcher@test.in")
    form = r.get("/access/requests/new?dataset=test-registered").text
    assert "test-registered@1" in form
    resp = r.post("/access/requests/new", data={
        "csrf_token": csrf(form), "title": "Page study", "lay_summary": "Plain words.", "purpose": "DSRCH",
        "dataset": "test-registered@1", "duration_days": "90", "ethics_committee": "IEC", "ethics_approval_number": "7",
        "team": "", "action": "submit"}, files={"document": ("a.pdf", b"%PDF-1.4 x", "application/pdf")},
        follow_redirects=False)
    assert resp.status_code == 303, resp.text
    rid = resp.headers["location"].rsplit("/", 1)[1]
    assert "submitted" in r.get(f"/access/requests/{rid}").text
    assert r.get(f"/access/requests/{rid}/document").content == b"%PDF-1.4 x"
    for who in ("c1@test.in", "c2@test.in"):
        c = sign_in(who)
        assert rid in c.get("/review").text
        page = c.get(f"/review/{rid}").text
        out = c.post(f"/review/{rid}", data={"csrf_token": csrf(page), "decision": "approve", "comment": "ok",
                                             "conditions": "cite"}, follow_redirects=False)
        assert out.status_code == 303, out.text
    assert "approved" in r.get(f"/access/requests/{rid}").text
    page = r.get("/access/datasets/test-registered").text
    sha = re.search(r'name="dua_sha256" value="([0-9a-f]{64})"', page).group(1)
    out = r.post("/access/datasets/test-registered/dua", data={"csrf_token": csrf(page), "dua_sha256": sha,
                                                               "typed_name": "Ravi Researcher", "agree": "yes"},
                 follow_redirects=False)
    assert out.status_code == 303, out.text
    page = r.get("/access/datasets/test-registered").text
    assert "You have signed this agreement." in page
    m = re.search(r'href="(/access/versions/[0-9a-f]+/download\?path=tables/patient.parquet)"', page)
    assert m, page[page.find("id=\"files\""):][:1500]
    link = m.group(1)
    got = r.get(link)
    assert got.status_code == 200 and got.content == b"registered data"
    me = r.get("/me").text
    assert "Agreements I signed" in me and "Ravi Researcher" in me
    hindi = r.get("/access/requests?lang=hi").text
    assert "मेरे अनुरोध" in hindi


def test_forms_without_csrf_are_refused_and_pages_redirect_to_sign_in(w: Any) -> None:
    from medkosh.api.app import create_app

    anon = TestClient(create_app())
    r = anon.post("/login", data={"email": "researcher@test.in", "password": world.PASSWORD})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]
    r = anon.get("/access/requests", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    c = sign_in("researcher@test.in")
    r = c.post("/access/requests/nope/withdraw", data={})
    assert r.status_code == 403
    bad = c.post("/login", data={"email": "researcher@test.in", "password": "wrong password!",
                                 "csrf_token": csrf(c.get("/login").text)})
    assert bad.status_code == 401 and "wrong email or password" in bad.text
