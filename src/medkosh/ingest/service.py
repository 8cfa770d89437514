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
from medkosh.ingest.zone import EraseResult, erase_patient_files
from medkosh.store.base import utcnow
from medkosh.store.tables.ingest import IngestQuarantineRow, IngestRunRow


def record_run(session: Session, report: IngestReport, *, started_at: dt.datetime | None = None,
               actor: Actor | str | None = None) -> IngestRunRow:
    finished = utcnow()
    started = started_at or (finished - dt.timedelta(seconds=report.seconds))
    actor_id = actor.id if isinstance(actor, Actor) else actor
    row = IngestRunRow(
        id=report.run_id, source_id=report.source_id, kind=report.kind, status=str(report.status),
        actor=actor_id, started_at=started, finished_at=finished, files_total=report.files_total,
        files_ingested=report.files_ingested, files_skipped=report.files_skipped,
        files_quarantined=len(report.quarantined), rows_total=sum(report.rows.values()),
        seconds=round(report.seconds, 3),
        report=orjson.dumps({k: v for k, v in report.as_dict().items() if k != "quarantined"},
                            default=str).decode(),
    )
    session.add(row)
    session.flush()
    for q in report.quarantined:
        session.add(IngestQuarantineRow(run_id=report.run_id, path=q.path, pointer=q.pointer, reason=q.reason))
    record(session, IngestEvent.RUN_COMPLETED, actor=actor, subject_type="ingest_run", subject_id=report.run_id,
           outcome=Outcome.SUCCESS,
           details={"source_id": report.source_id, "kind": report.kind, "status": str(report.status),
                    "files": report.files_total, "ingested": report.files_ingested,
                    "skipped": report.files_skipped, "quarantined": len(report.quarantined),
                    "rows": dict(sorted(report.rows.items()))})
    return row


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
