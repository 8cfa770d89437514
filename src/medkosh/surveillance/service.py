"""Aggregate query service: resolve a dataset version, aggregate with DuckDB, protect, audit.

Two protections, chosen per dataset (tier default, steward's settings):
- disclosure control: the grouped table with all its margins, primary + secondary suppression,
  rounding to a base (disclosure.py);
- differential privacy: OpenDP noise for every cell of the public key set, charged to the
  caller's per-dataset ε/δ ledger before anything is released (dp.py, ledger.py).
Every answer and every refusal is an audit event written in the caller's transaction.
"""

from __future__ import annotations

import functools
import itertools
import os
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh import audit
from medkosh.audit.service import Actor
from medkosh.errors import InputError, NotFoundError
from medkosh.store.base import new_id, utcnow
from medkosh.store.tables.surveillance import SurveillanceSettingsRow
from medkosh.surveillance import disclosure, dp, ledger, policies
from medkosh.surveillance.engine import Aggregate, Engine, Source, source_from_path
from medkosh.surveillance.types import (
    DatasetSettings,
    Measure,
    Mechanism,
    ProtectionMode,
    QueryResult,
    QuerySpec,
    SurveillanceEvent,
)

MARGIN = "*"  # the label of a total along a dimension
GAUSSIAN_DELTA = 1e-7  # δ charged per Gaussian query
_PREFERRED_TABLES = ("encounters", "encounter", "conditions", "diagnoses", "cases")


@functools.lru_cache(maxsize=1)
def engine() -> Engine:
    """The process's DuckDB engine; the CLI sets MEDKOSH_SURVEILLANCE_MATERIALISE=0 (one-shot)."""
    return Engine(materialise=os.environ.get("MEDKOSH_SURVEILLANCE_MATERIALISE", "1") != "0")


# ---- dataset versions and settings ----------------------------------------------------------------

FEED = "feed"  # names the source of the latest surveillance run (a steward registered it)


def resolve_source(session: Session, ref: str, table: str | None = None, *,
                   allow_paths: bool = True) -> tuple[Source, str | None]:
    """A catalog version (DATASET_ID@VERSION), 'feed', or a Parquet path → (Source, tier or None).

    Paths are for stewards at the command line; over the API (allow_paths=False) a path is only
    accepted when a steward already registered it as a surveillance source.
    """
    if ref == FEED:
        from medkosh.store.tables.surveillance import SurveillanceRunRow

        last = session.execute(select(SurveillanceRunRow.source).order_by(SurveillanceRunRow.created_at.desc())
                               .limit(1)).scalar_one_or_none()
        if last is None:
            raise NotFoundError("no surveillance feed registered yet", hint="a steward runs 'medkosh surveillance run --source …'")
        ref = last
    elif not allow_paths and not _registered(session, ref) and ("/" in ref or ref.endswith(".parquet")):
        raise NotFoundError(f"no dataset version {ref!r}", hint="give DATASET_ID@VERSION from the catalog")
    if os.path.exists(os.path.expanduser(ref)):
        return source_from_path(ref), None
    if "@" not in ref and "/" in ref:
        raise NotFoundError(f"no such file: {ref}", hint="give DATASET_ID@VERSION or an existing Parquet path")
    from medkosh.catalog.service import get_version
    from medkosh.store.objects import ObjectStore

    version = get_version(session, ref)
    parquet = [f for f in version.files if f.path.endswith(".parquet")]
    if table:
        parquet = [f for f in parquet if f.path == table or f.path.rsplit("/", 1)[-1] == table]
    else:
        preferred = [f for f in parquet if f.path.rsplit("/", 1)[-1].removesuffix(".parquet") in _PREFERRED_TABLES]
        parquet = preferred[:1] or parquet
    if len(parquet) != 1:
        names = ", ".join(f.path for f in version.files if f.path.endswith(".parquet")) or "none"
        raise InputError(f"{version.ref}: cannot tell which table to query (Parquet files: {names})",
                         hint="name one with --table PATH")
    store = ObjectStore()
    path = store.local_path(parquet[0].sha256)
    return Source((str(path),), dataset_id=version.dataset_id, label=f"{version.ref}:{parquet[0].path}"), \
        str(version.tier)


def _registered(session: Session, ref: str) -> bool:
    from medkosh.store.tables.surveillance import SurveillanceRunRow

    return session.execute(select(SurveillanceRunRow.id).where(SurveillanceRunRow.source == ref).limit(1)) \
        .scalar_one_or_none() is not None


def dataset_settings(session: Session, dataset_id: str, tier: str | None = None) -> DatasetSettings:
    """The steward's settings, or the tier's default: controlled data answer only with DP."""
    row = session.get(SurveillanceSettingsRow, dataset_id)
    if row is None:
        mode = ProtectionMode.DP if tier == "controlled" else ProtectionMode.DISCLOSURE
        return DatasetSettings(dataset_id=dataset_id, mode=mode)
    return DatasetSettings(dataset_id=row.dataset_id, mode=ProtectionMode(row.mode), threshold=row.threshold,
                           rounding_base=row.rounding_base, epsilon_budget=row.epsilon_budget,
                           delta_budget=row.delta_budget, max_epsilon_per_query=row.max_epsilon_per_query,
                           max_contributions=row.max_contributions, unit_column=row.unit_column)


def set_dataset_settings(session: Session, settings: DatasetSettings, actor: Actor) -> DatasetSettings:
    if settings.threshold < 1 or settings.rounding_base < 1 or settings.max_contributions < 1:
        raise InputError("threshold, rounding base and max contributions must be at least 1")
    if not (settings.epsilon_budget > 0 and 0 <= settings.delta_budget < 1 and settings.max_epsilon_per_query > 0):
        raise InputError("ε budgets must be positive and δ in [0, 1)")
    row = session.get(SurveillanceSettingsRow, settings.dataset_id)
    if row is None:
        row = SurveillanceSettingsRow(dataset_id=settings.dataset_id)
        session.add(row)
    row.mode = str(settings.mode)
    row.threshold = settings.threshold
    row.rounding_base = settings.rounding_base
    row.epsilon_budget = settings.epsilon_budget
    row.delta_budget = settings.delta_budget
    row.max_epsilon_per_query = settings.max_epsilon_per_query
    row.max_contributions = settings.max_contributions
    row.unit_column = settings.unit_column
    row.updated_at = utcnow()
    row.updated_by = actor.id
    audit.record(session, SurveillanceEvent.SETTINGS_CHANGED, actor=actor, subject_type="dataset",
                 subject_id=settings.dataset_id,
                 details={"mode": str(settings.mode), "threshold": settings.threshold,
                          "rounding_base": settings.rounding_base, "epsilon_budget": settings.epsilon_budget,
                          "delta_budget": settings.delta_budget,
                          "max_epsilon_per_query": settings.max_epsilon_per_query,
                          "max_contributions": settings.max_contributions})
    session.flush()
    return settings


def budget(session: Session, ref: str, user_id: str, *, allow_paths: bool = True) -> ledger.BudgetState:
    source, tier = resolve_source(session, ref, allow_paths=allow_paths)
    return ledger.state(session, dataset_settings(session, source.dataset_id, tier), user_id)


# ---- queries ----------------------------------------------------------------------------------------

def query(session: Session, ref: str, spec: QuerySpec, actor: Actor, *, table: str | None = None,
          margins: bool = True, allow_paths: bool = True) -> QueryResult:
    """Answer one aggregate query under the dataset's protection; audited either way."""
    policies.check_measure(spec)
    source, tier = resolve_source(session, ref, table, allow_paths=allow_paths)
    settings = dataset_settings(session, source.dataset_id, tier)
    mode = policies.check_mode(settings, spec)
    query_id = new_id("qry")
    if mode is ProtectionMode.DP:
        assert spec.epsilon is not None
        policies.check_epsilon(settings, spec.epsilon)
        cap = (settings.unit_column, settings.max_contributions) if settings.unit_column else None
        agg = engine().aggregate(source, spec, unit_cap=cap)
        result = _answer_dp(session, agg, spec, settings, actor, query_id)
    else:
        agg = engine().aggregate(source, spec)
        result = _answer_disclosure(agg, spec, settings, margins)
    result.query_id = query_id
    audit.record(session, SurveillanceEvent.QUERY_ANSWERED, actor=actor, subject_type="dataset",
                 subject_id=source.dataset_id,
                 details={"query_id": query_id, "mode": str(mode), "query": spec.describe(),
                          "cells": len(result.rows),
                          "suppressed": sum(1 for r in result.rows if r["value"] is None),
                          "epsilon": result.epsilon_spent})
    return result


def _labels(agg: Aggregate, idx: tuple[int, ...]) -> list[str]:
    return [MARGIN if i == len(levels) else levels[i] for i, levels in zip(idx, agg.levels, strict=True)]


def _answer_disclosure(agg: Aggregate, spec: QuerySpec, settings: DatasetSettings, margins: bool) -> QueryResult:
    sizes = [len(levels) for levels in agg.levels]
    counts = disclosure.build_cube(agg.codes, agg.count, sizes)
    interior = counts[tuple(slice(0, n) for n in sizes)]
    policies.check_not_mostly_small(int(((interior > 0) & (interior < settings.threshold)).sum()),
                                    int((interior > 0).sum()))
    protected = disclosure.protect(counts, settings.threshold)
    rounded = disclosure.round_to_base(counts, settings.rounding_base)
    denominators = sums = None
    if spec.measure is Measure.RATE:
        assert agg.denominator is not None
        denominators = disclosure.build_cube(agg.codes, agg.denominator, sizes)
    if spec.measure is Measure.MEAN:
        assert agg.total is not None
        sums = np.zeros(counts.shape)
        np.add.at(sums, tuple(agg.codes), agg.total)
        for axis, n in enumerate(sizes):
            cut: list[Any] = [slice(None)] * len(sizes)
            cut[axis] = n
            sums[tuple(cut)] = np.take(sums, range(n), axis=axis).sum(axis=axis)
    rows: list[dict[str, Any]] = []
    for idx in itertools.product(*(range(n + 1) for n in sizes)):
        is_margin = any(i == n for i, n in zip(idx, sizes, strict=True))
        if is_margin and not margins:
            continue
        if not is_margin and counts[idx] == 0 and not protected.suppressed[idx]:
            continue  # empty cells are implied by their absence
        labels = _labels(agg, idx)
        row: dict[str, Any] = dict(zip([str(d) for d in spec.by], labels, strict=True))
        suppressed = bool(protected.suppressed[idx])
        row["flag"] = ("primary" if protected.primary[idx] else "secondary") if suppressed else ""
        if spec.measure is Measure.COUNT:
            row["value"] = None if suppressed else int(rounded[idx])
        elif spec.measure is Measure.RATE:
            assert denominators is not None
            den = int(denominators[idx])
            if suppressed or den < settings.threshold:
                row["value"] = None
                row["flag"] = row["flag"] or "denominator"
            else:
                row["value"] = round(1000.0 * int(counts[idx]) / den, 2)
            row["cases"] = None if suppressed else int(rounded[idx])
        else:
            assert sums is not None
            row["value"] = None if suppressed else round(float(sums[idx]) / int(counts[idx]), 2)
            row["n"] = None if suppressed else int(rounded[idx])
        rows.append(row)
    notes = [f"cells below {settings.threshold} suppressed, with secondary suppression against the margins",
             f"counts rounded to the nearest {settings.rounding_base}" if settings.rounding_base > 1 else
             "counts not rounded"]
    if spec.measure is Measure.RATE:
        notes.append("rate per 1,000 encounters of the same cell (all conditions)")
    return QueryResult(by=[str(d) for d in spec.by], measure=str(spec.measure), mode=str(ProtectionMode.DISCLOSURE),
                       rows=rows, notes=notes)


def _answer_dp(session: Session, agg: Aggregate, spec: QuerySpec, settings: DatasetSettings, actor: Actor,
               query_id: str) -> QueryResult:
    """Noise every cell of the key set (the cross product of each dimension's public level list)."""
    assert spec.epsilon is not None
    sizes = [len(levels) for levels in agg.levels]
    cells = int(np.prod(sizes, dtype=np.int64)) if sizes else 1
    policies.check_dp_size(cells)
    flat = np.ravel_multi_index(tuple(agg.codes), sizes) if sizes else np.zeros(len(agg.count), dtype=np.int64)
    true_counts = np.bincount(flat, weights=agg.count, minlength=cells).astype(np.int64)
    if spec.measure is Measure.MEAN and agg.bounds is None:
        raise InputError(f"column {spec.mean_of!r} has no declared bounds for differential privacy",
                         hint="use age or length_of_stay")
    k = settings.max_contributions
    two_part = spec.measure in (Measure.RATE, Measure.MEAN)
    eps_part = spec.epsilon / 2 if two_part else spec.epsilon
    gaussian = spec.mechanism is Mechanism.GAUSSIAN
    delta = GAUSSIAN_DELTA if gaussian else 0.0
    charged_delta = delta * (2 if two_part and spec.measure is Measure.RATE else 1) if gaussian else 0.0
    state = ledger.spend(session, settings, actor, spec.epsilon, charged_delta, str(spec.mechanism),
                         spec.describe(), query_id)
    # Only after the spend is recorded is any noise drawn and released.
    noisy = dp.release_counts(true_counts, eps_part, sensitivity=k, mechanism=spec.mechanism, delta=delta)
    values: np.ndarray = np.fmax(noisy.values, 0).astype(float)
    second = None
    if spec.measure is Measure.RATE:
        assert agg.denominator is not None
        dens = np.bincount(flat, weights=agg.denominator, minlength=cells).astype(np.int64)
        second = dp.release_counts(dens, eps_part, sensitivity=k, mechanism=spec.mechanism, delta=delta)
    elif spec.measure is Measure.MEAN:
        assert agg.total is not None and agg.bounds is not None
        sums = np.bincount(flat, weights=agg.total, minlength=cells)
        second = dp.release_sums(sums, eps_part, sensitivity=k * max(abs(agg.bounds[0]), abs(agg.bounds[1])))
    rows = []
    for flat_idx, idx in enumerate(itertools.product(*(range(n) for n in sizes))):
        row: dict[str, Any] = dict(zip([str(d) for d in spec.by], _labels(agg, idx), strict=True))
        count = values[flat_idx]
        # Post-processing (free under DP): small noisy counts are not shown, as under disclosure control.
        low = count < settings.threshold
        row["flag"] = "low" if low else ""
        if spec.measure is Measure.COUNT:
            row["value"] = None if low else int(count)
        elif spec.measure is Measure.RATE:
            assert second is not None
            den = max(float(second.values[flat_idx]), 0.0)
            row["value"] = None if low or den < settings.threshold else round(1000.0 * count / den, 2)
            row["cases"] = None if low else int(count)
        else:
            assert second is not None
            row["value"] = None if low else round(float(second.values[flat_idx]) / count, 2)
            row["n"] = None if low else int(count)
        rows.append(row)
    notes = [f"differential privacy: {noisy.mechanism} noise, ε={spec.epsilon:g}"
             + (f", δ={charged_delta:g}" if charged_delta else "")
             + f", scale {noisy.scale:.3g} per count (sensitivity {k})",
             f"noisy counts below {settings.threshold} not shown (post-processing)"]
    return QueryResult(by=[str(d) for d in spec.by], measure=str(spec.measure), mode=str(ProtectionMode.DP), rows=rows,
                       notes=notes, epsilon_spent=spec.epsilon, delta_spent=charged_delta,
                       budget_left=state.epsilon_left)
