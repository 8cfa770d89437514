"""Surveillance API: protected aggregate queries, the DP budget, runs, alerts, charts, heat table.

Alerts, charts and the heat table are disclosure-controlled and public (as IDSP's weekly outbreak
reports are); queries need a signed-in user (the DP ledger is per user); runs and dataset settings
are for stewards and admins.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from medkosh.api.deps import require_principal

router = APIRouter(prefix="/api/surveillance", tags=["surveillance"])

_ROUTES = [
    ("POST", "/api/surveillance/query", "surveillance.query.ask", "signed_in"),
    ("GET", "/api/surveillance/budget", "surveillance.budget.read", "signed_in"),
    ("GET", "/api/surveillance/alerts", "surveillance.alert.read", "public"),
    ("GET", "/api/surveillance/chart", "surveillance.alert.read", "public"),
    ("GET", "/api/surveillance/heat", "surveillance.alert.read", "public"),
    ("POST", "/api/surveillance/runs", "surveillance.run.create", "steward"),
    ("GET", "/api/surveillance/datasets/{dataset_id}/settings", "surveillance.settings.read", "signed_in"),
    ("PUT", "/api/surveillance/datasets/{dataset_id}/settings", "surveillance.settings.update", "dataset_steward"),
]


def _register_policy() -> None:
    from medkosh.access.policies import public, register, roles, signed_in, steward_of_dataset
    from medkosh.identity.types import Role

    rules = {"public": public(), "signed_in": signed_in(), "steward": roles(Role.STEWARD, Role.ADMIN),
             # a dataset's settings are its own institution's stewards' (or an admin's) to change
             "dataset_steward": roles(Role.STEWARD, Role.ADMIN, check=steward_of_dataset, hidden=False)}
    for method, path, action, rule in _ROUTES:
        register(method, path, action, rules[rule])


_register_policy()

Dim = Literal["district", "state", "week", "month", "icd10", "chapter", "condition", "age_band", "sex"]


class QueryIn(BaseModel):
    dataset: str = Field(max_length=300, description="DATASET_ID@VERSION, or 'feed' for the surveillance feed.")
    by: list[Dim] = Field(default_factory=list, max_length=4)
    measure: Literal["count", "rate", "mean"] = "count"
    mean_of: str | None = Field(default=None, max_length=80)
    conditions: list[str] = Field(default_factory=list, max_length=10)
    icd10: list[str] = Field(default_factory=list, max_length=20)
    week_from: str | None = Field(default=None, max_length=8)
    week_to: str | None = Field(default=None, max_length=8)
    districts: list[str] = Field(default_factory=list, max_length=200)
    epsilon: float | None = Field(default=None, gt=0, le=10)
    mechanism: Literal["laplace", "gaussian"] = "laplace"
    table: str | None = Field(default=None, max_length=300)
    margins: bool = True


def to_spec(body: QueryIn) -> Any:
    from medkosh.surveillance.types import Dimension, Measure, Mechanism, QuerySpec

    return QuerySpec(by=tuple(Dimension(d) for d in body.by), measure=Measure(body.measure), mean_of=body.mean_of,
                     conditions=tuple(body.conditions), icd10_prefixes=tuple(body.icd10), week_from=body.week_from,
                     week_to=body.week_to, districts=tuple(body.districts), epsilon=body.epsilon,
                     mechanism=Mechanism(body.mechanism))


@router.post("/query")
def ask(request: Request, body: QueryIn) -> dict[str, Any]:
    """Counts, rates per 1,000 or means, disclosure-controlled or differentially private."""
    from medkosh.store.db import session_scope
    from medkosh.surveillance import service

    actor = require_principal(request).audit_actor()
    with session_scope() as s:
        result = service.query(s, body.dataset, to_spec(body), actor, table=body.table, margins=body.margins,
                               allow_paths=False)
    return result.as_dict()


@router.get("/budget")
def budget(request: Request, dataset: str = Query(max_length=300)) -> dict[str, object]:
    from medkosh.store.db import session_scope
    from medkosh.surveillance import service

    user = require_principal(request)
    with session_scope() as s:
        return service.budget(s, dataset, user.id, allow_paths=False).as_dict()


@router.get("/alerts")
def alerts(run: str | None = Query(None, max_length=40), condition: str | None = Query(None, max_length=40),
           district: str | None = Query(None, max_length=200)) -> dict[str, Any]:
    from medkosh.store.db import session_scope
    from medkosh.surveillance import runs

    with session_scope() as s:
        return runs.alerts(s, run, condition=condition, district=district)


def _condition(condition: str) -> str:
    from medkosh.errors import InputError
    from medkosh.surveillance.types import CONDITIONS

    if condition not in CONDITIONS:
        raise InputError(f"unknown condition {condition!r}", hint=f"use one of {', '.join(CONDITIONS)}")
    return condition


@router.get("/chart")
def chart(district: str = Query(max_length=200), condition: str = Query(max_length=40),
          run: str | None = Query(None, max_length=40), weeks: int = Query(104, ge=4, le=520)) -> dict[str, Any]:
    from medkosh.store.db import session_scope
    from medkosh.surveillance import runs

    with session_scope() as s:
        return runs.chart(s, district, _condition(condition), run, weeks)


@router.get("/heat")
def heat(condition: str = Query(max_length=40), run: str | None = Query(None, max_length=40),
         weeks: int = Query(8, ge=1, le=52)) -> dict[str, Any]:
    from medkosh.store.db import session_scope
    from medkosh.surveillance import runs

    with session_scope() as s:
        return runs.heat(s, _condition(condition), run, weeks)


class RunIn(BaseModel):
    source: str | None = Field(default=None, max_length=300, description="DATASET_ID@VERSION; default the last source.")
    alpha: float = Field(default=0.001, gt=0, le=0.1)
    weeks: int = Field(default=52, ge=1, le=520)
    table: str | None = Field(default=None, max_length=300)


@router.post("/runs")
def create_run(request: Request, body: RunIn) -> dict[str, Any]:
    from medkosh.store.db import session_scope
    from medkosh.surveillance import runs, service

    actor = require_principal(request).audit_actor()
    with session_scope() as s:
        if body.source is not None:
            service.resolve_source(s, body.source, body.table, allow_paths=False)  # no server paths over HTTP
        return runs.run(s, body.source, actor, alpha=body.alpha, weeks_shown=body.weeks, table=body.table)


class SettingsIn(BaseModel):
    mode: Literal["disclosure", "dp"] = "disclosure"
    threshold: int = Field(default=8, ge=1, le=1000)
    rounding_base: int = Field(default=5, ge=1, le=100)
    epsilon_budget: float = Field(default=1.0, gt=0, le=100)
    delta_budget: float = Field(default=1e-6, ge=0, lt=1)
    max_epsilon_per_query: float = Field(default=1.0, gt=0, le=10)
    max_contributions: int = Field(default=1, ge=1, le=1000)
    unit_column: str | None = Field(default="patient_id", max_length=80)


@router.get("/datasets/{dataset_id}/settings")
def read_settings(dataset_id: str) -> dict[str, Any]:
    import dataclasses

    from medkosh.store.db import session_scope
    from medkosh.surveillance import service

    with session_scope() as s:
        data = dataclasses.asdict(service.dataset_settings(s, dataset_id))
    return {k: str(v) if k == "mode" else v for k, v in data.items()}


@router.put("/datasets/{dataset_id}/settings")
def update_settings(request: Request, dataset_id: str, body: SettingsIn) -> dict[str, Any]:
    from medkosh.access.policies import check
    from medkosh.catalog.service import dataset_summary, get_dataset_row
    from medkosh.store.db import session_scope
    from medkosh.surveillance import service
    from medkosh.surveillance.types import DatasetSettings, ProtectionMode

    principal = require_principal(request)
    actor = principal.audit_actor()
    settings = DatasetSettings(dataset_id=dataset_id, mode=ProtectionMode(body.mode), threshold=body.threshold,
                               rounding_base=body.rounding_base, epsilon_budget=body.epsilon_budget,
                               delta_budget=body.delta_budget, max_epsilon_per_query=body.max_epsilon_per_query,
                               max_contributions=body.max_contributions, unit_column=body.unit_column)
    with session_scope() as s:
        check(principal, "surveillance.settings.update", dataset_summary(get_dataset_row(s, dataset_id)),
              what="dataset")
        service.set_dataset_settings(s, settings, actor)
    return {"dataset_id": dataset_id, **body.model_dump()}
