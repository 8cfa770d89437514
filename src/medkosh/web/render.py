"""Template rendering shared by all portal pages, with the Hindi/English switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from medkosh import __version__
from medkosh.web.i18n import translator

TEMPLATE_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")
templates = Jinja2Templates(directory=str(TEMPLATE_DIR))


def nav_items() -> list[dict[str, Any]]:
    """Navigation entries declared by page modules as NAV = [(label, href, order), ...]."""
    global _NAV
    if _NAV is None:
        import importlib
        import pkgutil

        import medkosh.web.pages as pages

        items = []
        for info in pkgutil.iter_modules(pages.__path__):
            module = importlib.import_module(f"medkosh.web.pages.{info.name}")
            for label, href, order in getattr(module, "NAV", ()):
                items.append({"label": label, "href": href, "order": order})
        _NAV = sorted(items, key=lambda i: (i["order"], i["label"]))
    return _NAV


_NAV: list[dict[str, Any]] | None = None


def visible_nav(user: Any) -> list[dict[str, Any]]:
    """Navigation entries this user may open: an entry whose route the policy table refuses to the
    user's roles is left out (the policy module stays the one place that decides)."""
    from medkosh.access.policies import ACTIONS, action_for

    items = []
    for item in nav_items():
        action = action_for("GET", item["href"].split("?", 1)[0])
        rule = ACTIONS.get(action) if action else None
        if rule is None or rule.public:
            items.append(item)
        elif user is not None and (rule.roles is None or user.has_role(*rule.roles)):
            items.append(item)
    return items


def language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "en"
    return lang if lang in ("en", "hi") else "en"


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status: int = 200) -> HTMLResponse:
    from medkosh.api.deps import csrf_token, set_csrf_cookie

    lang = language(request)
    user = getattr(request.state, "user", None)
    ctx: dict[str, Any] = {"request": request, "version": __version__, "lang": lang, "t": translator(lang),
                           "user": user, "nav_items": visible_nav(user), "csrf_token": csrf_token(request)}
    ctx.update(context or {})
    response = templates.TemplateResponse(request, template, ctx, status_code=status)
    # Forms carry a token bound to this browser's CSRF nonce cookie (see medkosh.api.deps).
    set_csrf_cookie(request, response)
    if request.query_params.get("lang") in ("en", "hi"):
        response.set_cookie("lang", lang, httponly=True, samesite="lax", max_age=365 * 86400)
    return response


def render_error(request: Request, status: int, line: str) -> Response:
    if status == 401 and request.method == "GET":
        # A page that needs a signed-in user: go to the sign-in page and come back afterwards.
        from urllib.parse import quote

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    return render(request, "error.html", {"status": status, "message": line}, status=status)
