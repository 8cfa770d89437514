"""`medkosh consent enforce`: act on every ended consent — crash-safe and idempotent.

1. Plan (one transaction): GRANTED artefacts whose dataEraseAt has passed become EXPIRED, and every
   ended artefact (REVOKED, EXPIRED, or past dataEraseAt) gets a WITHDRAW and an ERASE task in
   consent_enforcement_task, unless it has them already.
2. Resolve: each pending task records its principal's (patient_key, source_id) pairs from the raw zone
   before anything is changed (erasure removes the rows the keys are found in).
3. Withdraw: every dataset version containing those patient_keys is replaced — the dataset's next
   version is built without them (the consent filter now refuses them), the old version is marked
   "superseded — consent withdrawn" (no new grants), and the grants still pointing at it are recorded.
4. Erase: the principal's raw rows are erased, one patient_key per transaction (the raw zone rewrites
   each file atomically), unless another live consent of theirs still covers that hospital.

A task is marked done in the transaction that finishes it; a run killed at any point leaves its work
pending and the next run completes it (each step is idempotent). DPDP Act 2023 s.6(6), s.8(7).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from medkosh.audit import Actor, record
from medkosh.consent import service
from medkosh.consent.types import ConsentEvent, ConsentStatus, TaskKind, TaskState
from medkosh.errors import MedkoshError
from medkosh.store.base import utcnow
from medkosh.store.db import session_scope
from medkosh.store.tables.consent import ConsentArtefactRow, ConsentEnforcementTaskRow

Progress = Callable[[str], None]
ENDED = (ConsentStatus.REVOKED.value, ConsentStatus.EXPIRED.value)


@dataclass
class EnforcementReport:
    as_of: dt.datetime
    expired: list[str] = field(default_factory=list)
    planned: int = 0
    withdrawn: list[dict[str, Any]] = field(default_factory=list)
    erased: list[dict[str, Any]] = field(default_factory=list)
    retained: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "expired": self.expired, "planned_tasks": self.planned,
                "withdrawn": self.withdrawn, "erased": self.erased, "retained": self.retained,
                "failed": self.failed}


def plan(session: Session, as_of: dt.datetime, actor: Actor | str) -> tuple[list[str], int]:
    """Expire what is due and make sure every ended artefact has its tasks. Returns (expired, planned)."""
    expired = service.expire_due(session, as_of, actor=actor)
    A, T = ConsentArtefactRow, ConsentEnforcementTaskRow

    def lacks(kind: TaskKind) -> Any:
        return ~exists().where(T.consent_id == A.consent_id, T.kind == kind.value)

    # Only artefacts still lacking a task: the scan does not grow with the history of finished work.
    ended = session.execute(select(A.consent_id, A.status).where(
        or_(A.status.in_(ENDED), A.data_erase_at <= as_of), or_(lacks(TaskKind.WITHDRAW), lacks(TaskKind.ERASE)))
        .order_by(A.consent_id)).all()
    ids = [c for c, _ in ended]
    have: set[tuple[str, str]] = set()
    for start in range(0, len(ids), 500):  # bounded IN lists on every backend
        have.update((k, c) for k, c in session.execute(
            select(T.kind, T.consent_id).where(T.consent_id.in_(ids[start:start + 500]))).all())
    planned = 0
    for consent_id, status in ended:
        reason = "revoked" if status == ConsentStatus.REVOKED.value else "expired"
        for kind in (TaskKind.WITHDRAW, TaskKind.ERASE):
            if (kind.value, consent_id) not in have:
                planned += service.plan_task(session, kind, consent_id, reason=reason, actor=actor)
    return expired, planned


def _pending(session: Session, kind: TaskKind | None = None) -> list[ConsentEnforcementTaskRow]:
    stmt = select(ConsentEnforcementTaskRow).where(ConsentEnforcementTaskRow.state == TaskState.PENDING.value)
    if kind is not None:
        stmt = stmt.where(ConsentEnforcementTaskRow.kind == kind.value)
    return list(session.execute(stmt.order_by(ConsentEnforcementTaskRow.id)).scalars())


def resolve_keys(session: Session) -> None:
    """Record, on each pending task that lacks them, the principal's (patient_key, source_id) pairs."""
    todo = [t for t in _pending(session) if t.patient_keys is None]
    if not todo:
        return
    from medkosh.consent.subjects import patient_hash, raw_zone_subjects

    subjects = raw_zone_subjects()
    by_hash: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, source_id, phash in subjects.iter_rows():
        if phash:
            by_hash[phash].append((key, source_id))
    for task in todo:
        art = service.get_row(session, task.consent_id)
        # Hash the address from the verbatim artefact with the current key rather than trusting the
        # stored index: a rotated index key must never make a withdrawal miss its principal.
        phash = patient_hash(service.load_artefact(art).patient_id)
        pairs = sorted({(k, src) for k, src in by_hash.get(phash, []) if art.hip_id is None or art.hip_id == src})
        task.patient_keys = orjson.dumps(pairs).decode()
    session.flush()


def _keys(task: ConsentEnforcementTaskRow) -> list[tuple[str, str]]:
    return [(k, src) for k, src in orjson.loads(task.patient_keys or "[]")]


def _finish(session: Session, task_id: int, result: dict[str, Any], actor: Actor | str) -> None:
    task = session.get(ConsentEnforcementTaskRow, task_id)
    assert task is not None
    task.state, task.done_at, task.result, task.last_error = TaskState.DONE.value, utcnow(), \
        orjson.dumps(result).decode(), None
    task.attempts += 1
    record(session, ConsentEvent.TASK_DONE, actor=actor, subject_type="consent", subject_id=task.consent_id,
           details={"kind": task.kind, **result})  # counts and dataset versions, never identifiers


def _fail(task_ids: list[int], error: str, report: EnforcementReport, *, owed: list[str] | None = None) -> None:
    """Leave tasks pending with the error; `owed` names datasets whose rebuild the next run must retry."""
    with session_scope() as s:
        for task_id in task_ids:
            task = s.get(ConsentEnforcementTaskRow, task_id)
            if task is not None:
                task.attempts += 1
                task.last_error = error[:500]
                if owed is not None:
                    task.result = orjson.dumps({"rebuild_owed": owed}).decode()
                report.failed.append({"task": task_id, "kind": task.kind, "consent_id": task.consent_id,
                                      "error": error[:500]})


def _owed(task: ConsentEnforcementTaskRow) -> list[str]:
    if task.state != TaskState.PENDING.value or not task.result:
        return []
    return [str(d) for d in orjson.loads(task.result).get("rebuild_owed", [])]


def withdraw(report: EnforcementReport, actor: Actor | str, say: Progress) -> None:
    """Replace every dataset version that still contains a withdrawn principal (one rebuild per dataset).

    If a rebuild fails, the versions holding the principal are still withdrawn at once (fail closed: no new
    grant on them), and the rebuild is recorded as owed on the task for the next run to retry."""
    with session_scope() as s:
        tasks = [(t.id, t.consent_id, [k for k, _ in _keys(t)], _owed(t)) for t in _pending(s, TaskKind.WITHDRAW)]
    if not tasks:
        return
    try:
        from medkosh.catalog.build import rebuild_after_withdrawal
        from medkosh.catalog.grants import grants_pointing_at
        from medkosh.catalog.publish import supersede
        from medkosh.catalog.service import get_dataset_row, versions_containing
        from medkosh.catalog.types import VersionStatus
    except ImportError as exc:  # a deployment without the catalog has no datasets to withdraw from
        _fail([t[0] for t in tasks], f"catalog unavailable: {exc}", report)
        return
    all_keys = sorted({k for _, _, keys, _ in tasks for k in keys})
    owed_all = {d for *_, owed in tasks for d in owed}
    with session_scope() as s:
        affected = versions_containing(s, all_keys) if all_keys else []
        per_task = {tid: versions_containing(s, keys) if keys else [] for tid, _, keys, _ in tasks}
    by_dataset: dict[str, list[Any]] = defaultdict(list)
    for ref in affected:
        by_dataset[ref.dataset_id].append(ref)
    failed_datasets: dict[str, str] = {}
    outcome: dict[str, dict[str, Any]] = {}  # old version id -> what replaced it, grants still on it

    def withdraw_remaining(dataset_id: str, reason: str) -> None:
        """Withdraw every version of the dataset that still holds a principal (older ones included)."""
        with session_scope() as s:
            for ref in versions_containing(s, all_keys):
                if ref.dataset_id != dataset_id:
                    continue
                supersede(s, str(ref.version_id), VersionStatus.SUPERSEDED_CONSENT_WITHDRAWN, reason=reason,
                          superseded_by=None, actor=actor)
                grants = grants_pointing_at(s, str(ref.version_id))
                outcome[str(ref.version_id)] = {"dataset_id": dataset_id, "old_version": ref.version_id,
                                                "new_version": None, "new_version_id": None,
                                                "grants": grants if grants is not None else "unknown"}

    for dataset_id in sorted(set(by_dataset) | owed_all):
        refs = by_dataset.get(dataset_id, [])
        try:
            with session_scope() as s:
                latest = get_dataset_row(s, dataset_id).latest_version
            if dataset_id in owed_all or any(r.version_id == latest for r in refs):
                say(f"rebuilding {dataset_id} without the withdrawn principals")
                res = rebuild_after_withdrawal(None, dataset_id, "consent withdrawn", actor=actor)
                outcome[res.old_version] = {"dataset_id": dataset_id, "old_version": res.old_version,
                                            "new_version": res.new_version.number,
                                            "new_version_id": res.new_version.id,
                                            "grants": res.grants if res.grants is not None else "unknown"}
            withdraw_remaining(dataset_id, "consent withdrawn")
        except MedkoshError as exc:
            failed_datasets[dataset_id] = exc.user_line()
            try:
                withdraw_remaining(dataset_id, "consent withdrawn; replacement version owed")
            except MedkoshError:  # the database itself is failing: the task stays pending, reported below
                pass
    report.withdrawn.extend(outcome[v] for v in sorted(outcome, key=lambda v: (outcome[v]["dataset_id"], v)))
    finished = []
    for tid, consent_id, keys, owed in tasks:
        mine = {r.dataset_id for r in per_task[tid]} | set(owed)
        broken = sorted(d for d in mine if d in failed_datasets)
        if broken:
            _fail([tid], "; ".join(f"{d}: {failed_datasets[d]}" for d in broken), report, owed=broken)
        else:
            finished.append((tid, consent_id, keys, owed))
    if not finished:
        return
    # The dataset work is committed; what is left is bookkeeping, done for every task at once.
    with session_scope() as s:
        for tid, consent_id, keys, owed in finished:
            done = []
            for ref in per_task[tid]:
                what = outcome.get(str(ref.version_id), {})
                entry = {"dataset_version": f"{ref.dataset_id}@{ref.number}", "version_id": ref.version_id,
                         "replaced_by": what.get("new_version_id"), "grants": what.get("grants", "unknown")}
                record(s, ConsentEvent.DATASET_WITHDRAWN, actor=actor, subject_type="consent",
                       subject_id=consent_id, details=entry)
                done.append(entry)
            _finish(s, tid, {"versions": done, "rebuilt_after_failure": owed, "patient_keys": len(keys)}, actor)


def _live_cover(session: Session, art: ConsentArtefactRow, as_of: dt.datetime) -> set[str | None]:
    """hip ids (None = every hospital) at which another live consent of the same principal still holds."""
    rows = session.execute(select(ConsentArtefactRow.hip_id).where(
        ConsentArtefactRow.patient_hash == art.patient_hash, ConsentArtefactRow.consent_id != art.consent_id,
        ConsentArtefactRow.status == ConsentStatus.GRANTED.value, ConsentArtefactRow.data_erase_at > as_of))
    return {hip for (hip,) in rows.all()}


def erase(report: EnforcementReport, as_of: dt.datetime, actor: Actor | str, say: Progress) -> None:
    """Erase the raw rows of ended principals (after their datasets were withdrawn)."""
    with session_scope() as s:
        waiting = {t.consent_id for t in _pending(s, TaskKind.WITHDRAW)}
        tasks = []
        for t in _pending(s, TaskKind.ERASE):
            if t.consent_id in waiting:
                continue
            live = _live_cover(s, service.get_row(s, t.consent_id), as_of)
            pairs = _keys(t)
            # Keys at a hospital where another live consent of theirs still holds are kept.
            doomed = [(k, src) for k, src in pairs if None not in live and src not in live]
            tasks.append((t.id, t.consent_id, len(pairs), doomed))
    if not tasks:
        return
    idle = [(tid, cid, n) for tid, cid, n, doomed in tasks if not doomed]
    if idle:  # nothing to erase (not ingested, or all retained): close them in one transaction
        with session_scope() as s:
            for tid, consent_id, n in idle:
                _finish(s, tid, {"patient_keys": n, "erased_keys": 0, "retained_keys": n, "rows": 0}, actor)
                if n:
                    report.retained.append(consent_id)
    from medkosh.ingest.service import erase_patient

    for tid, consent_id, n, doomed in tasks:
        if not doomed:
            continue
        rows_total = 0
        try:
            for key, source_id in doomed:
                with session_scope() as s:  # one principal key per transaction; files switch atomically
                    result = erase_patient(s, key, sources=[source_id], actor=actor)
                    rows = sum(result.rows.values())
                    if rows or result.objects_deleted:  # a re-run after a crash finds nothing left
                        record(s, ConsentEvent.RAW_ERASED, actor=actor, subject_type="patient", subject_id=key,
                               details={"consent_id": consent_id, "source_id": source_id, "rows": result.rows,
                                        "objects_deleted": result.objects_deleted})
                rows_total += rows
        except MedkoshError as exc:
            _fail([tid], exc.user_line(), report)
            continue
        say(f"erased {rows_total} raw row(s) of {len(doomed)} patient key(s) for consent {consent_id}")
        with session_scope() as s:
            _finish(s, tid, {"patient_keys": n, "erased_keys": len(doomed), "retained_keys": n - len(doomed),
                             "rows": rows_total}, actor)
        report.erased.append({"consent_id": consent_id, "patient_keys": len(doomed), "rows": rows_total})
        if n > len(doomed):
            report.retained.append(consent_id)


def enforce(*, as_of: dt.datetime | None = None, actor: Actor | str = "system",
            progress: Progress | None = None) -> EnforcementReport:
    """Run the whole enforcement pass (see the module docstring); safe to re-run at any time."""
    moment = as_of or utcnow()
    say = progress or (lambda _msg: None)
    report = EnforcementReport(moment)
    with session_scope() as s:
        report.expired, report.planned = plan(s, moment, actor)
    with session_scope() as s:
        resolve_keys(s)
    withdraw(report, actor, say)
    erase(report, moment, actor, say)
    return report
