"""POST /api/consent/notifications: signature is the credential; replays change nothing."""

from __future__ import annotations

import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from fastapi.testclient import TestClient

from medkosh.consent import service
from medkosh.consent.signatures import sign_notification
from medkosh.store.db import session_scope

URL = "/api/consent/notifications"


def _note(cm, consent_id, status, *, detail=None, artefact_sig=None, key=None, request_id=None):
    notification = {"consentId": consent_id, "status": status}
    if detail is not None:
        notification.update(consentDetail=detail, signature=artefact_sig)
    body = {"requestId": request_id or str(uuid.uuid4()), "timestamp": "2026-11-28T09:00:00.000Z",
            "notification": notification}
    return sign_notification(body, key or cm.key)


@pytest.fixture
def client(db_url):
    from medkosh.api.app import create_app

    return TestClient(create_app())


def _status(consent_id):
    with session_scope() as s:
        return service.get_row(s, consent_id).status


def test_grant_then_revoke_then_replays(client, cm) -> None:
    cm.trust()
    art = cm.artefact(consent_id="n-1")
    grant = _note(cm, "n-1", "GRANTED", detail=art["consentDetail"], artefact_sig=art["signature"])
    r = client.post(URL, json=grant)
    assert r.status_code == 200, r.text
    assert r.json() == {"consent_id": "n-1", "status": "GRANTED", "action": "imported"}
    assert client.post(URL, json=grant).json()["action"] == "duplicate"

    revoke = _note(cm, "n-1", "REVOKED")
    assert client.post(URL, json=revoke).json()["action"] == "status_changed"
    assert client.post(URL, json=revoke).json()["action"] == "duplicate"
    again = _note(cm, "n-1", "REVOKED")  # the same news under a fresh requestId
    assert client.post(URL, json=again).json()["action"] == "unchanged"
    assert _status("n-1") == "REVOKED"
    with session_scope() as s:
        hist = service.history(s, "n-1")
    assert [(h["to"], h["source"]) for h in hist] == [("GRANTED", "notification"), ("REVOKED", "notification")]
    assert hist[1]["actor"] == f"consent-manager:{cm.id}" and hist[1]["reported_at"].startswith("2026-11-28T09:00")
    # REVOKED is final: a later EXPIRED is refused as a conflict, not applied.
    assert client.post(URL, json=_note(cm, "n-1", "EXPIRED")).status_code == 409


def test_forged_notification_is_refused_and_changes_nothing(client, cm) -> None:
    cm.trust()
    art = cm.artefact(consent_id="n-2")
    client.post(URL, json=_note(cm, "n-2", "GRANTED", detail=art["consentDetail"], artefact_sig=art["signature"]))
    forged = _note(cm, "n-2", "REVOKED", key=ed25519.Ed25519PrivateKey.generate())
    r = client.post(URL, json=forged)
    assert r.status_code == 401 and "does not verify" in r.json()["error"] and "\n" not in r.json()["error"]
    tampered = _note(cm, "n-2", "REVOKED")
    tampered["notification"]["status"] = "EXPIRED"  # signed as REVOKED, sent as EXPIRED
    assert client.post(URL, json=tampered).status_code == 401
    assert _status("n-2") == "GRANTED"


def test_grant_with_a_bad_artefact_signature_is_refused(client, cm) -> None:
    cm.trust()
    art = cm.artefact(consent_id="n-3")
    art["consentDetail"]["hiTypes"].append("DischargeSummary")  # altered after the consent manager signed it
    r = client.post(URL, json=_note(cm, "n-3", "GRANTED", detail=art["consentDetail"], artefact_sig=art["signature"]))
    assert r.status_code == 401 and "consent n-3" in r.json()["error"]


def test_bad_input_is_4xx_never_500(client, cm) -> None:
    cm.trust()
    assert client.post(URL, json=_note(cm, "nobody", "REVOKED")).status_code == 404
    assert client.post(URL, content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    assert client.post(URL, json=[1, 2]).status_code == 400
    assert client.post(URL, json={"requestId": "x"}).status_code == 400
    bad_status = _note(cm, "n-x", "DENIED")
    assert client.post(URL, json=bad_status).status_code == 400
    unsigned = _note(cm, "n-x", "REVOKED")
    del unsigned["signature"]
    assert client.post(URL, json=unsigned).status_code == 400
    assert client.post(URL, content=b"x" * (2 << 20)).status_code == 413


def test_request_id_reuse_for_another_change_is_a_conflict(client, cm) -> None:
    cm.trust()
    for cid in ("n-4", "n-5"):
        art = cm.artefact(consent_id=cid)
        client.post(URL, json=_note(cm, cid, "GRANTED", detail=art["consentDetail"], artefact_sig=art["signature"]))
    client.post(URL, json=_note(cm, "n-4", "REVOKED", request_id="req-1"))
    r = client.post(URL, json=_note(cm, "n-5", "REVOKED", request_id="req-1"))
    assert r.status_code == 409 and _status("n-5") == "GRANTED"
