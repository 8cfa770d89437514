"""Portal pages: the surveillance dashboard (alerts, heat table, time-series chart) and the
aggregate query builder (table and chart). Charts are server-drawn SVG: no scripts (CSP)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from medkosh.api.deps import require_principal
from medkosh.web.render import render

log = logging.getLogger("medkosh.web.surveillance")
router = APIRouter(include_in_schema=False)
NAV = [("Surveillance", "/surveillance", 50), ("Aggregate queries", "/surveillance/query", 51)]

_PAGES = [("GET", "/surveillance", "surveillance.alert.read", "public"),
          ("GET", "/surveillance/query", "surveillance.query.ask", "signed_in"),
          ("POST", "/surveillance/query", "surveillance.query.ask", "signed_in")]


def _register_policy() -> None:
    from medkosh.access.policies import public, register, signed_in

    for method, path, action, rule in _PAGES:
        register(method, path, action, public() if rule == "public" else signed_in())


_register_policy()

W, H, PAD = 720, 220, 36


def line_chart(chart: dict[str, Any]) -> dict[str, Any]:
    """Coordinates for the weekly series, its alert limit and alerts; suppressed weeks as a band."""
    weeks = chart["weeks"]
    values = [v for v in [*chart["counts"], *chart["upper"]] if v is not None]
    top = max([*values, chart["threshold"], 1]) * 1.1
    n = max(len(weeks) - 1, 1)

    def x(i: int) -> float:
        return round(PAD + (W - 2 * PAD) * i / n, 1)

    def y(v: float) -> float:
        return round(H - PAD - (H - 2 * PAD) * v / top, 1)

    def segments(series: list[float | None]) -> list[str]:
        out: list[str] = []
        cur: list[str] = []
        for i, v in enumerate(series):
            if v is None:
                if len(cur) > 1:
                    out.append(" ".join(cur))
                cur = []
            else:
                cur.append(f"{x(i)},{y(v)}")
        if len(cur) > 1:
            out.append(" ".join(cur))
        return out

    idx = {w: i for i, w in enumerate(weeks)}
    return {
        "w": W, "h": H, "pad": PAD, "top": round(top), "y_threshold": y(chart["threshold"]),
        "counts": segments(chart["counts"]), "upper": segments(chart["upper"]),
        "suppressed": [x(i) for i, v in enumerate(chart["counts"]) if v is None],
        "alerts": [{"x": x(idx[w]), "y": y(chart["counts"][idx[w]] or chart["threshold"]), "week": w}
                   for w in chart["alerts"] if w in idx],
        "ticks": [{"x": x(i), "label": w} for i, w in enumerate(weeks) if i % max(1, len(weeks) // 8) == 0],
        "y_ticks": [{"y": y(v), "label": round(v)} for v in (0, top / 2, top / 1.1)],
    }


def bar_chart(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    bars = [r for r in rows if r.get(key) != "*" and all(v != "*" for v in r.values())][:40]
    values = [r["value"] for r in bars if r["value"] is not None]
    top = max([*values, 1]) * 1.1
    width = (W - 2 * PAD) / max(len(bars), 1)
    return {"w": W, "h": H, "pad": PAD, "top": round(top, 2), "bars": [
        {"x": round(PAD + i * width, 1), "width": round(width * 0.8, 1),
         "y": round(H - PAD - (H - 2 * PAD) * (r["value"] or 0) / top, 1),
         "height": round((H - 2 * PAD) * (r["value"] or 0) / top, 1),
         "label": " · ".join(str(r[k]) for k in r if k not in ("value", "flag", "cases", "n")),
         "value": r["value"], "suppressed": r["value"] is None} for i, r in enumerate(bars)]}


@router.get("/surveillance", response_class=HTMLResponse)
def dashboard(request: Request, condition: str = Query("dengue", max_length=40),
              district: str | None = Query(None, max_length=200)) -> HTMLResponse:
    from medkosh.errors import NotFoundError
    from medkosh.store.db import session_scope
    from medkosh.surveillance import runs
    from medkosh.surveillance.types import CONDITIONS

    if condition not in CONDITIONS:
        condition = "dengue"
    context: dict[str, Any] = {"conditions": CONDITIONS, "condition": condition, "run": None}
    with session_scope() as s:
        try:
            found = runs.alerts(s)
        except NotFoundError:
            return render(request, "surveillance.html", context)
        context["run"] = found
        context["heat"] = runs.heat(s, condition)
        chosen = district or next((a["district"] for a in found["alerts"] if a["condition"] == condition), None)
        if chosen is None and context["heat"]["rows"][:-1]:
            chosen = context["heat"]["rows"][0]["district"]
        if chosen:
            try:
                series = runs.chart(s, chosen, condition)
                context["chart"] = {**series, "svg": line_chart(series)}
            except NotFoundError:
                context["chart"] = None
    return render(request, "surveillance.html", context)


def _builder_context(request: Request) -> dict[str, Any]:
    from medkosh.store.db import session_scope
    from medkosh.surveillance.types import CONDITIONS, Dimension

    datasets: list[dict[str, Any]] = [{"ref": "feed", "label": "Surveillance feed (latest run's source)"}]
    try:
        from medkosh.catalog.service import list_datasets

        with session_scope() as s:
            for d in list_datasets(s):
                if d.get("latest_number"):
                    datasets.append({"ref": f"{d['id']}@{d['latest_number']}",
                                     "label": f"{d.get('title') or d['id']} v{d['latest_number']} ({d.get('tier')})"})
    except Exception as exc:  # the catalog is optional for this page; the feed always works
        log.warning("catalog unavailable for the query builder: %s", type(exc).__name__)
    return {"datasets": datasets, "dimensions": [d.value for d in Dimension], "conditions": CONDITIONS,
            "form": {"dataset": "feed", "by": ["state", "condition"], "measure": "count"}, "result": None,
            "error": None}


@router.get("/surveillance/query", response_class=HTMLResponse)
def builder(request: Request) -> HTMLResponse:
    require_principal(request)
    return render(request, "query.html", _builder_context(request))


@router.post("/surveillance/query", response_class=HTMLResponse)
async def run_builder(request: Request, dataset: str = Form(max_length=300), measure: str = Form("count", max_length=10),
                      mean_of: str = Form("", max_length=80), condition: str = Form("", max_length=40),
                      week_from: str = Form("", max_length=8), week_to: str = Form("", max_length=8),
                      epsilon: str = Form("", max_length=12)) -> HTMLResponse:
    from medkosh.errors import InputError, MedkoshError
    from medkosh.store.db import session_scope
    from medkosh.surveillance import service
    from medkosh.surveillance.types import Dimension, Measure, QuerySpec

    actor = require_principal(request).audit_actor()
    form = await request.form()
    by = [str(v) for v in form.getlist("by")][:4]
    context = _builder_context(request)
    context["form"] = {"dataset": dataset, "by": by, "measure": measure, "mean_of": mean_of, "condition": condition,
                       "week_from": week_from, "week_to": week_to, "epsilon": epsilon}
    try:
        try:
            spec = QuerySpec(by=tuple(Dimension(b) for b in by), measure=Measure(measure), mean_of=mean_of or None,
                             conditions=(condition,) if condition else (), week_from=week_from or None,
                             week_to=week_to or None, epsilon=float(epsilon) if epsilon.strip() else None)
        except ValueError as exc:
            raise InputError("invalid query form", hint="check the dimensions, measure and ε") from exc
        with session_scope() as s:
            result = service.query(s, dataset, spec, actor, allow_paths=False)
        context["result"] = result.as_dict()
        context["chart"] = bar_chart(result.rows, by[0] if by else "")
    except MedkoshError as exc:
        context["error"] = exc.user_line()
    return render(request, "query.html", context, status=200 if context["error"] is None else 422)
