"""The authorisation matrix: every route of the app, called as every role, anonymously, with an expired
token and as a user of another institution, answers exactly as intended.

The test enumerates app.routes, so a route missing from medkosh.access.policies.ROUTES fails it. Routes
of this issue (identity, access, review, admin, audit, system) have an exact expected status per caller
below. Routes other domains register are checked against their policy rule: anonymous → 401 unless
public, a role the rule does not name → 403, an expired token → 401.

State-changing calls that succeed are undone by restoring a snapshot of the SQLite database, so every
call sees the same world: a request R filed and submitted by the researcher for the registered dataset.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from medkosh.store.db import session_scope

_spec = importlib.util.spec_from_file_location("access_world", Path(__file__).parents[1] / "access" / "world.py")
assert _spec and _spec.loader
world = sys.modules.get("access_world") or importlib.util.module_from_spec(_spec)
if "access_world" not in sys.modules:
    sys.modules["access_world"] = world
    _spec.loader.exec_module(world)

CALLERS = ["anon", "admin", "steward", "researcher", "committee", "clinician", "auditor", "outsider", "expired"]
SIGNED = CALLERS[1:8]
ALL_OK = dict.fromkeys(CALLERS, 200) | {"expired": 401}
# Starlette's own routes (API docs, static files) take no credentials at all, so a bad token is not looked at.
NO_AUTH = dict.fromkeys(CALLERS, 200)


def only(ok: int, who: list[str], rest: int = 403, anon: int = 401, **overrides: int) -> dict[str, int]:
    out = {c: rest for c in SIGNED} | {"anon": anon, "expired": 401}
    out.update(dict.fromkeys(who, ok))
    out.update(overrides)
    return out


def signed(ok: int) -> dict[str, int]:
    return only(ok, SIGNED)


VIEWERS = ["admin", "steward", "researcher", "committee"]  # who may see request R
# (method, path) → expected status per caller
EXPECT: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/healthz"): ALL_OK, ("GET", "/docs"): NO_AUTH, ("GET", "/docs/oauth2-redirect"): NO_AUTH,
    ("GET", "/openapi.json"): NO_AUTH, ("GET", "/static"): NO_AUTH, ("GET", "/"): ALL_OK,
    ("POST", "/api/auth/token"): ALL_OK,
    ("GET", "/api/me"): signed(200), ("GET", "/api/tokens"): signed(200), ("POST", "/api/tokens"): signed(201),
    ("DELETE", "/api/tokens/{token_id}"): only(200, ["admin", "researcher"], rest=404),
    ("GET", "/api/users"): only(200, ["admin", "steward", "outsider"]),
    ("POST", "/api/users"): only(201, ["admin"]),
    ("GET", "/api/users/{user_id}"): only(200, ["admin", "steward", "researcher"], rest=404),
    ("PUT", "/api/users/{user_id}/roles"): only(200, ["admin"]),
    ("PUT", "/api/users/{user_id}/status"): only(200, ["admin"]),
    ("PUT", "/api/users/{user_id}/verification"): only(200, ["admin", "steward"], outsider=404),
    ("POST", "/api/users/{user_id}/trainings"): only(201, ["admin", "steward"], outsider=404),
    ("GET", "/api/institutions"): signed(200), ("POST", "/api/institutions"): only(201, ["admin"]),
    ("GET", "/api/access/requests"): signed(200),
    ("POST", "/api/access/requests"): only(201, ["researcher", "outsider"]),
    ("GET", "/api/access/requests/{request_id}"): only(200, VIEWERS, rest=404),
    ("POST", "/api/access/requests/{request_id}/document"): only(409, ["researcher"], outsider=404),
    ("POST", "/api/access/requests/{request_id}/submit"): only(409, ["researcher"], outsider=404),
    ("POST", "/api/access/requests/{request_id}/withdraw"): only(200, ["researcher"], outsider=404),
    ("POST", "/api/access/requests/{request_id}/revoke"): only(409, ["admin", "steward"], outsider=404),
    ("POST", "/api/access/requests/{request_id}/comments"): only(201, VIEWERS, rest=404),
    ("POST", "/api/access/requests/{request_id}/reviews"): only(201, ["committee"], outsider=404),
    ("GET", "/api/access/review-queue"): only(200, ["committee", "outsider"]),
    ("GET", "/api/access/datasets/{dataset_id}/dua"): ALL_OK,
    ("POST", "/api/access/datasets/{dataset_id}/dua"): only(201, ["admin", "steward"]),
    ("POST", "/api/access/datasets/{dataset_id}/dua/sign"): only(201, ["researcher", "clinician", "outsider"]),
    ("GET", "/api/access/datasets/{dataset_id}/policy"): ALL_OK,
    ("PUT", "/api/access/datasets/{dataset_id}/policy"): only(200, ["admin", "steward"]),
    ("GET", "/api/access/signatures"): signed(200), ("GET", "/api/access/grants"): signed(200),
    # registered tier: signed-in users who have not signed the DUA get 422 (policy), anonymous 401
    ("POST", "/api/access/versions/{version_id}/download-url"): signed(422),
    ("GET", "/api/access/download/{token}"): ALL_OK,
    ("GET", "/api/audit/events"): only(200, ["admin", "auditor"]),
    ("GET", "/api/audit/verify"): only(200, ["admin", "auditor"]),
    # pages (bearer tokens need no CSRF token; a browser form does)
    ("GET", "/login"): ALL_OK, ("POST", "/login"): dict.fromkeys(CALLERS, 303) | {"anon": 403, "expired": 401},
    ("POST", "/logout"): signed(303),
    ("GET", "/login/oidc/{institution_id}"): dict.fromkeys(CALLERS, 404) | {"expired": 401},
    ("GET", "/login/oidc-callback"): dict.fromkeys(CALLERS, 401),
    ("GET", "/me"): signed(200), ("POST", "/me/tokens"): signed(200),
    ("POST", "/me/tokens/{token_id}/revoke"): only(303, ["admin", "researcher"], rest=404),
    ("GET", "/access/requests"): signed(200),
    ("GET", "/access/requests/new"): only(200, ["researcher", "outsider"]),
    ("POST", "/access/requests/new"): only(303, ["researcher", "outsider"]),
    ("GET", "/access/requests/{request_id}"): only(200, VIEWERS, rest=404),
    ("GET", "/access/requests/{request_id}/document"): only(200, VIEWERS, rest=404),
    ("POST", "/access/requests/{request_id}/submit"): only(409, ["researcher"], outsider=404),
    ("POST", "/access/requests/{request_id}/withdraw"): only(303, ["researcher"], outsider=404),
    ("POST", "/access/requests/{request_id}/comments"): only(303, VIEWERS, rest=404),
    ("GET", "/access/datasets/{dataset_id}"): ALL_OK,
    ("POST", "/access/datasets/{dataset_id}/dua"): only(303, ["researcher", "clinician", "outsider"]),
    ("GET", "/access/versions/{version_id}/download"): signed(422),
    ("GET", "/review"): only(200, ["committee", "outsider"]),
    ("GET", "/review/{request_id}"): only(200, VIEWERS, rest=404),
    ("POST", "/review/{request_id}"): only(303, ["committee"], outsider=404),
    ("GET", "/admin"): only(200, ["admin", "steward", "outsider"]),
    ("POST", "/admin/institutions"): only(303, ["admin"]),
    ("POST", "/admin/users"): only(303, ["admin"]),
    ("POST", "/admin/users/{user_id}/trainings"): only(303, ["admin", "steward"], outsider=404),
    ("POST", "/admin/users/{user_id}/verification"): only(303, ["admin", "steward"], outsider=404),
    ("POST", "/admin/datasets/{dataset_id}/access"): only(303, ["admin", "steward"]),
    ("GET", "/audit"): only(200, ["admin", "auditor"]),
}

PDF = ("approval.pdf", b"%PDF-1.4 approval", "application/pdf")


def bodies(w: Any, name: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Valid input for each state-changing route of this issue, as the caller `name` would send it."""
    sha = w.dua_sha
    req = {"title": "T", "lay_summary": "S", "purpose": "DSRCH", "versions": ["test-registered@1"],
           "duration_days": 30, "ethics_committee": "IEC", "ethics_approval_number": "1"}
    today = dt.date.today()
    return {
        ("POST", "/api/auth/token"): {"json": {"email": "researcher@test.in", "password": world.PASSWORD}},
        ("POST", "/api/tokens"): {"json": {"name": "t"}},
        ("POST", "/api/users"): {"json": {"email": "new@test.in", "name": "New Person", "institution_id": w.inst,
                                          "roles": ["researcher"]}},
        ("PUT", "/api/users/{user_id}/roles"): {"json": {"roles": ["researcher", "clinician"]}},
        ("PUT", "/api/users/{user_id}/status"): {"json": {"status": "suspended"}},
        ("PUT", "/api/users/{user_id}/verification"): {"json": {"status": "pending"}},
        ("POST", "/api/users/{user_id}/trainings"): {"json": {"code": "human-subjects", "completed_on": str(today),
                                                              "expires_on": str(today + dt.timedelta(days=9))}},
        ("POST", "/api/institutions"): {"json": {"name": "New Institute"}},
        ("POST", "/api/access/requests"): {"json": req},
        ("POST", "/api/access/requests/{request_id}/document"): {"files": {"document": PDF}},
        ("POST", "/api/access/requests/{request_id}/revoke"): {"json": {"reason": "misuse"}},
        ("POST", "/api/access/requests/{request_id}/comments"): {"json": {"body": "a question"}},
        ("POST", "/api/access/requests/{request_id}/reviews"): {"json": {"decision": "approve"}},
        ("POST", "/api/access/datasets/{dataset_id}/dua"): {"json": {"title": "DUA 2", "text": world.DUA_TEXT + " v2"}},
        ("POST", "/api/access/datasets/{dataset_id}/dua/sign"): {"json": {"typed_name": w.names[name], "dua_sha256": sha}},
        ("PUT", "/api/access/datasets/{dataset_id}/policy"): {"json": {"quorum": 1}},
        ("POST", "/api/access/versions/{version_id}/download-url"): {"json": {"path": "README.md"}},
        ("POST", "/login"): {"data": {"email": "researcher@test.in", "password": world.PASSWORD}},
        ("POST", "/me/tokens"): {"data": {"name": "t", "scopes": "*", "days": "3"}},
        ("POST", "/access/requests/new"): {"data": {"title": "T", "lay_summary": "S", "purpose": "DSRCH",
                                                    "dataset": "test-registered@1", "duration_days": "30",
                                                    "ethics_committee": "IEC", "ethics_approval_number": "1"},
                                           "files": {"document": PDF}},
        ("POST", "/access/requests/{request_id}/comments"): {"data": {"body": "a question"}},
        ("POST", "/access/datasets/{dataset_id}/dua"): {"data": {"typed_name": w.names[name], "dua_sha256": sha,
                                                                  "agree": "yes"}},
        ("POST", "/review/{request_id}"): {"data": {"decision": "approve"}},
        ("POST", "/admin/institutions"): {"data": {"name": "New Institute"}},
        ("POST", "/admin/users"): {"data": {"email": "new@test.in", "name": "New Person", "institution_id": w.inst,
                                            "roles": ["researcher"]}},
        ("POST", "/admin/users/{user_id}/trainings"): {"data": {"code": "human-subjects", "completed_on": str(today),
                                                                "expires_on": str(today + dt.timedelta(days=9))}},
        ("POST", "/admin/users/{user_id}/verification"): {"data": {"status": "pending"}},
        ("POST", "/admin/datasets/{dataset_id}/access"): {"data": {"quorum": "1"}},
    }


QUERY = {("GET", "/access/versions/{version_id}/download"): {"path": "README.md"}}


def _routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) the app answers, including routes inside included routers."""
    import fastapi.routing

    iter_contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    flat: list[tuple[Any, str, set[str] | None]] = []
    if iter_contexts is not None:  # FastAPI ≥ 0.16x nests included routers
        for ctx in iter_contexts(app.routes):
            flat.append((ctx.original_route, ctx.path, ctx.methods))
    else:
        flat = [(r, r.path, getattr(r, "methods", None)) for r in app.routes]
    out = []
    for route, path, methods in flat:
        if isinstance(route, APIRoute):
            # Enforcement looks up scope["route"].path; an include_router(prefix=...) would make it differ.
            assert route.path == path, f"route {path} is enforced as {route.path}; do not include routers with a prefix"
            out += [(m, path) for m in sorted(methods or route.methods)]
        elif isinstance(route, Mount):
            out.append(("GET", route.path))
        elif isinstance(route, Route):
            out += [(m, path) for m in sorted(methods or ()) if m != "HEAD"]
    assert len(out) > 60, f"only {len(out)} routes found; route enumeration is broken"
    return out


@pytest.fixture
def w(sqlite_url: str, medkosh_home: Path) -> Any:
    from medkosh.access import downloads, requests
    from medkosh.identity import service as ids
    from medkosh.identity.types import Principal
    from medkosh.store.tables.identity import ApiTokenRow

    with session_scope() as s:
        w = world.build_world(s)
        u = w.users
        w.names = {k: u[k].name for k in u} | {"committee": u["committee1"].name, "anon": "", "expired": ""}
        researcher = Principal(u["researcher"], "session")
        w.request_id = requests.create(s, researcher, title="R", lay_summary="S", purpose="DSRCH",
                                       versions=["test-registered@1"], duration_days=30, ethics_committee="IEC",
                                       ethics_approval_number="1")
        requests.attach_document(s, researcher, w.request_id, "a.pdf", b"%PDF-1.4 a")
        requests.submit(s, researcher, w.request_id)
        w.tokens = {}
        for caller, key in [("admin", "admin"), ("steward", "steward"), ("researcher", "researcher"),
                            ("committee", "committee1"), ("clinician", "clinician"), ("auditor", "auditor"),
                            ("outsider", "outsider"), ("expired", "researcher")]:
            token_id, token = ids.issue_token(s, u[key].id, f"matrix-{caller}", days=7)
            w.tokens[caller] = token
            if caller == "researcher":
                w.researcher_token_id = token_id
            if caller == "expired":
                s.get(ApiTokenRow, token_id).expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        w.download_token = downloads.issue_url(s, None, "test-open@1", "README.md").rsplit("/", 1)[1]
        from medkosh.access import service

        w.dua_sha = service.current_dua(s, "test-registered")["sha256"]
    world.snapshot(w, Path(sqlite_url.split("///", 1)[1]), "snapshot.db")
    return w


def _call(client: TestClient, w: Any, caller: str, method: str, path: str, kwargs: dict[str, Any]) -> int:
    params = {"request_id": w.request_id, "token_id": w.researcher_token_id, "user_id": w.users["researcher"].id,
              "dataset_id": "test-registered", "version_id": w.versions["registered"].id, "token": w.download_token,
              "institution_id": w.inst}
    url = path
    for name, value in params.items():
        url = url.replace("{" + name + "}", value)
    url = url.replace("/static", "/static/medkosh.css") if path == "/static" else url
    url = url.replace("{", "").replace("}", "")  # other domains' parameters: any value reaches the gate
    headers = {} if caller == "anon" else {"Authorization": f"Bearer {w.tokens[caller]}"}
    client.cookies.clear()
    response = client.request(method, url, headers=headers, follow_redirects=False,
                              params=QUERY.get((method, path)), **kwargs)
    return response.status_code


def test_every_route_answers_every_caller_exactly(w: Any) -> None:
    from medkosh.access.policies import ACTIONS, ROUTES
    from medkosh.api.app import create_app

    app = create_app()
    client = TestClient(app)
    routes = _routes(app)
    missing = [r for r in routes if r not in ROUTES]
    assert not missing, f"routes missing from medkosh.access.policies.ROUTES: {missing}"
    role_of = {"admin": "admin", "steward": "steward", "researcher": "researcher", "committee": "committee_member",
               "clinician": "clinician", "auditor": "auditor"}
    wrong: list[str] = []
    for method, path in routes:
        expected = EXPECT.get((method, path))
        rule = ACTIONS[ROUTES[(method, path)]]
        for caller in CALLERS:
            kwargs = bodies(w, caller).get((method, path), {})
            got = _call(client, w, caller, method, path, kwargs)
            if method != "GET" and got < 400:
                world.restore(w)
            if expected is not None:
                ok = got == expected[caller]
                want: Any = expected[caller]
            else:  # another domain's route: check the gate its rule describes
                want = _gate(rule, caller, role_of)
                ok = want(got) if callable(want) else got == want
            if not ok:
                wrong.append(f"{method} {path} as {caller}: got {got}, want {want if not callable(want) else 'allowed'}")
    assert not wrong, "\n".join(wrong)


def _gate(rule: Any, caller: str, role_of: dict[str, str]) -> int | Callable[[int], bool]:
    if caller == "expired":
        return 401
    if rule.public:
        return lambda status: status not in (401,)
    if caller == "anon":
        return 401
    if caller == "outsider":
        roles = {"researcher", "committee_member", "steward"}
    else:
        roles = {role_of[caller]}
    if rule.roles is not None and not roles & {r.value for r in rule.roles}:
        return 403
    return lambda status: status != 401


def test_scoped_and_revoked_tokens(w: Any) -> None:
    from medkosh.api.app import create_app
    from medkosh.identity import service as ids

    with session_scope() as s:
        _, read_only = ids.issue_token(s, w.users["researcher"].id, "ro", scopes=["access:read"], days=1)
        tid, revoked = ids.issue_token(s, w.users["researcher"].id, "gone", days=1)
        ids.revoke_token(s, tid, actor="system")
    client = TestClient(create_app())
    h = {"Authorization": f"Bearer {read_only}"}
    assert client.get("/api/access/requests", headers=h).status_code == 200
    assert client.post(f"/api/access/requests/{w.request_id}/withdraw", headers=h).status_code == 403
    assert client.get("/api/me", headers=h).status_code == 403  # identity is another scope
    r = client.get("/api/me", headers={"Authorization": f"Bearer {revoked}"})
    assert r.status_code == 401 and "revoked" in r.json()["error"]
    assert client.get("/api/me", headers={"Authorization": "Bearer mk_tok_nonsense_x"}).status_code == 401
    assert client.get("/api/me", headers={"Authorization": "Basic abc"}).status_code == 401
