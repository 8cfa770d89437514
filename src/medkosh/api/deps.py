"""Authentication and the central authorisation gate for every route.

- Pages: a signed, HttpOnly, SameSite=Lax session cookie (Secure when served over https) that names a
  server-side login session (revocable at logout or suspension).
- API: `Authorization: Bearer mk_tok_…` API tokens (hashed at rest, expiring, scoped, revocable);
  every use and every refusal is audited.
- CSRF: state-changing requests that could ride on the cookie carry a token bound to a per-browser
  nonce cookie (form field `csrf_token` or header `X-CSRF-Token`); bearer-token calls need none.
- `enforce` runs before every route (installed app-wide in medkosh.api.app) and asks
  medkosh.access.policies about the matched route; there is no per-handler authorisation code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature

from medkosh.errors import AuthenticationError, PermissionDenied
from medkosh.identity.secrets import serializer, web_secret
from medkosh.identity.types import Principal

SESSION_COOKIE = "mk_session"
CSRF_COOKIE = "mk_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_UNSET = object()


# ---- session cookie -----------------------------------------------------------------------------

def set_session_cookie(response: Response, request: Request, raw_session: str) -> None:
    from medkosh.identity.service import SESSION_HOURS

    response.set_cookie(SESSION_COOKIE, serializer("medkosh-session").dumps(raw_session),
                        max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def session_secret(request: Request) -> str | None:
    from medkosh.identity.service import SESSION_HOURS

    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        value = serializer("medkosh-session").loads(cookie, max_age=SESSION_HOURS * 3600)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


# ---- principal ----------------------------------------------------------------------------------

def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthenticationError("malformed Authorization header", hint="send 'Authorization: Bearer <token>'")
    return value.strip()


def _resolve(request: Request) -> Principal | None:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    token = _bearer(request)
    route = request.scope.get("route")
    where = f"{request.method} {getattr(route, 'path', request.url.path)}"
    if token is not None:
        refused: AuthenticationError | None = None
        with session_scope() as session:
            try:
                return service.resolve_token(session, token, route=where)
            except AuthenticationError as exc:
                refused = exc  # the refusal's audit event commits with this transaction
        raise refused
    raw = session_secret(request)
    if raw is None:
        return None
    with session_scope() as session:
        return service.resolve_session(session, raw)


def current_principal(request: Request) -> Principal | None:
    """The signed-in user (session cookie or API token), or None for anonymous callers."""
    cached = getattr(request.state, "principal", _UNSET)
    if cached is not _UNSET:
        return cached if isinstance(cached, Principal) else None
    principal = _resolve(request)
    request.state.principal = principal
    request.state.user = principal.user if principal else None
    return principal


def require_principal(request: Request) -> Principal:
    principal = current_principal(request)
    if principal is None:
        raise AuthenticationError("sign in first", hint="sign in at /login or send 'Authorization: Bearer <token>'")
    return principal


# ---- CSRF ---------------------------------------------------------------------------------------

def _csrf_for(nonce: str) -> str:
    return hmac.new(web_secret(), b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def csrf_nonce(request: Request) -> str:
    """This browser's CSRF nonce (from its cookie, or a new one that render() sets as a cookie)."""
    nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_nonce", None)
    if not nonce:
        nonce = secrets.token_urlsafe(24)
        request.state.new_csrf_nonce = nonce
    return str(nonce)


def csrf_token(request: Request) -> str:
    return _csrf_for(csrf_nonce(request))


def set_csrf_cookie(request: Request, response: Response) -> None:
    nonce = getattr(request.state, "new_csrf_nonce", None)
    if nonce and not request.cookies.get(CSRF_COOKIE):
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                            path="/")


async def _check_csrf(request: Request) -> None:
    nonce = request.cookies.get(CSRF_COOKIE)
    sent: Any = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # already parsed by FastAPI for form routes; cached on the request
        sent = form.get(CSRF_FIELD)
    if not nonce or not isinstance(sent, str) or not hmac.compare_digest(sent, _csrf_for(nonce)):
        raise PermissionDenied("form expired or sent from another site (CSRF check failed)",
                               hint="reload the page and submit the form again")


def _needs_csrf(request: Request) -> bool:
    if request.method not in _UNSAFE or request.headers.get("authorization"):
        return False
    # Page forms always (login CSRF too); API calls only when a session cookie could ride along.
    return not request.url.path.startswith("/api/") or SESSION_COOKIE in request.cookies


async def enforce(request: Request) -> None:
    """App-wide dependency: authenticate, check CSRF, then ask the policy table about this route."""
    from medkosh.access.policies import check_route

    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if path is None:  # not reached for matched routes; refuse rather than guess
        raise PermissionDenied("unmatched route", hint="check the URL")
    principal = current_principal(request)
    # Policy first (an anonymous caller learns "sign in", not "CSRF"), then CSRF, both before the handler.
    request.state.action = check_route(principal, request.method, path)
    if _needs_csrf(request):
        await _check_csrf(request)
