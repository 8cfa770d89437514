"""Recompute the chain and check the signed checkpoints; report the first broken entry."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from medkosh.audit import chain, signing
from medkosh.audit.types import VerifyResult
from medkosh.store.tables.audit import AuditCheckpointRow, AuditHeadRow

_COLS = "seq, event_id, occurred_at, event_type, actor, institution, subject_type, subject_id, outcome, details, prev_hash, hash"


def _iso(value: Any) -> str:
    if isinstance(value, str):
        # SQLite returns the stored text; normalise to the isoformat used when hashing.
        from datetime import UTC, datetime

        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC).isoformat(timespec="microseconds")
    from datetime import UTC

    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).isoformat(timespec="microseconds"))


def iter_rows(session: Session, batch: int = 50_000) -> Iterator[tuple[Any, ...]]:
    result = session.connection().execution_options(stream_results=True, yield_per=batch).execute(
        text(f"SELECT {_COLS} FROM audit_event ORDER BY seq")
    )
    for row in result:
        yield tuple(row)


def iter_raw_rows(session: Session, batch: int = 20_000) -> Iterator[tuple[Any, ...]]:
    """Rows straight from the DBAPI cursor (server-side on PostgreSQL): verification of a million entries
    spends its time hashing, not building SQLAlchemy rows."""
    conn = session.connection()
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    pg = conn.dialect.name == "postgresql"
    cur = dbapi.cursor(name="medkosh_audit_verify") if pg else dbapi.cursor()
    try:
        cur.execute(f"SELECT {_COLS} FROM audit_event ORDER BY seq")
        while True:
            chunk = cur.fetchmany(batch)
            if not chunk:
                return
            yield from chunk
    finally:
        cur.close()


_SORT = orjson.OPT_SORT_KEYS


@dataclass
class Scan:
    """What one pass over consecutive entries found: how many, where it ended, the hashes at checkpoint
    positions, and the first failure (seq, event id, reason) if any."""

    count: int = 0
    first_seq: int | None = None
    first_event_id: str | None = None
    first_prev: str | None = None
    last_seq: int = 0
    last_hash: str = chain.GENESIS
    cp_hashes: dict[int, str] = field(default_factory=dict)
    failure: tuple[int | None, str | None, str] | None = None


def scan(rows: Iterator[tuple[Any, ...]], start: tuple[int, str | None], cp_seqs: set[int]) -> Scan:
    """Check entries from seq start[0] on: consecutive numbers, each prev_hash linking to the entry before
    (start[1] for the first; None: take the first entry's prev_hash as given, for a range checked by
    another worker), and each stored hash equal to the recomputed one."""
    out = Scan(last_seq=start[0] - 1)
    prev_hash = start[1]
    expected_seq = start[0]
    sha256, dumps, fragment = hashlib.sha256, orjson.dumps, orjson.Fragment
    for seq, event_id, occurred, etype, actor, inst, stype, sid, outcome, details, prev, digest in rows:
        if out.count == 0:
            out.first_seq, out.first_event_id, out.first_prev = seq, event_id, prev
            if prev_hash is None:
                prev_hash = prev
        out.count += 1
        if seq != expected_seq:
            out.failure = (seq, event_id, f"sequence gap: expected entry {expected_seq}, found {seq} "
                                          "(an entry was deleted or reordered)")
            return out
        if prev != prev_hash:
            out.failure = (seq, event_id, "prev_hash does not match the previous entry's hash")
            return out
        # Inlined fast path (this loop runs a million times): the stored canonical details are embedded
        # verbatim; SQLite's stored time text is turned into the hashed isoformat by slicing.
        if type(occurred) is str and len(occurred) == 26 and occurred[10] == " ":
            occurred_iso = f"{occurred[:10]}T{occurred[11:]}+00:00"
        else:
            occurred_iso = _iso(occurred)
        try:
            recomputed = sha256(b"%s\n%s" % (prev.encode(), dumps(
                {"seq": seq, "event_id": event_id, "occurred_at": occurred_iso, "event_type": etype, "actor": actor,
                 "institution": inst, "subject_type": stype, "subject_id": sid, "outcome": outcome,
                 "details": fragment(details)}, option=_SORT))).hexdigest()
        except (orjson.JSONEncodeError, TypeError, ValueError):
            recomputed = ""
        if recomputed != digest:
            # The fast path embeds the stored details text as is; the chain's definition re-serialises the
            # parsed JSON, so confirm a mismatch (or non-canonical text) with the reference computation.
            try:
                recomputed = chain.entry_hash(prev, seq, event_id, occurred_iso, etype, actor, inst, stype,
                                              sid, outcome, details)
            except (orjson.JSONDecodeError, ValueError):
                out.failure = (seq, event_id, "details are not valid JSON")
                return out
            if recomputed != digest:
                out.failure = (seq, event_id, "content changed: recomputed hash differs from the stored hash")
                return out
        if seq in cp_seqs:
            out.cp_hashes[seq] = digest
        prev_hash = digest
        out.last_seq, out.last_hash = seq, digest
        expected_seq += 1
    return out


def verify_rows(rows: Iterator[tuple[Any, ...]], checkpoints: dict[int, tuple[str, str, str]],
                trusted_keys: set[str] | None, head: tuple[int, str] | None) -> VerifyResult:
    """Pure verification over (row tuples, checkpoints {seq: (hash, public_key, signature)})."""
    started = time.perf_counter()
    found = scan(rows, (1, chain.GENESIS), set(checkpoints))
    if found.failure is not None:
        seq, event_id, reason = found.failure
        return VerifyResult(False, found.count, len(checkpoints), seq, event_id, reason, time.perf_counter() - started)
    return _finish(started, found.count, found.last_seq, found.last_hash, found.cp_hashes, checkpoints, trusted_keys,
                   head)


def _finish(started: float, count: int, last_seq: int, prev_hash: str, hashes_at_cp: dict[int, str],
            checkpoints: dict[int, tuple[str, str, str]], trusted_keys: set[str] | None,
            head: tuple[int, str] | None) -> VerifyResult:
    """After the entries: signed checkpoints must be valid, trusted and match the log; the head must
    name the last entry (so deleting entries from the end is caught too)."""

    def fail(seq: int | None, event_id: str | None, reason: str) -> VerifyResult:
        return VerifyResult(False, count, len(checkpoints), seq, event_id, reason, time.perf_counter() - started)

    for cp_seq in sorted(checkpoints):
        cp_hash, pub, sig = checkpoints[cp_seq]
        if trusted_keys is not None and pub not in trusted_keys:
            return fail(cp_seq, None, f"checkpoint {cp_seq} is signed by an untrusted key")
        if not signing.verify_signature(pub, cp_seq, cp_hash, sig):
            return fail(cp_seq, None, f"checkpoint {cp_seq} has a bad signature")
        if cp_seq > last_seq:
            return fail(cp_seq, None, f"checkpoint {cp_seq} is beyond the last entry {last_seq} "
                                      "(entries were deleted from the end)")
        if hashes_at_cp.get(cp_seq) != cp_hash:
            return fail(cp_seq, None, f"entry {cp_seq} does not match its signed checkpoint")
    if head is not None and (head[0] != last_seq or (last_seq and head[1] != prev_hash)):
        return fail(last_seq + 1 if head[0] > last_seq else head[0], None,
                    f"chain head says {head[0]} entries but the log holds {last_seq} "
                    "(entries were deleted from the end)")
    return VerifyResult(True, count, len(checkpoints), seconds=time.perf_counter() - started)


def verify_database(session: Session, trusted_keys: set[str] | None = None, *, workers: int | None = None,
                    parallel_min: int | None = None) -> VerifyResult:
    """Verify the stored chain; logs of PARALLEL_MIN entries or more are checked on several cores."""
    from medkosh.audit import parallel

    if trusted_keys is None:
        trusted_keys = signing.trusted_public_keys()
    cps = {cp.seq: (cp.hash, cp.public_key, cp.signature)
           for cp in session.execute(select(AuditCheckpointRow)).scalars()}
    head_row = session.get(AuditHeadRow, 1)
    head = (head_row.seq, head_row.hash) if head_row else None
    workers = parallel.default_workers() if workers is None else workers
    threshold = parallel.PARALLEL_MIN if parallel_min is None else parallel_min
    in_memory = session.get_bind().engine.url.database in (None, "", ":memory:")
    if workers > 1 and not in_memory and (head[0] if head else 0) >= threshold:
        return parallel.verify_parallel(session, cps, trusted_keys, head, workers)
    return verify_rows(iter_raw_rows(session), cps, trusted_keys, head)


def export(session: Session, out_dir: Path) -> dict[str, Any]:
    """Write events.jsonl, checkpoints.json, public_key.txt and VERIFY.md for an outside auditor."""
    from medkosh.audit.exporter import write_export

    return write_export(session, out_dir)
