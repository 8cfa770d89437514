"""The FastAPI application: API routers, web pages, error handling, security headers."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from medkosh import __version__
from medkosh.errors import MedkoshError

log = logging.getLogger("medkosh.api")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000; includeSubDomains"  # sent only on https responses (directly or via a trusted proxy)


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api")


def _error_response(request: Request, status: int, line: str) -> Response:
    if _wants_html(request):
        from medkosh.web.render import render_error

        return render_error(request, status, line)
    return JSONResponse({"error": line, "status": status}, status_code=status)


def _validation_line(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "invalid request"
    first = errors[0]
    loc = "/".join(str(p) for p in first.get("loc", ()) if p != "body")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"invalid request: {first.get('msg', 'bad value')} at {loc or 'body'}{more}; fix the field and retry"


def _include_routers(app: FastAPI, package: str) -> None:
    pkg = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)


def create_app(*, migrate: bool = True) -> FastAPI:
    if migrate:
        from medkosh.cli._common import ensure_store

        ensure_store()
    from fastapi import Depends

    from medkosh.api.deps import enforce

    # Every route passes the central authorisation gate (medkosh.access.policies), fail-closed.
    app = FastAPI(title="medkosh", version=__version__, dependencies=[Depends(enforce)],
                  description="Governed health-data and AI commons: catalog, access, compute, models, surveillance.",
                  docs_url="/docs", openapi_url="/openapi.json", redoc_url=None)

    @app.exception_handler(MedkoshError)
    async def _medkosh_error(request: Request, exc: MedkoshError) -> Response:
        return _error_response(request, exc.http_status, exc.user_line())

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return _error_response(request, 422, _validation_line(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such page or endpoint: {request.url.path}"
        return _error_response(request, exc.status_code, detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        from medkosh.store.db import unavailable_error

        store_error = unavailable_error(exc)  # a database fault outside session_scope: still a 503 naming it
        if store_error is not None:
            log.warning("database unavailable on %s %s", request.method, request.url.path)
            return _error_response(request, store_error.http_status, store_error.user_line())
        log.error("unhandled error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return _error_response(request, 500, "internal error; the incident was logged, please retry later")

    from medkosh.api.limits import LimitsMiddleware
    from medkosh.config import get_settings

    # Middleware order, outermost first: trusted-proxy headers → security headers → limits → app.
    app.add_middleware(LimitsMiddleware)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    proxies = get_settings().trusted_proxies.strip()
    if proxies:  # honour X-Forwarded-Proto/-For only from these peers (TLS-terminating proxies)
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=[p.strip() for p in proxies.split(",") if p.strip()])

    @app.get("/healthz", tags=["system"])
    def healthz() -> dict[str, Any]:
        """Liveness and database reachability."""
        from sqlalchemy import text

        from medkosh.store.db import session_scope

        with session_scope() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    from medkosh.web.render import STATIC_DIR

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _include_routers(app, "medkosh.api.routes")
    _include_routers(app, "medkosh.web.pages")
    return app


def html_response(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status)
