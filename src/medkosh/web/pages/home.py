"""The portal's home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from medkosh.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    from medkosh.web.summary import platform_summary

    return render(request, "home.html", {"summary": platform_summary()})
