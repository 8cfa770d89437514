"""Consent artefacts in the database: import (signature checked), status changes (history kept),
look-ups. Every change writes its audit event in the caller's transaction.

Eligibility of raw records lives in medkosh.consent.eligibility and enforcement in
medkosh.consent.enforce; `eligibility` is re-exported here because the catalog calls it as a service.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.audit import Actor, record
from medkosh.consent import transitions
from medkosh.consent.artefact import parse_artefact
from medkosh.consent.eligibility import EligibilitySnapshot, FilterResult, eligibility, filter_rows
from medkosh.consent.jws import canonical_json
from medkosh.consent.signatures import TrustedKey, verify_by
from medkosh.consent.subjects import INDEX_KEY, patient_hash
from medkosh.consent.types import Artefact, ChangeSource, ConsentEvent, ConsentStatus, TaskKind, TaskState
from medkosh.errors import ConflictError, InputError, MedkoshError, NotFoundError
from medkosh.keys import get_or_create_key
from medkosh.store.base import utcnow
from medkosh.store.tables.consent import ConsentArtefactRow, ConsentEnforcementTaskRow, ConsentStatusEventRow

__all__ = ["EligibilitySnapshot", "FilterResult", "change_status", "eligibility", "filter_rows", "get_row",
           "import_artefact", "import_many", "load_artefact", "show"]

# Status changes that end a granted consent and so oblige medkosh to act (DPDP Act 2023 s.6(6), s.8(7)).
ENDING = frozenset({ConsentStatus.REVOKED, ConsentStatus.EXPIRED})


@dataclass(frozen=True)
class ImportResult:
    consent_id: str
    action: str  # "imported", "unchanged", "stale" (an older copy) or "status_changed"
    status: ConsentStatus

    def as_dict(self) -> dict[str, Any]:
        return {"consent_id": self.consent_id, "action": self.action, "status": self.status.value}


def _actor_id(actor: Actor | str) -> str:
    return actor.id if isinstance(actor, Actor) else actor


def get_row(session: Session, consent_id: str) -> ConsentArtefactRow:
    row = session.get(ConsentArtefactRow, consent_id)
    if row is None:
        raise NotFoundError(f"no consent artefact {consent_id!r}", hint="import it with 'medkosh consent import'")
    return row


def load_artefact(row: ConsentArtefactRow) -> Artefact:
    """The parsed artefact behind a row (its verbatim document, as stored)."""
    return parse_artefact(orjson.loads(row.document), where=f"consent {row.consent_id}")


@dataclass
class ImportCache:
    """What the imports of one transaction can share: trusted keys per consent manager, the index key."""

    keys: dict[str, list[TrustedKey]] = field(default_factory=dict)
    index_key: bytes | None = None


def import_artefact(session: Session, document: bytes | dict[str, Any], *, where: str,
                    actor: Actor | str = "cli", source: ChangeSource = ChangeSource.IMPORT,
                    request_id: str | None = None, reported_at: dt.datetime | None = None,
                    cache: ImportCache | None = None) -> ImportResult:
    """Verify and store one artefact. Re-importing the same artefact is a no-op; the same consentId with
    a later status (e.g. the consent manager re-sends it REVOKED) records that status change; the same
    consentId with a different consentDetail is refused, since artefacts are immutable once signed."""
    if isinstance(document, bytes):
        document = document.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark is not JSON
        try:
            doc = orjson.loads(document)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc}", where=where, hint="give an ABDM consent artefact") from exc
        verbatim = document.decode("utf-8")
    else:
        doc, verbatim = document, canonical_json(document).decode("utf-8")
    art = parse_artefact(doc, where=where)
    key_fp = verify_by(session, art.consent_manager_id, art.signature, art.detail_json,
                       what=f"consent {art.consent_id}", where=where, cache=cache.keys if cache else None)
    detail_sha = hashlib.sha256(art.detail_json).hexdigest()
    row = session.get(ConsentArtefactRow, art.consent_id)
    if row is not None:
        if row.detail_sha256 != detail_sha:
            raise ConflictError(f"consent {art.consent_id} is already stored with a different consentDetail",
                                where=where, hint="a signed artefact never changes; a new consent has a new id")
        stored = ConsentStatus(row.status)
        if stored is art.status:
            return ImportResult(art.consent_id, "unchanged", art.status)
        if transitions.STAGE[art.status] < transitions.STAGE[stored]:
            # An older copy (e.g. the GRANTED file, re-imported after the consent was revoked): the
            # stored history already goes further; nothing to record, nothing to refuse.
            return ImportResult(art.consent_id, "stale", stored)
        change_status(session, art.consent_id, art.status, source=source, actor=actor, request_id=request_id,
                      reported_at=reported_at, note="status in a re-sent artefact")
        return ImportResult(art.consent_id, "status_changed", art.status)
    now = utcnow()
    row = ConsentArtefactRow(
        consent_id=art.consent_id, consent_manager_id=art.consent_manager_id,
        patient_hash=patient_hash(art.patient_id, cache.index_key if cache else None), purpose=art.purpose.value,
        hi_types=orjson.dumps(sorted(h.value for h in art.hi_types)).decode(), access_mode=art.access_mode.value,
        hip_id=art.hip_id, hiu_id=art.hiu_id, date_from=art.date_from, date_to=art.date_to,
        data_erase_at=art.data_erase_at, created_at=art.created_at, status=art.status.value, document=verbatim,
        document_sha256=hashlib.sha256(verbatim.encode()).hexdigest(), detail_sha256=detail_sha,
        signature=art.signature, key_fingerprint=key_fp, imported_at=now, updated_at=now,
    )
    session.add(row)
    session.add(ConsentStatusEventRow(consent_id=art.consent_id, from_status=None, to_status=art.status.value,
                                      source=source.value, actor=_actor_id(actor), recorded_at=now,
                                      reported_at=reported_at, request_id=request_id, note=None))
    record(session, ConsentEvent.ARTEFACT_IMPORTED, actor=actor, subject_type="consent", subject_id=art.consent_id,
           details={"status": art.status.value, "purpose": art.purpose.value, "source": source.value,
                    "consent_manager": art.consent_manager_id, "hi_types": sorted(h.value for h in art.hi_types),
                    "key_fingerprint": key_fp})
    session.flush()
    return ImportResult(art.consent_id, "imported", art.status)


@dataclass(frozen=True)
class Rejection:
    where: str
    error: MedkoshError


def import_many(session: Session, items: Iterable[tuple[bytes, str]], *, actor: Actor | str = "cli",
                ) -> tuple[list[tuple[str, ImportResult]], list[Rejection]]:
    """Import (document, where) pairs in one transaction, each inside its own savepoint: a refused
    artefact rolls back alone and its refusal is audited, the others are kept. One commit for a batch
    instead of one per file is what makes importing thousands of artefacts fast."""
    results: list[tuple[str, ImportResult]] = []
    rejected: list[Rejection] = []
    cache = ImportCache(index_key=get_or_create_key(INDEX_KEY))
    for data, where in items:
        try:
            with session.begin_nested():
                results.append((where, import_artefact(session, data, where=where, actor=actor, cache=cache)))
        except MedkoshError as exc:
            rejected.append(Rejection(where, exc))
            record(session, ConsentEvent.ARTEFACT_REJECTED, actor=actor, subject_type="consent_file",
                   subject_id=where.rsplit("/", 1)[-1][:200], outcome="denied",
                   details={"error": type(exc).__name__, "line": exc.user_line()[:300]})
    return results, rejected


def change_status(session: Session, consent_id: str, target: ConsentStatus, *, source: ChangeSource,
                  actor: Actor | str, request_id: str | None = None, reported_at: dt.datetime | None = None,
                  note: str | None = None) -> bool:
    """Append a status change (refused unless transitions.ALLOWED permits it). Returns False when the
    artefact already has that status (replays are harmless). Ending a granted consent plans the
    enforcement work in the same transaction, so the obligation to act is never lost."""
    row = get_row(session, consent_id)
    current = ConsentStatus(row.status)
    if current is target:
        return False
    transitions.check_can_change(consent_id, current, target, source)
    now = utcnow()
    row.status, row.updated_at = target.value, now
    session.add(ConsentStatusEventRow(consent_id=consent_id, from_status=current.value, to_status=target.value,
                                      source=source.value, actor=_actor_id(actor), recorded_at=now,
                                      reported_at=reported_at, request_id=request_id, note=note))
    record(session, ConsentEvent.STATUS_CHANGED, actor=actor, subject_type="consent", subject_id=consent_id,
           details={"from": current.value, "to": target.value, "source": source.value})
    if current is ConsentStatus.GRANTED and target in ENDING:
        reason = "revoked" if target is ConsentStatus.REVOKED else "expired"
        for kind in (TaskKind.WITHDRAW, TaskKind.ERASE):
            plan_task(session, kind, consent_id, reason=reason, actor=actor)
    session.flush()
    return True


def plan_task(session: Session, kind: TaskKind, consent_id: str, *, reason: str, actor: Actor | str) -> bool:
    """Record owed enforcement work once per (kind, consent); False if it was already planned."""
    exists = session.execute(select(ConsentEnforcementTaskRow.id).where(
        ConsentEnforcementTaskRow.kind == kind.value, ConsentEnforcementTaskRow.consent_id == consent_id)).first()
    if exists is not None:
        return False
    session.add(ConsentEnforcementTaskRow(kind=kind.value, consent_id=consent_id, state=TaskState.PENDING.value,
                                          reason=reason, planned_at=utcnow(), attempts=0))
    record(session, ConsentEvent.TASK_PLANNED, actor=actor, subject_type="consent", subject_id=consent_id,
           details={"kind": kind.value, "reason": reason})
    session.flush()
    return True


def expire_due(session: Session, as_of: dt.datetime, *, actor: Actor | str = "system") -> list[str]:
    """Mark EXPIRED every GRANTED artefact whose dataEraseAt has passed; returns their consent ids."""
    due = session.execute(select(ConsentArtefactRow.consent_id).where(
        ConsentArtefactRow.status == ConsentStatus.GRANTED.value, ConsentArtefactRow.data_erase_at <= as_of)
        .order_by(ConsentArtefactRow.consent_id)).scalars().all()
    for consent_id in due:
        change_status(session, consent_id, ConsentStatus.EXPIRED, source=ChangeSource.ENFORCEMENT, actor=actor,
                      note="dataEraseAt passed")
    return list(due)


def history(session: Session, consent_id: str) -> list[dict[str, Any]]:
    rows = session.execute(select(ConsentStatusEventRow).where(ConsentStatusEventRow.consent_id == consent_id)
                           .order_by(ConsentStatusEventRow.id)).scalars()
    return [{"from": r.from_status, "to": r.to_status, "source": r.source, "actor": r.actor,
             "recorded_at": r.recorded_at.isoformat(),
             "reported_at": r.reported_at.isoformat() if r.reported_at else None,
             "request_id": r.request_id, "note": r.note} for r in rows]


def tasks(session: Session, consent_id: str | None = None) -> list[dict[str, Any]]:
    stmt = select(ConsentEnforcementTaskRow).order_by(ConsentEnforcementTaskRow.id)
    if consent_id is not None:
        stmt = stmt.where(ConsentEnforcementTaskRow.consent_id == consent_id)
    return [{"id": t.id, "kind": t.kind, "consent_id": t.consent_id, "state": t.state, "reason": t.reason,
             "planned_at": t.planned_at.isoformat(), "done_at": t.done_at.isoformat() if t.done_at else None,
             "attempts": t.attempts, "last_error": t.last_error,
             "result": orjson.loads(t.result) if t.result else None}
            for t in session.execute(stmt).scalars()]


def summary(row: ConsentArtefactRow) -> dict[str, Any]:
    """The indexed fields of an artefact. The patient appears only as patient_hash: `show` output is
    copied into tickets and chats, and the ABHA address must not travel with it."""
    return {
        "consent_id": row.consent_id, "status": row.status, "purpose": row.purpose,
        "hi_types": orjson.loads(row.hi_types), "access_mode": row.access_mode, "hip": row.hip_id,
        "hiu": row.hiu_id, "consent_manager": row.consent_manager_id, "patient_hash": row.patient_hash,
        "date_range": {"from": row.date_from.isoformat(), "to": row.date_to.isoformat()},
        "data_erase_at": row.data_erase_at.isoformat(), "created_at": row.created_at.isoformat(),
        "imported_at": row.imported_at.isoformat(), "signed_by_key": row.key_fingerprint,
        "document_sha256": row.document_sha256,
    }


def show(session: Session, consent_id: str) -> dict[str, Any]:
    row = get_row(session, consent_id)
    out = summary(row)
    out["care_contexts"] = len(orjson.loads(row.document).get("consentDetail", {}).get("careContexts") or [])
    out["history"] = history(session, consent_id)
    out["enforcement"] = tasks(session, consent_id)
    return out


def list_artefacts(session: Session, *, status: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    stmt = select(ConsentArtefactRow).order_by(ConsentArtefactRow.consent_id).limit(limit)
    if status is not None:
        try:
            stmt = stmt.where(ConsentArtefactRow.status == ConsentStatus(status.upper()).value)
        except ValueError as exc:
            raise InputError(f"unknown status {status!r}",
                             hint=f"use one of {', '.join(s.value for s in ConsentStatus)}") from exc
    return [summary(r) for r in session.execute(stmt).scalars()]


def reindex(session: Session, *, actor: Actor | str = "cli") -> int:
    """Recompute every artefact's patient_hash from its verbatim document with the current index key
    (after `consent-patient-index` was rotated). Returns how many rows changed."""
    changed = 0
    for row in session.execute(select(ConsentArtefactRow).order_by(ConsentArtefactRow.consent_id)).scalars():
        fresh = patient_hash(load_artefact(row).patient_id)
        if fresh != row.patient_hash:
            row.patient_hash = fresh
            changed += 1
    record(session, ConsentEvent.INDEX_REBUILT, actor=actor, subject_type="consent", subject_id=None,
           details={"changed": changed})
    return changed


def counts_by_status(session: Session) -> dict[str, int]:
    from sqlalchemy import func

    rows = session.execute(select(ConsentArtefactRow.status, func.count()).group_by(ConsentArtefactRow.status))
    return {status: int(n) for status, n in rows.all()}

