"""People, passwords, sessions, API tokens, trainings and OIDC sign-in (with a stand-in identity provider)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from sqlalchemy import select, text

from medkosh.errors import AuthenticationError, ConflictError, InputError
from medkosh.identity import service
from medkosh.identity.types import Role, UserStatus
from medkosh.store.db import get_engine, session_scope

PW = "a long enough passphrase"


def _person(email: str = "r@x.in", roles: tuple[str, ...] = ("researcher",)) -> tuple[str, str]:
    with session_scope() as s:
        inst = service.create_institution(s, f"Inst {email}", "hospital", actor="t")
        u = service.create_user(s, email, "Rita R", inst.id, roles, password=PW, actor="t")
        return inst.id, u.id


def test_passwords_are_argon2_and_checked(db_url: str) -> None:
    _, uid = _person()
    with get_engine(db_url).connect() as c:
        stored = c.execute(text("SELECT password_hash FROM identity_user")).scalar_one()
    assert stored.startswith("$argon2id$") and PW not in stored
    with session_scope() as s:
        assert service.authenticate_password(s, "R@X.in ", PW).id == uid
    with pytest.raises(AuthenticationError), session_scope() as s:
        service.authenticate_password(s, "r@x.in", "wrong password here")
    with pytest.raises(InputError, match="too short"), session_scope() as s:
        service.set_password(s, uid, "short", actor="t")
    with pytest.raises(ConflictError), session_scope() as s:
        service.create_user(s, "r@x.in", "Again", service.get_user(s, uid).institution_id, ["researcher"], actor="t")
    with pytest.raises(InputError, match="unknown role"), session_scope() as s:
        service.parse_roles(["god"])


def test_tokens_are_hashed_scoped_expiring_and_revocable(db_url: str) -> None:
    _, uid = _person()
    with session_scope() as s:
        _, raw = service.issue_token(s, uid, "ci", scopes=["access:read", "catalog"], days=1)
    with get_engine(db_url).connect() as c:
        assert raw not in json.dumps([list(r) for r in c.execute(text("SELECT * FROM identity_api_token")).all()],
                                     default=str)
    with session_scope() as s:
        p = service.resolve_token(s, raw, route="GET /api/me")
        assert p.id == uid and p.scopes == frozenset({"access:read", "catalog"}) and p.via == "token"
    with session_scope() as s:  # a refusal is audited in the transaction before the error propagates
        with pytest.raises(AuthenticationError, match="unknown token"):
            service.resolve_token(s, raw[:-2] + "xx")
        assert s.execute(text("SELECT count(*) FROM audit_event WHERE event_type='identity.token.refused'")).scalar() == 1
    with session_scope() as s:
        s.execute(text("UPDATE identity_api_token SET expires_at = :t"), {"t": dt.datetime(2020, 1, 1)})
    with pytest.raises(AuthenticationError, match="expired"), session_scope() as s:
        service.resolve_token(s, raw)
    with session_scope() as s:
        tid2, raw2 = service.issue_token(s, uid, "ci2")
        service.revoke_token(s, tid2, actor="t")
    with pytest.raises(AuthenticationError, match="revoked"), session_scope() as s:
        service.resolve_token(s, raw2)
    with pytest.raises(InputError, match="scope"), session_scope() as s:
        service.issue_token(s, uid, "bad", scopes=["DROP TABLE"])


def test_sessions_end_at_logout_and_suspension(db_url: str) -> None:
    _, uid = _person()
    with session_scope() as s:
        raw = service.start_session(s, service.get_user(s, uid))
        _, tok = service.issue_token(s, uid, "t")
    with session_scope() as s:
        assert service.resolve_session(s, raw).id == uid
        service.set_status(s, uid, UserStatus.SUSPENDED, actor="admin")
    with session_scope() as s:
        assert service.resolve_session(s, raw) is None
        with pytest.raises(AuthenticationError):
            service.resolve_token(s, tok)
    with session_scope() as s:
        service.set_status(s, uid, UserStatus.ACTIVE, actor="admin")
        raw = service.start_session(s, service.get_user(s, uid))
        service.end_session(s, raw)
    with session_scope() as s:
        assert service.resolve_session(s, raw) is None


def test_trainings_expire(db_url: str) -> None:
    _, uid = _person()
    today = dt.date.today()
    with session_scope() as s:
        service.record_training(s, uid, "research-ethics", completed_on=today - dt.timedelta(days=400),
                                expires_on=today - dt.timedelta(days=35), actor="t")
        service.record_training(s, uid, "data-protection", completed_on=today, expires_on=today + dt.timedelta(days=30),
                                actor="t")
        assert service.valid_training_codes(s, uid) == {"data-protection"}
        with pytest.raises(InputError, match="after"):
            service.record_training(s, uid, "x", completed_on=today, expires_on=today, actor="t")


def _fake_idp(issuer: str, client_id: str, email: str) -> tuple[httpx.MockTransport, dict[str, str]]:
    """A stand-in OpenID provider (the one truly external party): discovery, JWKS and token endpoints."""
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    seen: dict[str, str] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json={"issuer": issuer, "authorization_endpoint": f"{issuer}/auth",
                                             "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks"})
        if path.endswith("/jwks"):
            return httpx.Response(200, json={"keys": [key.as_dict(private=False)]})
        if path.endswith("/token"):
            form = parse_qs(request.content.decode())
            assert form["code"] == ["the-code"]
            verifier = form["code_verifier"][0].encode()
            assert base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode() == seen["challenge"]
            assert request.headers["authorization"] == "Basic " + base64.b64encode(b"medkosh:client-secret").decode()
            now = int(time.time())
            claims = {"iss": issuer, "aud": client_id, "sub": "emp-42", "email": email, "email_verified": True,
                      "nonce": seen["nonce"], "iat": now, "exp": now + 300}
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
            return httpx.Response(200, json={"access_token": "at", "token_type": "Bearer", "id_token": id_token})
        return httpx.Response(404)

    return httpx.MockTransport(handler), seen


def test_oidc_sign_in_links_an_existing_account(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from medkosh.identity import oidc
    from medkosh.store.tables.identity import UserRow

    issuer = "https://idp.hospital.example"
    with session_scope() as s:
        inst = service.create_institution(s, "OIDC Hospital", "hospital", actor="t", oidc_issuer=issuer,
                                          oidc_client_id="medkosh")
        uid = service.create_user(s, "doc@hospital.example", "Dr Doc", inst.id, [Role.CLINICIAN], actor="t").id
    monkeypatch.setenv("MEDKOSH_OIDC_SECRET_" + inst.id.upper(), "client-secret")
    transport, seen = _fake_idp(issuer, "medkosh", "doc@hospital.example")
    monkeypatch.setattr(oidc, "transport", transport)
    url, cookie = oidc.start(inst.id, redirect_uri="http://portal/login/oidc-callback", next_path="/me")
    q = parse_qs(urlparse(url).query)
    assert q["code_challenge_method"] == ["S256"] and q["client_id"] == ["medkosh"]
    seen["challenge"] = q["code_challenge"][0]
    with pytest.raises(AuthenticationError, match="state"):
        oidc.finish(cookie, code="the-code", state="forged", redirect_uri="http://portal/login/oidc-callback")
    seen["nonce"] = "a-replayed-token"  # an ID token minted for another sign-in is refused
    with pytest.raises(AuthenticationError, match="not accepted"):
        oidc.finish(cookie, code="the-code", state=q["state"][0], redirect_uri="http://portal/login/oidc-callback")
    seen["nonce"] = q["nonce"][0]
    raw, nxt = oidc.finish(cookie, code="the-code", state=q["state"][0], redirect_uri="http://portal/login/oidc-callback")
    assert nxt == "/me"
    with session_scope() as s:
        assert service.resolve_session(s, raw).id == uid
        assert s.execute(select(UserRow.oidc_subject).where(UserRow.id == uid)).scalar_one() == f"{issuer}|emp-42"
