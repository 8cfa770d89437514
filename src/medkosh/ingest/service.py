"""Ingest runs in the database and their audit events; erasure with its audit event.

The run itself (files → raw zone) happens outside any transaction; once it is published, one
transaction records the run, its quarantined inputs and `ingest.run.completed`. Audit details
carry counts only: input paths may contain patient names (Synthea names its files after them).
"""

from __future__ import annotations

import datetime as dt

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.audit import Actor, record
from medkosh.audit.types import Outcome
from medkosh.ingest.types import IngestEvent, IngestReport
from medkosh.ingest.zone import EraseResult, erase_patient_files, read_manifest
from medkosh.store.base import utcnow
from medkosh.store.tables.ingest import IngestQuarantineRow, IngestRunRow


def record_run(session: Session, report: IngestReport, *, started_at: dt.datetime | None = None,
               actor: Actor | str | None = None) -> IngestRunRow:
    finished = utcnow()
    started = started_at or (finished - dt.timedelta(seconds=report.seconds))
    actor_id = actor.id if isinstance(actor, Actor) else actor
    fields = dict(
        source_id=report.source_id, kind=report.kind, status=str(report.status),
        actor=actor_id, started_at=started, finished_at=finished, files_total=report.files_total,
        files_ingested=report.files_ingested, files_skipped=report.files_skipped,
        files_quarantined=len(report.quarantined), rows_total=sum(report.rows.values()),
        seconds=round(report.seconds, 3),
        report=orjson.dumps({k: v for k, v in report.as_dict().items() if k != "quarantined"},
                            default=str).decode(),
    )
    row = session.get(IngestRunRow, report.run_id)
    if row is None:
        row = IngestRunRow(id=report.run_id, **fields)
        session.add(row)
    else:  # a concurrent run already recorded this one as recovered: complete its record
        for key, value in fields.items():
            setattr(row, key, value)
    session.flush()
    for q in report.quarantined:
        session.add(IngestQuarantineRow(run_id=report.run_id, path=q.path, pointer=q.pointer, reason=q.reason))
    record(session, IngestEvent.RUN_COMPLETED, actor=actor, subject_type="ingest_run", subject_id=report.run_id,
           outcome=Outcome.SUCCESS,
           details={"source_id": report.source_id, "kind": report.kind, "status": str(report.status),
                    "files": report.files_total, "ingested": report.files_ingested,
                    "skipped": report.files_skipped, "quarantined": len(report.quarantined),
                    "rows": dict(sorted(report.rows.items()))})
    if report.destination.startswith("raw/"):
        record_unrecorded_runs(session, report.source_id, actor=actor)
    return row


def record_unrecorded_runs(session: Session, source_id: str, *, actor: Actor | str | None = None) -> list[str]:
    """Record the runs whose data the source's manifest lists but the database does not know.

    A run publishes its files (one atomic manifest switch) and then records itself in a transaction; a
    run killed between the two left data in the raw zone with no run record and no audit event, and its
    rerun skips those inputs as already ingested. The next run of the source records each such run
    (status 'recovered', counts from the manifest) with `ingest.run.recovered`. Returns their ids."""
    manifest = read_manifest(source_id)
    rows: dict[str, dict[str, int]] = {}
    for table, parts in manifest.get("tables", {}).items():
        for part in parts:
            per_run = rows.setdefault(str(part["run_id"]), {})
            per_run[table] = per_run.get(table, 0) + int(part.get("rows", 0))
    if not rows:
        return []
    known = set(session.execute(select(IngestRunRow.id).where(IngestRunRow.id.in_(list(rows)))).scalars())
    files: dict[str, int] = {}
    for run_id in manifest.get("inputs", {}).values():
        files[str(run_id)] = files.get(str(run_id), 0) + 1
    actor_id = actor.id if isinstance(actor, Actor) else actor
    recovered = sorted(set(rows) - known)
    for run_id in recovered:
        now = utcnow()
        counts = dict(sorted(rows[run_id].items()))
        session.add(IngestRunRow(
            id=run_id, source_id=source_id, kind="unknown", status="recovered", actor=actor_id, started_at=now,
            finished_at=now, files_total=files.get(run_id, 0), files_ingested=files.get(run_id, 0),
            files_skipped=0, files_quarantined=0, rows_total=sum(counts.values()), seconds=0.0,
            report=orjson.dumps({"run_id": run_id, "source_id": source_id, "status": "recovered",
                                 "rows": counts}).decode()))
        session.flush()
        record(session, IngestEvent.RUN_RECOVERED, actor=actor, subject_type="ingest_run", subject_id=run_id,
               outcome=Outcome.SUCCESS,
               details={"source_id": source_id, "files": files.get(run_id, 0), "rows": counts,
                        "why": "its data was published but the run died before recording itself"})
    return recovered


def list_runs(session: Session, source_id: str | None = None, limit: int = 50) -> list[IngestRunRow]:
    stmt = select(IngestRunRow).order_by(IngestRunRow.started_at.desc()).limit(limit)
    if source_id:
        stmt = stmt.where(IngestRunRow.source_id == source_id)
    return list(session.execute(stmt).scalars())


def erase_patient(session: Session, patient_key: str, *, sources: list[str] | None = None,
                  actor: Actor | str | None = None) -> EraseResult:
    """Remove a patient's rows from every raw-zone table (and their DICOM objects), atomically per
    source, and record `ingest.patient.erased` in the caller's transaction. Idempotent."""
    result = erase_patient_files(patient_key, sources)
    record(session, IngestEvent.PATIENT_ERASED, actor=actor, subject_type="patient", subject_id=patient_key,
           details=result.as_dict())
    return result
