"""Hostile input at the HTTP edge: request-body caps (413 while streaming), rate limits per token and per
IP with a sign-in brute-force limit (429 + Retry-After), CSRF on every state-changing form, security
headers on every page, HSTS and Secure cookies over https (directly or behind a trusted TLS proxy)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from medkosh.api.app import HSTS, SECURITY_HEADERS, create_app
from medkosh.api.limits import FailureWindow, TokenBuckets, body_cap
from medkosh.store.db import session_scope

_spec = importlib.util.spec_from_file_location("access_world", Path(__file__).parents[1] / "access" / "world.py")
assert _spec and _spec.loader
world = sys.modules.get("access_world") or importlib.util.module_from_spec(_spec)
if "access_world" not in sys.modules:
    sys.modules["access_world"] = world
    _spec.loader.exec_module(world)


@pytest.fixture(scope="module")
def world_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The access world built once per module (password hashing dominates), copied into each test's home."""
    from medkosh.config import reset_settings
    from medkosh.store.db import dispose_engines
    from medkosh.store.migrate import upgrade

    home = tmp_path_factory.mktemp("hardening-world") / "home"
    url = f"sqlite:///{home / 'medkosh.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MEDKOSH_HOME", str(home))
        mp.setenv("MEDKOSH_DATABASE_URL", url)
        reset_settings()
        upgrade(url)
        with session_scope() as s:
            built = world.build_world(s)
        dispose_engines()
    reset_settings()
    return home, built


@pytest.fixture
def w(world_home: tuple[Path, Any], medkosh_home: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from medkosh.config import reset_settings

    shutil.copytree(world_home[0], medkosh_home, dirs_exist_ok=True)
    monkeypatch.setenv("MEDKOSH_DATABASE_URL", f"sqlite:///{medkosh_home / 'medkosh.db'}")
    reset_settings()
    return world_home[1]


def _settings(monkeypatch: pytest.MonkeyPatch, **env: object) -> None:
    from medkosh.config import reset_settings

    for key, value in env.items():
        monkeypatch.setenv(f"MEDKOSH_{key.upper()}", str(value))
    reset_settings()


def _csrf(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert m, "no CSRF token on the page"
    return m.group(1)


def _sign_in(client: TestClient, email: str, **kw: Any) -> Any:
    page = client.get("/login", **kw)
    nonce = page.cookies.get("mk_csrf")
    if nonce:  # a Secure cookie (proxied https) is not sent back over the test's plain http by the client
        client.cookies.set("mk_csrf", nonce)
    return client.post("/login", data={"email": email, "password": world.PASSWORD, "csrf_token": _csrf(page.text)},
                       follow_redirects=False, **kw)


def _token(w: Any, key: str) -> str:
    from medkosh.identity import service

    with session_scope() as s:
        return service.issue_token(s, w.users[key].id, f"hardening-{key}", days=1)[1]


def _one_line(r: Any) -> str:
    body = r.json()
    assert set(body) == {"error", "status"} and body["status"] == r.status_code
    line = body["error"]
    assert isinstance(line, str) and "\n" not in line and "Traceback" not in line
    return str(line)


# ---- request body size ------------------------------------------------------------------------------

def test_body_cap_refuses_declared_and_streamed_bodies_with_413(w: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _settings(monkeypatch, max_request_bytes=4096)
    c = TestClient(create_app())
    token = _token(w, "admin")
    auth = {"Authorization": f"Bearer {token}"}
    ok = c.post("/api/institutions", json={"name": "Small Body Institute"}, headers=auth)
    assert ok.status_code == 201, ok.text
    big = {"name": "x" * 5000}
    r = c.post("/api/institutions", json=big, headers=auth)  # Content-Length says 5 kB: refused up front
    assert r.status_code == 413 and "larger than 4 KiB" in _one_line(r)
    assert r.headers["x-content-type-options"] == "nosniff"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
        yield b'{"name": "'
        for _ in range(64):
            yield b"y" * 1024
        yield b'"}'

    r = c.post("/api/institutions", content=chunks(), headers=auth | {"content-type": "application/json"})
    assert r.status_code == 413 and "larger than 4 KiB" in _one_line(r)
    with session_scope() as s:
        from medkosh.identity import service

        names = {i.name for i in service.list_institutions(s)}
    assert "Small Body Institute" in names and not any(n.startswith(("x", "y")) for n in names)


def test_upload_routes_have_their_own_caps(w: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _settings(monkeypatch, max_request_bytes=4096)
    assert body_cap("POST", "/api/jobs", 4096) == 51 * 1024 * 1024
    assert body_cap("POST", "/api/access/requests/req_1/document", 4096) == 21 * 1024 * 1024
    assert body_cap("GET", "/api/jobs", 4096) == 4096
    c = TestClient(create_app())
    auth = {"Authorization": f"Bearer {_token(w, 'researcher')}"}
    rid = c.post("/api/access/requests", headers=auth, json={
        "title": "T", "lay_summary": "S", "purpose": "DSRCH", "versions": ["test-registered@1"], "duration_days": 30,
        "ethics_committee": "IEC", "ethics_approval_number": "1"}).json()["id"]
    pdf = b"%PDF-1.4 " + b"0" * 100_000  # 100 kB: above the global cap, under the document route's
    r = c.post(f"/api/access/requests/{rid}/document", headers=auth, files={"document": ("a.pdf", pdf, "application/pdf")})
    assert r.status_code == 200, r.text
    r = c.post("/api/access/requests", headers=auth, content=b"{" + b" " * 8000 + b"}")
    assert r.status_code == 413


# ---- rate limits -------------------------------------------------------------------------------------

def test_token_bucket_and_failure_window_arithmetic() -> None:
    now = [0.0]
    buckets = TokenBuckets(per_minute=60, burst_seconds=3, clock=lambda: now[0])  # 1/s, bursts of 3
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(1.0)
    assert buckets.take("b") == 0.0  # another key has its own bucket
    now[0] = 1.0
    assert buckets.take("a") == 0.0 and buckets.take("a") > 0
    window = FailureWindow(limit=2, window=10, clock=lambda: now[0])
    window.fail("ip")
    assert window.blocked("ip") == 0
    now[0] = 4.0
    window.fail("ip")
    assert window.blocked("ip") == pytest.approx(7.0)  # until the first failure (t=1) leaves the window
    now[0] = 11.5
    assert window.blocked("ip") == 0


def test_rate_limit_per_token_answers_429_with_retry_after(w: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # 1 request a minute, bursts of 5: the 6th request within a minute is refused (60 s of margin).
    _settings(monkeypatch, rate_limit_token_per_minute=1, rate_limit_burst_seconds=300)
    c = TestClient(create_app())
    first, second = _token(w, "researcher"), _token(w, "steward")
    codes = [c.get("/api/me", headers={"Authorization": f"Bearer {first}"}).status_code for _ in range(5)]
    assert codes == [200] * 5
    r = c.get("/api/me", headers={"Authorization": f"Bearer {first}"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "too many requests" in _one_line(r) and r.headers["x-frame-options"] == "DENY"
    assert c.get("/api/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_rate_limit_per_ip_for_anonymous_callers(w: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _settings(monkeypatch, rate_limit_ip_per_minute=1, rate_limit_burst_seconds=180, trusted_proxies="testclient")
    c = TestClient(create_app())
    a = {"X-Forwarded-For": "203.0.113.7"}
    assert [c.get("/healthz", headers=a).status_code for _ in range(3)] == [200] * 3
    r = c.get("/healthz", headers=a)
    assert r.status_code == 429 and "retry-after" in r.headers
    page = c.get("/", headers=a | {"Accept": "text/html"})
    assert page.status_code == 429 and "Too many requests" in page.text and "Traceback" not in page.text
    assert c.get("/healthz", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 200


def test_sign_in_brute_force_is_limited_per_ip(w: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _settings(monkeypatch, rate_limit_login_failures=3, trusted_proxies="testclient")
    c = TestClient(create_app())
    attacker = {"X-Forwarded-For": "198.51.100.9"}
    bad = {"email": "researcher@test.in", "password": "guess"}
    assert [c.post("/api/auth/token", json=bad, headers=attacker).status_code for _ in range(3)] == [401] * 3
    good = {"email": "researcher@test.in", "password": world.PASSWORD}
    r = c.post("/api/auth/token", json=good, headers=attacker)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0 and "failed sign-ins" in _one_line(r)
    page = c.get("/login", headers=attacker).text
    r = c.post("/login", data=good | {"csrf_token": _csrf(page)}, headers=attacker, follow_redirects=False)
    assert r.status_code == 429  # the portal's form shares the limit
    assert c.post("/api/auth/token", json=good, headers={"X-Forwarded-For": "198.51.100.10"}).status_code == 200
    # successful sign-ins never count
    other = {"X-Forwarded-For": "198.51.100.11"}
    assert [c.post("/api/auth/token", json=good, headers=other).status_code for _ in range(5)] == [200] * 5


# ---- CSRF ---------------------------------------------------------------------------------------------

def _form_posts(app: Any) -> list[str]:
    import fastapi.routing

    paths = set()
    for ctx in fastapi.routing.iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute) and not ctx.path.startswith("/api") and (ctx.methods or set()) & {
                "POST", "PUT", "PATCH", "DELETE"}:
            paths.add(ctx.path)
    return sorted(paths)


def test_every_state_changing_form_refuses_missing_or_wrong_csrf(w: Any) -> None:
    app = create_app()
    posts = _form_posts(app)
    assert len(posts) >= 15, posts
    sessions = {}
    for key in ("admin", "researcher", "committee1", "steward", "clinician", "auditor"):
        client = TestClient(app)
        assert _sign_in(client, w.users[key].email).status_code == 303
        sessions[key] = client
    ids = {"request_id": "req_x", "user_id": w.users["researcher"].id, "dataset_id": "test-registered",
           "token_id": "tok_x", "output_id": "out_x", "prediction_id": "pred_x", "institution_id": w.inst}
    refused: dict[str, list[str]] = {}
    for path in posts:
        url = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "x1"), path)
        for key, client in sessions.items():
            good = _csrf(client.get("/me").text)
            for sent in ({}, {"csrf_token": "0" * 64}, {"csrf_token": good[:-1] + ("0" if good[-1] != "0" else "1")}):
                r = client.post(url, data={"name": "x"} | sent, follow_redirects=False)
                if r.status_code == 403 and "CSRF" in r.text:
                    refused.setdefault(path, []).append(key)
            if path == "/logout":
                continue  # signing out here would end the session the other routes need
            # control: the same session with the right token is not refused for CSRF
            r = client.post(url, data={"name": "x", "csrf_token": good}, follow_redirects=False)
            assert "CSRF" not in r.text, (path, key)
    # Policy answers first (a role without the right gets its own 403); a session the policy lets through
    # must then be refused for each of the three bad tokens.
    missing = [p for p in posts if not any(refused.get(p, []).count(k) == 3 for k in sessions)]
    assert not missing, f"form routes not refused for a missing or wrong CSRF token: {missing}"
    # an API call riding on the session cookie needs the token too
    r = sessions["admin"].post("/api/institutions", json={"name": "Cookie Ride"})
    assert r.status_code == 403 and "CSRF" in r.text


# ---- headers and cookies ------------------------------------------------------------------------------

def _page_gets(app: Any) -> list[str]:
    import fastapi.routing

    out = []
    for ctx in fastapi.routing.iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute) and "GET" in (ctx.methods or set()) and not ctx.path.startswith(
                ("/api", "/openapi", "/docs")):
            out.append(ctx.path)
    return sorted(set(out))


def test_security_headers_on_every_page(w: Any) -> None:
    app = create_app()
    anon = TestClient(app)
    admin = TestClient(app)
    assert _sign_in(admin, "admin@test.in").status_code == 303
    pages = _page_gets(app)
    assert len(pages) >= 15, pages
    ids = {"dataset_id": "test-open", "version_id": w.versions["open"].id, "user_id": w.users["researcher"].id}
    statuses = set()
    for path in [*pages, "/no/such/page", "/api/no/such"]:
        url = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "x1"), path)
        for client in (anon, admin):
            r = client.get(url, headers={"Accept": "text/html"}, follow_redirects=False)
            statuses.add(r.status_code)
            assert r.status_code < 500, (url, r.status_code)
            for key, value in SECURITY_HEADERS.items():
                assert r.headers.get(key) == value, (url, key)
            assert "strict-transport-security" not in r.headers  # plain http: no HSTS
    assert {200, 404} <= statuses


def _cookie_flags(response: Any, name: str) -> str:
    for raw in response.headers.get_list("set-cookie"):
        if raw.startswith(f"{name}="):
            return raw.lower()
    raise AssertionError(f"no {name} cookie set")


def test_https_sets_hsts_and_secure_cookies(w: Any) -> None:
    c = TestClient(create_app(), base_url="https://testserver")
    page = c.get("/login")
    assert page.headers["strict-transport-security"] == HSTS
    assert "secure" in _cookie_flags(page, "mk_csrf")
    r = _sign_in(c, "researcher@test.in")
    flags = _cookie_flags(r, "mk_session")
    assert "httponly" in flags and "samesite=lax" in flags and "secure" in flags

    plain = TestClient(create_app())
    r = _sign_in(plain, "researcher@test.in")
    flags = _cookie_flags(r, "mk_session")
    assert "httponly" in flags and "samesite=lax" in flags and "secure" not in flags


def test_trusted_proxy_forwarded_proto_is_honoured_only_from_trusted_peers(w: Any,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    https = {"X-Forwarded-Proto": "https"}
    untrusted = TestClient(create_app())  # MEDKOSH_TRUSTED_PROXIES unset: the header is ignored
    r = _sign_in(untrusted, "researcher@test.in", headers=https)
    assert "secure" not in _cookie_flags(r, "mk_session") and "strict-transport-security" not in r.headers

    _settings(monkeypatch, trusted_proxies="10.0.0.1, testclient")
    proxied = TestClient(create_app())
    r = _sign_in(proxied, "researcher@test.in", headers=https)
    flags = _cookie_flags(r, "mk_session")
    assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags
    assert r.headers["strict-transport-security"] == HSTS
