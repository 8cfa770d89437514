"""Appending to the audit log, inside the caller's transaction.

Speed matters (every security-relevant event is appended, ≥ 2,000 events/s on SQLite): an append is
two driver-level statements (INSERT the entry, UPDATE the head row). The chain head (last seq and
hash) is read and locked once per transaction and cached in `session.info` for that transaction, so
the stored head and the stored entries always move together, and a rollback undoes both.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from medkosh.audit import chain, signing
from medkosh.audit.types import EVENT_TYPE, Outcome
from medkosh.config import get_settings
from medkosh.errors import InputError
from medkosh.store.tables.audit import AuditCheckpointRow

_HEAD = "medkosh.audit.head"  # session.info key: (transaction, [seq, hash])
_OUTCOMES = frozenset(str(o) for o in Outcome)
_INSERT = ("INSERT INTO audit_event (seq, event_id, occurred_at, event_type, actor, institution, subject_type, "
           "subject_id, outcome, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


@dataclass(frozen=True)
class Actor:
    """Who acted: a user id (or 'system' / 'cli:<os user>'), their institution and role."""

    id: str
    institution: str | None = None
    role: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(id="system")


@dataclass(frozen=True)
class AppendedEvent:
    """What record() wrote (the chain fields of the new entry)."""

    seq: int
    event_id: str
    occurred_at: dt.datetime
    event_type: str
    hash: str
    prev_hash: str


@dataclass
class _TxnHead:
    """Per-transaction state: the DBAPI connection, its paramstyle and dialect, and the chain head."""

    txn: Any
    dbapi: Any
    pg: bool
    seq: int
    hash: str

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        cur = self.dbapi.cursor()
        cur.execute(sql.replace("?", "%s") if self.pg else sql, params)
        return cur


def _head(session: Session) -> _TxnHead:
    """The chain head for this transaction, locked on first use (FOR UPDATE on PostgreSQL; SQLite
    transactions already hold the write lock from BEGIN IMMEDIATE). The cache is tied to the innermost
    transaction object, so after a commit, rollback or savepoint end the next append reads the stored
    head again.
    Statements go straight to the DBAPI connection of the session's transaction (same transaction,
    a fraction of the overhead)."""
    # The innermost transaction: a savepoint that rolls back also undoes its appends, so the cache must
    # not outlive it (the next append re-reads the stored head).
    txn = session.get_nested_transaction() or session.get_transaction()
    cached: _TxnHead | None = session.info.get(_HEAD)
    if cached is not None and txn is not None and cached.txn is txn:
        return cached
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    state = _TxnHead(session.get_nested_transaction() or session.get_transaction(), conn.connection.dbapi_connection,
                     pg, 0, chain.GENESIS)
    lock = " FOR UPDATE" if pg else ""
    row = state.execute(f"SELECT seq, hash FROM audit_head WHERE id = 1{lock}").fetchone()
    if row is None:
        # On PostgreSQL two first-ever appends may race to create the head: one insert wins, the other waits.
        state.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, ?)" + (" ON CONFLICT (id) DO NOTHING" if pg else ""),
                      (chain.GENESIS,))
        row = state.execute(f"SELECT seq, hash FROM audit_head WHERE id = 1{lock}").fetchone()
        assert row is not None
    state.seq, state.hash = int(row[0]), str(row[1])
    session.info[_HEAD] = state
    return state


def _stored_time(pg: bool, when: dt.datetime) -> Any:
    # SQLite keeps the text SQLAlchemy's DateTime would write (naive UTC); PostgreSQL takes the datetime.
    return when if pg else when.strftime("%Y-%m-%d %H:%M:%S.%f")


def record(session: Session, event_type: str, *, actor: Actor | str | None = None,
           subject_type: str | None = None, subject_id: str | None = None,
           outcome: Outcome | str = Outcome.SUCCESS, details: dict[str, Any] | None = None) -> AppendedEvent:
    """Append one event to the chain in the session's transaction (so it commits with the change).

    Never put a patient identifier in `details`: use pseudonyms, counts and ids of medkosh objects.
    """
    event_type = str(event_type)
    if not EVENT_TYPE.match(event_type):
        raise InputError(f"invalid audit event type {event_type!r}", hint="use '<domain>.<thing>.<verb>'")
    outcome_s = str(outcome)
    if outcome_s not in _OUTCOMES:
        outcome_s = str(Outcome(outcome))  # raises ValueError naming the bad outcome
    if isinstance(actor, str):
        actor = Actor(id=actor)
    actor_id = actor.id if actor else None
    institution = actor.institution if actor else None
    head = _head(session)
    seq = head.seq + 1
    when = dt.datetime.now(dt.UTC)
    occurred = when.isoformat(timespec="microseconds")
    details_json = chain.canonical_details(details or {})
    event_id = f"evt_{uuid.uuid4().hex}"
    prev = head.hash
    digest = chain.entry_hash(prev, seq, event_id, occurred, event_type, actor_id, institution,
                              subject_type, subject_id, outcome_s, details_json)
    head.execute(_INSERT, (seq, event_id, _stored_time(head.pg, when), event_type, actor_id, institution,
                           subject_type, subject_id, outcome_s, details_json, prev, digest))
    head.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq, digest))
    head.seq, head.hash = seq, digest
    if seq % get_settings().audit_checkpoint_every == 0:
        session.add(signing.make_checkpoint(seq, digest))
        session.flush()
    return AppendedEvent(seq, event_id, when, event_type, digest, prev)


def checkpoint_now(session: Session) -> AuditCheckpointRow | None:
    """Sign the current head (e.g. at the end of the demo or before an export)."""
    head = _head(session)
    if head.seq == 0 or session.get(AuditCheckpointRow, head.seq) is not None:
        return None
    cp = signing.make_checkpoint(head.seq, head.hash)
    session.add(cp)
    session.flush()
    return cp
