"""Compute credits: quarterly CPU/GPU-hour allocations per institution, charges, reports, fair-share.

A job is charged its resources × wall time (cpus × hours, gpus × hours). At submission the worst case
(the full wall-time limit) must fit in what is left of the quarter, counting what queued and running
jobs may still use, so an institution can never overspend its subsidised allocation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medkosh.audit import record
from medkosh.audit.service import Actor
from medkosh.compute.types import ComputeEvent, JobState, Resources, Usage
from medkosh.errors import InputError, PolicyViolation
from medkosh.store.base import utcnow
from medkosh.store.tables.compute import AllocationRow, JobRow

FAIR_SHARE_WINDOW = dt.timedelta(days=30)
GPU_WEIGHT = 10.0  # one GPU-hour weighs as ten CPU-hours when comparing recent usage


def quarter_of(when: dt.datetime | None = None) -> str:
    when = when or utcnow()
    return f"{when.year}Q{(when.month - 1) // 3 + 1}"


def _check_quarter(quarter: str) -> str:
    if len(quarter) != 6 or quarter[4] != "Q" or not quarter[:4].isdigit() or quarter[5] not in "1234":
        raise InputError(f"not a quarter: {quarter!r}", hint="write it like 2026Q4")
    return quarter


def set_allocation(session: Session, institution_id: str, *, cpu_hours: float, gpu_hours: float,
                   quarter: str | None = None, actor: Actor | str = "system") -> AllocationRow:
    quarter = _check_quarter(quarter or quarter_of())
    if cpu_hours < 0 or gpu_hours < 0:
        raise InputError("allocations cannot be negative", hint="give hours ≥ 0")
    row = session.get(AllocationRow, (institution_id, quarter))
    if row is None:
        row = AllocationRow(institution_id=institution_id, quarter=quarter, cpu_hours=cpu_hours, gpu_hours=gpu_hours)
        session.add(row)
    row.cpu_hours, row.gpu_hours = cpu_hours, gpu_hours
    row.set_by = actor.id if isinstance(actor, Actor) else actor
    row.set_at = utcnow()
    record(session, ComputeEvent.ALLOCATION_SET, actor=actor, subject_type="institution", subject_id=institution_id,
           details={"quarter": quarter, "cpu_hours": cpu_hours, "gpu_hours": gpu_hours})
    session.flush()
    return row


def charge(resources: Resources, seconds: float) -> Usage:
    hours = max(0.0, seconds) / 3600.0
    return Usage(cpu_hours=resources.cpus * hours, gpu_hours=resources.gpus * hours)


def _committed(session: Session, institution_id: str, quarter: str) -> Usage:
    """Hours charged to finished jobs plus the worst case of queued and running ones."""
    charged = session.execute(
        select(func.coalesce(func.sum(JobRow.cpu_hours), 0.0), func.coalesce(func.sum(JobRow.gpu_hours), 0.0))
        .where(JobRow.institution_id == institution_id, JobRow.quarter == quarter)).one()
    pending = session.execute(
        select(func.coalesce(func.sum(JobRow.cpus * JobRow.wall_seconds), 0.0),
               func.coalesce(func.sum(JobRow.gpus * JobRow.wall_seconds), 0.0))
        .where(JobRow.institution_id == institution_id, JobRow.quarter == quarter,
               JobRow.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]))).one()
    return Usage(float(charged[0]) + float(pending[0]) / 3600.0, float(charged[1]) + float(pending[1]) / 3600.0)


def remaining(session: Session, institution_id: str, quarter: str | None = None) -> dict[str, float]:
    quarter = quarter or quarter_of()
    alloc = session.get(AllocationRow, (institution_id, quarter))
    used = _committed(session, institution_id, quarter)
    cpu = alloc.cpu_hours if alloc else 0.0
    gpu = alloc.gpu_hours if alloc else 0.0
    return {"cpu_hours_allocated": cpu, "gpu_hours_allocated": gpu, "cpu_hours_committed": round(used.cpu_hours, 6),
            "gpu_hours_committed": round(used.gpu_hours, 6), "cpu_hours_left": round(cpu - used.cpu_hours, 6),
            "gpu_hours_left": round(gpu - used.gpu_hours, 6)}


def check_allowance(session: Session, institution_id: str, resources: Resources, quarter: str | None = None) -> None:
    """Refuse a job whose worst-case cost exceeds what is left of the institution's allocation."""
    quarter = quarter or quarter_of()
    left = remaining(session, institution_id, quarter)
    need_cpu, need_gpu = resources.cpu_hours_max, resources.gpu_hours_max
    if left["cpu_hours_allocated"] == 0 and left["gpu_hours_allocated"] == 0:
        raise PolicyViolation(f"your institution has no compute allocation for {quarter}",
                              hint="ask a platform admin to set one (medkosh credits set)")
    if need_cpu > left["cpu_hours_left"] + 1e-9:
        raise PolicyViolation(
            f"job needs up to {need_cpu:.2f} CPU-hours but your institution has {max(0.0, left['cpu_hours_left']):.2f} "
            f"left in {quarter}", hint="lower cpus or wall_time, or ask an admin for more credits")
    if need_gpu > left["gpu_hours_left"] + 1e-9:
        raise PolicyViolation(
            f"job needs up to {need_gpu:.2f} GPU-hours but your institution has {max(0.0, left['gpu_hours_left']):.2f} "
            f"left in {quarter}", hint="lower gpus or wall_time, or ask an admin for more GPU credits")


def recent_usage(session: Session, since: dt.datetime | None = None) -> dict[str, float]:
    """Weighted hours used per institution in the fair-share window."""
    since = since or utcnow() - FAIR_SHARE_WINDOW
    rows = session.execute(
        select(JobRow.institution_id, func.sum(JobRow.cpu_hours + GPU_WEIGHT * JobRow.gpu_hours))
        .where(JobRow.finished_at.is_not(None), JobRow.finished_at >= since)
        .group_by(JobRow.institution_id)).all()
    return {inst: float(hours or 0.0) for inst, hours in rows}


def fair_share_order(jobs: list[JobRow], usage: dict[str, float]) -> list[JobRow]:
    """Institutions with less recent usage first; within one, first come first served."""
    return sorted(jobs, key=lambda j: (usage.get(j.institution_id, 0.0), j.submitted_at, j.id))


@dataclass(frozen=True)
class UsageLine:
    key: str
    jobs: int
    cpu_hours: float
    gpu_hours: float


def usage_report(session: Session, by: str = "institution", quarter: str | None = None,
                 institution_id: str | None = None) -> list[dict[str, Any]]:
    """Charged hours per institution, user or project (job name) in a quarter; only `institution_id`'s
    jobs when given (a steward sees their own institution, an admin every one)."""
    column = {"institution": JobRow.institution_id, "user": JobRow.owner_id, "project": JobRow.name}.get(by)
    if column is None:
        raise InputError(f"cannot report usage by {by!r}", hint="use institution, user or project")
    quarter = _check_quarter(quarter or quarter_of())
    stmt = select(column, func.count(), func.sum(JobRow.cpu_hours), func.sum(JobRow.gpu_hours)).where(
        JobRow.quarter == quarter)
    if institution_id is not None:
        stmt = stmt.where(JobRow.institution_id == institution_id)
    rows = session.execute(stmt.group_by(column).order_by(column)).all()
    return [{by: key, "jobs": n, "cpu_hours": round(float(c or 0), 6), "gpu_hours": round(float(g or 0), 6)}
            for key, n, c, g in rows]
