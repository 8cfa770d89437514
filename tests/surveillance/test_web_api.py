"""API and portal: public alert dashboard, authenticated queries, no 500 on bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from medkosh.audit.service import Actor
from medkosh.store.db import session_scope
from medkosh.surveillance import runs


@pytest.fixture
def client(sqlite_url: str, outbreak_table: Path) -> Any:
    from medkosh.api.app import create_app
    from medkosh.identity import service as ids

    with session_scope() as s:
        runs.run(s, str(outbreak_table), Actor("steward"))
        inst = ids.create_institution(s, "State surveillance unit", "government")
        user = ids.create_user(s, "officer@health.test.in", "District officer", inst.id, ["researcher"], verified=True)
        _, token = ids.issue_token(s, user.id, "t")
    c = TestClient(create_app(), raise_server_exceptions=False)
    c.token = token  # type: ignore[attr-defined]
    return c


def test_dashboard_shows_the_alert_heat_table_and_chart(client: TestClient) -> None:
    page = client.get("/surveillance?condition=dengue", headers={"accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    assert "Pune" in html and "2025-W30" in html and "A90-A91" in html
    assert "<svg" in html and "polyline" in html and 'class="heat"' in html
    hindi = client.get("/surveillance?lang=hi", headers={"accept": "text/html"})
    assert hindi.status_code == 200


def test_api_alerts_chart_heat(client: TestClient) -> None:
    found = client.get("/api/surveillance/alerts", params={"condition": "dengue"}).json()
    assert any(a["district"] == "Pune" and a["week"] == "2025-W30" for a in found["alerts"])
    chart = client.get("/api/surveillance/chart", params={"district": "Pune", "condition": "dengue"}).json()
    assert "2025-W30" in chart["alerts"]
    assert all(v is None or v == 0 or v >= chart["threshold"] for v in chart["counts"])
    assert client.get("/api/surveillance/heat", params={"condition": "plague"}).status_code == 400
    assert client.get("/api/surveillance/chart", params={"district": "Nowhere", "condition": "dengue"}).status_code == 404


def test_queries_need_a_user_and_never_500(client: TestClient) -> None:
    body = {"dataset": "feed", "by": ["district", "condition"]}
    assert client.post("/api/surveillance/query", json=body).status_code == 401
    auth = {"Authorization": f"Bearer {client.token}"}  # type: ignore[attr-defined]
    ok = client.post("/api/surveillance/query", json=body, headers=auth)
    assert ok.status_code == 200, ok.text
    assert ok.json()["mode"] == "disclosure"
    dp = client.post("/api/surveillance/query", json={**body, "by": ["state"], "epsilon": 0.2}, headers=auth)
    assert dp.status_code == 200 and dp.json()["budget_left"] == pytest.approx(0.8)
    for bad in ({"dataset": "feed", "by": ["nope"]}, {"dataset": "feed", "epsilon": -1},
                {"dataset": "/etc/passwd"}, {"dataset": "feed", "by": ["state"], "conditions": ["plague"]},
                {"dataset": "feed", "by": ["state"], "measure": "rate"}, {"dataset": "nosuch@1"},
                {"dataset": "feed", "by": ["state"], "week_from": "2025-99"}):
        r = client.post("/api/surveillance/query", json=bad, headers=auth)
        assert 400 <= r.status_code < 500, (bad, r.status_code, r.text)
        assert "error" in r.json()
    budget = client.get("/api/surveillance/budget", params={"dataset": "feed"}, headers=auth).json()
    assert budget["epsilon_spent"] == pytest.approx(0.2)


def test_query_builder_page(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {client.token}", "accept": "text/html"}  # type: ignore[attr-defined]
    form = client.get("/surveillance/query", headers=auth)
    assert form.status_code == 200 and "Group by" in form.text
    result = client.post("/surveillance/query", headers=auth,
                         data={"dataset": "feed", "by": ["state", "condition"], "measure": "count"})
    assert result.status_code == 200, result.text[:500]
    assert "<svg" in result.text and "Total" in result.text
    bad = client.post("/surveillance/query", headers=auth, data={"dataset": "feed", "by": ["state"], "measure": "rate"})
    assert bad.status_code == 422 and "numerator" in bad.text


def test_runs_and_settings_are_for_stewards(client: TestClient) -> None:
    auth = {"Authorization": f"Bearer {client.token}"}  # type: ignore[attr-defined]
    assert client.post("/api/surveillance/runs", json={}, headers=auth).status_code == 403
    assert client.put("/api/surveillance/datasets/x/settings", json={}, headers=auth).status_code == 403
    assert client.get("/api/surveillance/datasets/x/settings", headers=auth).json()["mode"] == "disclosure"
