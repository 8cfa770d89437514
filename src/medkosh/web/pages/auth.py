"""Sign in (local password, or the institution's OIDC provider) and sign out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from medkosh.api.deps import clear_session_cookie, session_secret, set_session_cookie
from medkosh.web.render import render

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Only same-site paths: an open redirect would turn the sign-in page into a phishing aid."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/me"
    return value


def _institutions_with_oidc() -> list[dict[str, str]]:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return [{"id": i.id, "name": i.name} for i in service.list_institutions(s) if i.oidc_issuer]


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/me") -> HTMLResponse:
    return render(request, "login.html", {"next": safe_next(next), "oidc": _institutions_with_oidc(), "error": None})


@router.post("/login", response_model=None)
def login(request: Request, email: str = Form(max_length=254), password: str = Form(max_length=1024),
          next: str = Form("/me", max_length=500)) -> Response:
    from medkosh.errors import AuthenticationError
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    error = None
    with session_scope() as s:
        try:
            user = service.authenticate_password(s, email, password)
            raw = service.start_session(s, user, via="password")
        except AuthenticationError as exc:
            error = exc.user_line()  # the failed attempt's audit event still commits
    if error:
        return render(request, "login.html", {"next": safe_next(next), "oidc": _institutions_with_oidc(),
                                              "error": error, "email": email}, status=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, request, raw)
    return response


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    from medkosh.identity import service
    from medkosh.store.db import session_scope

    raw = session_secret(request)
    if raw:
        with session_scope() as s:
            service.end_session(s, raw)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/login/oidc/{institution_id}")
def oidc_start(request: Request, institution_id: str, next: str = "/me") -> RedirectResponse:
    from medkosh.identity import oidc

    url, state_cookie = oidc.start(institution_id, redirect_uri=str(request.url_for("oidc_callback")),
                                   next_path=safe_next(next))
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(oidc.STATE_COOKIE, state_cookie, max_age=oidc.STATE_SECONDS, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/login")
    return response


@router.get("/login/oidc-callback", name="oidc_callback")
def oidc_callback(request: Request, code: str = "", state: str = "") -> RedirectResponse:
    from medkosh.identity import oidc

    raw, next_path = oidc.finish(request.cookies.get(oidc.STATE_COOKIE, ""), code=code, state=state,
                                 redirect_uri=str(request.url_for("oidc_callback")))
    response = RedirectResponse(next_path, status_code=303)
    response.delete_cookie(oidc.STATE_COOKIE, path="/login")
    set_session_cookie(response, request, raw)
    return response

