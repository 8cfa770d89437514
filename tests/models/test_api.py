"""The models API and portal pages over HTTP: predict (supervised → pending), the clinician's worklist
and review, role gates, bad input as a 4xx one-liner, the model page with its monitoring section."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def test_predict_review_and_pages_over_http(sqlite_url: str, h: Any) -> None:
    from medkosh.api.app import create_app
    from medkosh.deployment.monitoring import check
    from medkosh.identity.service import issue_token
    from medkosh.models.service import register
    from medkosh.store.db import session_scope

    with session_scope(sqlite_url) as s:
        who = h.people(s)
        vid = register(s, who["researcher"], model_id="toy-risk", artefact=h.onnx_model(), artefact_name="t.onnx",
                       schema=h.SCHEMA)["id"]
        val = h.passing_validation(s, who["steward"], vid)
        tokens = {k: issue_token(s, p.id, f"t-{k}", days=1)[1] for k, p in who.items()}
    client = TestClient(create_app())

    def hdr(k: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[k]}"}

    body = {"registration_number": "MCI-9", "statement": "Reviewed the report carefully.", "validation_id":
            val["validation_id"]}
    assert client.post(f"/api/models/{vid}/approve", json=body, headers=hdr("steward")).status_code == 403
    assert client.post(f"/api/models/{vid}/deploy", json={"mode": "supervised"}, headers=hdr("steward")).status_code == 422
    assert client.post(f"/api/models/{vid}/approve", json=body, headers=hdr("clinician")).status_code == 200
    assert client.post(f"/api/models/{vid}/deploy", json={"mode": "supervised"}, headers=hdr("steward")).status_code == 200
    r = client.post(f"/api/models/{vid}/predict", json={"features": {"age": 66, "hba1c": 9.5}}, headers=hdr("researcher"))
    assert r.status_code == 200 and r.json()["status"] == "pending" and "score" not in r.json()
    pid = r.json()["prediction_id"]
    bad = client.post(f"/api/models/{vid}/predict", json={"features": {"patient_name": 1}}, headers=hdr("researcher"))
    assert bad.status_code == 400 and "unknown feature" in bad.text
    assert client.get("/api/models/worklist", headers=hdr("researcher")).status_code == 403
    items = client.get("/api/models/worklist", headers=hdr("clinician")).json()
    assert [i["id"] for i in items] == [pid]
    page = client.get("/models/worklist", headers=hdr("clinician"))
    assert page.status_code == 200 and pid in page.text
    rv = client.post(f"/api/models/predictions/{pid}/review", json={"accept": False, "decision": 1, "note": "trend"},
                     headers=hdr("clinician"))
    assert rv.status_code == 200 and rv.json()["status"] == "overridden"
    with session_scope(sqlite_url) as s:
        check(s, vid)
    detail = client.get(f"/models/{vid}", headers=hdr("researcher"))
    assert detail.status_code == 200 and "Monitoring" in detail.text and "MCI-9" in detail.text
    assert client.get("/models", headers=hdr("auditor") if "auditor" in tokens else hdr("steward")).status_code == 200
    rep = client.get(f"/api/models/{vid}/validations/{val['validation_id']}?format=html", headers=hdr("clinician"))
    assert rep.status_code == 200 and "Reliability" in rep.text
    card = client.get(f"/api/models/{vid}/card", headers=hdr("clinician")).json()
    assert card["performance"]["passed"] and card["approvals"][0]["registration_number"] == "MCI-9"
    assert client.get(f"/api/models/{vid}").status_code == 401
