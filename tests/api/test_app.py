from __future__ import annotations

from fastapi.testclient import TestClient

from medkosh.api.app import create_app


def test_healthz_and_docs(sqlite_url: str) -> None:
    client = TestClient(create_app())
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "medkosh"


def test_home_page_renders_in_both_languages(sqlite_url: str) -> None:
    client = TestClient(create_app())
    page = client.get("/")
    assert page.status_code == 200 and "What medkosh holds" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    hindi = client.get("/?lang=hi")
    assert "मेडकोश" in hindi.text and 'lang="hi"' in hindi.text


def test_unknown_route_is_clear_404(sqlite_url: str) -> None:
    client = TestClient(create_app())
    r = client.get("/no/such/thing")
    assert r.status_code == 404 and r.json()["error"].startswith("no such page")
