"""Surveillance runs: weekly series per district × condition, aberration detection, stored alerts.

The exact weekly series stay inside the service (a Parquet object in the content-addressed store);
what users see — alerts, charts, the heat table — passes the dataset's disclosure threshold first:
a district-week below it is shown as suppressed, never as its value.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh import audit
from medkosh.audit.service import Actor
from medkosh.errors import NotFoundError
from medkosh.store.base import new_id, utcnow
from medkosh.store.objects import ObjectStore
from medkosh.store.tables.surveillance import SurveillanceAlertRow, SurveillanceRunRow
from medkosh.surveillance import disclosure
from medkosh.surveillance.aberration import Detection, DetectorConfig, detect
from medkosh.surveillance.service import dataset_settings, engine, resolve_source
from medkosh.surveillance.types import CONDITIONS, SurveillanceEvent
from medkosh.surveillance.weeks import parse_week, week_label

EARS_METHODS = ("C1", "C2", "C3")


@dataclass
class Series:
    keys: list[tuple[str, str, str]]  # (state, district, condition)
    weeks: list[str]
    counts: np.ndarray  # (series, weeks)


def weekly_series(counts: dict[str, np.ndarray]) -> Series:
    """Long weekly counts → a dense (series × consecutive weeks) matrix, missing weeks as zero."""
    keep = counts["condition"] != "other"
    state, district, cond = counts["state"][keep], counts["district"][keep], counts["condition"][keep]
    week, n = counts["week"][keep], counts["count"][keep]
    if week.size == 0:
        raise NotFoundError("no cases of any notifiable condition in the data",
                            hint=f"surveillance looks for {', '.join(c.icd10 for c in CONDITIONS.values())}")
    mondays = {w: parse_week(w) for w in np.unique(week)}
    first, last = min(mondays.values()), max(mondays.values())
    n_weeks = (last - first).days // 7 + 1
    labels = [week_label(first + dt.timedelta(weeks=i)) for i in range(n_weeks)]
    col = np.array([(mondays[w] - first).days // 7 for w in week])
    key_strings = np.char.add(np.char.add(state.astype(str), "\x1f"), np.char.add(district.astype(str), "\x1f"))
    key_strings = np.char.add(key_strings, cond.astype(str))
    uniq, row = np.unique(key_strings, return_inverse=True)
    matrix = np.zeros((uniq.size, n_weeks))
    np.add.at(matrix, (row, col), n)
    keys = [tuple(k.split("\x1f")) for k in uniq.tolist()]
    return Series(keys, labels, matrix)  # type: ignore[arg-type]


def alert_mask(det: Detection) -> tuple[np.ndarray, np.ndarray]:
    """Farrington decides where it can (seasonal baseline); EARS elsewhere. → (alert, farrington used)."""
    has_farrington = ~np.isnan(det.statistic["farrington"])
    ears_alert = np.logical_or.reduce([det.alert[m] for m in EARS_METHODS])
    return np.where(has_farrington, det.alert["farrington"], ears_alert), has_farrington


def run(session: Session, ref: str | None, actor: Actor, *, alpha: float = 0.001, weeks_shown: int = 52,
        table: str | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    if ref is None:
        last = session.execute(select(SurveillanceRunRow).order_by(SurveillanceRunRow.created_at.desc())
                               .limit(1)).scalar_one_or_none()
        if last is None:
            raise NotFoundError("no surveillance source yet",
                                hint="run 'medkosh surveillance run --source DATASET_ID@VERSION' (or a Parquet path) once")
        ref = last.source
    source, tier = resolve_source(session, ref, table)
    settings = dataset_settings(session, source.dataset_id, tier)
    series = weekly_series(engine().weekly_counts(source, list(CONDITIONS)))
    cfg = DetectorConfig(alpha=alpha)
    det = detect(series.counts, cfg)
    alert, farr = alert_mask(det)
    shown_from = max(0, len(series.weeks) - weeks_shown)
    alert[:, :shown_from] = False
    run_id = new_id("srun")
    rows = _alert_rows(run_id, series, det, alert, farr)
    sha = _store_series(series, det, farr)
    session.add(SurveillanceRunRow(
        id=run_id, created_at=utcnow(), actor=actor.id, source=ref, dataset_id=source.dataset_id,
        first_week=series.weeks[0], last_week=series.weeks[-1], weeks=len(series.weeks), series=len(series.keys),
        alerts=len(rows), alpha=alpha, threshold=settings.threshold, series_object=sha,
        seconds=round(time.perf_counter() - started, 3)))
    session.flush()
    session.add_all(rows)
    audit.record(session, SurveillanceEvent.RUN_COMPLETED, actor=actor, subject_type="surveillance_run",
                 subject_id=run_id, details={"dataset_id": source.dataset_id, "series": len(series.keys),
                                             "weeks": len(series.weeks), "alerts": len(rows), "alpha": alpha})
    session.flush()
    return {"run_id": run_id, "source": source.label, "series": len(series.keys), "weeks": len(series.weeks),
            "first_week": series.weeks[0], "last_week": series.weeks[-1], "alerts": len(rows),
            "seconds": round(time.perf_counter() - started, 3)}


def _alert_rows(run_id: str, series: Series, det: Detection, alert: np.ndarray,
                farr: np.ndarray) -> list[SurveillanceAlertRow]:
    out = []
    for i, t in zip(*np.nonzero(alert), strict=True):
        methods = ["farrington"] if farr[i, t] else [m for m in EARS_METHODS if det.alert[m][i, t]]
        best = max(methods, key=lambda m: float(det.score(m)[i, t]))
        state, district, cond = series.keys[i]
        c = CONDITIONS[cond]
        out.append(SurveillanceAlertRow(
            run_id=run_id, condition=cond, condition_name=c.name, icd10=c.icd10, state=state, district=district,
            week=series.weeks[t], method=best, methods=",".join(methods), observed=int(series.counts[i, t]),
            expected=round(float(det.expected[best][i, t]), 2), upper=round(float(det.upper[best][i, t]), 2),
            statistic=round(float(det.statistic[best][i, t]), 3), threshold=round(float(det.threshold[best]), 3),
            score=round(float(det.score(best)[i, t]), 3)))
    return out


def _store_series(series: Series, det: Detection, farr: np.ndarray) -> str:
    """The exact series with expected values and alert limits (Farrington where used, else C1)."""
    n_series, n_weeks = series.counts.shape
    expected = np.where(farr, det.expected["farrington"], det.expected["C1"])
    upper = np.where(farr, det.upper["farrington"], det.upper["C1"])
    alert, _ = alert_mask(det)
    table = pa.table({
        "state": np.repeat([k[0] for k in series.keys], n_weeks),
        "district": np.repeat([k[1] for k in series.keys], n_weeks),
        "condition": np.repeat([k[2] for k in series.keys], n_weeks),
        "week": np.tile(series.weeks, n_series),
        "count": series.counts.ravel().astype(np.int64),
        "expected": expected.ravel(), "upper": upper.ravel(), "alert": alert.ravel(),
    })
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return ObjectStore().put_bytes(buf.getvalue())


# ---- what users see ---------------------------------------------------------------------------------

def latest_run(session: Session, run_id: str | None = None) -> SurveillanceRunRow:
    if run_id:
        row = session.get(SurveillanceRunRow, run_id)
    else:
        row = session.execute(select(SurveillanceRunRow).order_by(SurveillanceRunRow.created_at.desc())
                              .limit(1)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"no surveillance run {run_id or 'yet'}", hint="run 'medkosh surveillance run' first")
    return row


def _shown(value: float, threshold: int) -> int | None:
    return None if 0 < value < threshold else round(value)


def alerts(session: Session, run_id: str | None = None, *, condition: str | None = None,
           district: str | None = None) -> dict[str, Any]:
    run_row = latest_run(session, run_id)
    stmt = select(SurveillanceAlertRow).where(SurveillanceAlertRow.run_id == run_row.id)
    if condition:
        stmt = stmt.where(SurveillanceAlertRow.condition == condition)
    if district:
        stmt = stmt.where(SurveillanceAlertRow.district == district)
    rows = session.execute(stmt.order_by(SurveillanceAlertRow.score.desc())).scalars().all()
    t = run_row.threshold
    items = []
    for r in rows:
        small = 0 < r.observed < t
        # Counts below the threshold never leave the service; the standardised statistic does not
        # reveal them without the baseline, which is withheld for such alerts.
        items.append({"condition": r.condition, "condition_name": r.condition_name, "icd10": r.icd10,
                      "state": r.state, "district": r.district, "week": r.week, "method": r.method,
                      "methods": r.methods.split(","), "observed": None if small else r.observed,
                      "observed_display": f"<{t}" if small else str(r.observed),
                      "expected": None if small else r.expected, "upper": None if small else r.upper,
                      "statistic": r.statistic, "threshold": r.threshold, "score": r.score})
    return {"run_id": run_row.id, "created_at": run_row.created_at.isoformat(), "first_week": run_row.first_week,
            "last_week": run_row.last_week, "threshold": t, "alerts": items}


def _series_table(run_row: SurveillanceRunRow) -> pa.Table:
    with ObjectStore().open(run_row.series_object) as fh:
        return pq.read_table(io.BytesIO(fh.read()))


def chart(session: Session, district: str, condition: str, run_id: str | None = None,
          weeks: int = 104) -> dict[str, Any]:
    """One district's weekly series with its alert limit, disclosure-controlled for display."""
    run_row = latest_run(session, run_id)
    table = _series_table(run_row)
    rows = table.filter(pa.compute.and_(pa.compute.equal(table["district"], district),
                                        pa.compute.equal(table["condition"], condition))).to_pylist()
    if not rows:
        raise NotFoundError(f"no {condition} series for district {district!r} in run {run_row.id}",
                            hint="pick a district and condition from the alert table")
    rows = rows[-weeks:]
    t = run_row.threshold
    return {"district": district, "condition": condition, "condition_name": CONDITIONS[condition].name,
            "icd10": CONDITIONS[condition].icd10, "threshold": t,
            "weeks": [r["week"] for r in rows], "counts": [_shown(r["count"], t) for r in rows],
            "upper": [None if r["upper"] is None or not np.isfinite(r["upper"]) or r["upper"] < t
                      else round(float(r["upper"]), 1) for r in rows],
            "alerts": [r["week"] for r in rows if r["alert"]]}


def heat(session: Session, condition: str, run_id: str | None = None, weeks: int = 8) -> dict[str, Any]:
    """State/district × recent weeks, with primary and secondary suppression against its totals."""
    run_row = latest_run(session, run_id)
    table = _series_table(run_row)
    sub = table.filter(pa.compute.equal(table["condition"], condition)).to_pydict()
    recent = sorted(set(sub["week"]))[-weeks:]
    places = sorted({(s, d) for s, d in zip(sub["state"], sub["district"], strict=True)})
    p_idx = {p: i for i, p in enumerate(places)}
    w_idx = {w: i for i, w in enumerate(recent)}
    codes_p, codes_w, vals, flagged = [], [], [], set()
    for s, d, w, c, a in zip(sub["state"], sub["district"], sub["week"], sub["count"], sub["alert"], strict=True):
        if w in w_idx:
            codes_p.append(p_idx[(s, d)])
            codes_w.append(w_idx[w])
            vals.append(c)
            if a:
                flagged.add((p_idx[(s, d)], w_idx[w]))
    settings = dataset_settings(session, run_row.dataset_id)
    cube = disclosure.build_cube([np.array(codes_p, dtype=np.int64), np.array(codes_w, dtype=np.int64)],
                                 np.array(vals, dtype=np.int64), [len(places), len(recent)])
    protected = disclosure.protect(cube, run_row.threshold)
    shown = disclosure.round_to_base(cube, settings.rounding_base)
    out_rows = []
    for i, (state, district) in enumerate([*places, ("*", "*")]):
        cells = [{"value": None if protected.suppressed[i, j] else int(shown[i, j]),
                  "alert": (i, j) in flagged} for j in range(len(recent) + 1)]
        out_rows.append({"state": state, "district": district, "cells": cells})
    peak = max((c["value"] or 0 for r in out_rows[:-1] for c in r["cells"][:-1]), default=0)
    return {"condition": condition, "condition_name": CONDITIONS[condition].name, "weeks": [*recent, "*"],
            "rows": out_rows, "peak": peak, "threshold": run_row.threshold,
            "rounding_base": settings.rounding_base}
