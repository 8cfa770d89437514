"""Appending to the audit log, inside the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.audit import chain, signing
from medkosh.audit.types import EVENT_TYPE, Outcome
from medkosh.config import get_settings
from medkosh.errors import InputError
from medkosh.store.base import utcnow
from medkosh.store.tables.audit import AuditCheckpointRow, AuditEventRow, AuditHeadRow


@dataclass(frozen=True)
class Actor:
    """Who acted: a user id (or 'system' / 'cli:<os user>'), their institution and role."""

    id: str
    institution: str | None = None
    role: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(id="system")


def _lock_head(session: Session) -> AuditHeadRow:
    stmt = select(AuditHeadRow).where(AuditHeadRow.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    head = session.execute(stmt).scalar_one_or_none()
    if head is None:
        head = AuditHeadRow(id=1, seq=0, hash=chain.GENESIS)
        session.add(head)
        session.flush()
        if session.get_bind().dialect.name == "postgresql":
            head = session.execute(stmt).scalar_one()
    return head


def record(session: Session, event_type: str, *, actor: Actor | str | None = None,
           subject_type: str | None = None, subject_id: str | None = None,
           outcome: Outcome | str = Outcome.SUCCESS, details: dict[str, Any] | None = None) -> AuditEventRow:
    """Append one event to the chain in the session's transaction (so it commits with the change).

    Never put a patient identifier in `details`: use pseudonyms, counts and ids of medkosh objects.
    """
    if not EVENT_TYPE.match(event_type):
        raise InputError(f"invalid audit event type {event_type!r}", hint="use '<domain>.<thing>.<verb>'")
    if isinstance(actor, str):
        actor = Actor(id=actor)
    head = _lock_head(session)
    seq = head.seq + 1
    occurred = utcnow().isoformat(timespec="microseconds")
    details_json = chain.canonical_details(details or {})
    event_id = f"evt_{uuid.uuid4().hex}"
    outcome_s = str(Outcome(outcome))
    digest = chain.entry_hash(head.hash, seq, event_id, occurred, event_type,
                              actor.id if actor else None, actor.institution if actor else None,
                              subject_type, subject_id, outcome_s, details_json)
    from datetime import datetime

    row = AuditEventRow(
        seq=seq, event_id=event_id, occurred_at=datetime.fromisoformat(occurred), event_type=event_type,
        actor=actor.id if actor else None, institution=actor.institution if actor else None,
        subject_type=subject_type, subject_id=subject_id, outcome=outcome_s, details=details_json,
        prev_hash=head.hash, hash=digest,
    )
    session.add(row)
    head.seq = seq
    head.hash = digest
    every = get_settings().audit_checkpoint_every
    if seq % every == 0:
        session.add(signing.make_checkpoint(seq, digest))
    session.flush()
    return row


def checkpoint_now(session: Session) -> AuditCheckpointRow | None:
    """Sign the current head (e.g. at the end of the demo or before an export)."""
    head = _lock_head(session)
    if head.seq == 0 or session.get(AuditCheckpointRow, head.seq) is not None:
        return None
    cp = signing.make_checkpoint(head.seq, head.hash)
    session.add(cp)
    session.flush()
    return cp
