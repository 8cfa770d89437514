"""Verifying a long chain on several cores.

Every entry can be checked on its own — its stored hash against the hash recomputed from its fields and
its stored prev_hash — so workers take consecutive seq ranges, each with its own database connection,
and the parent only joins the ranges: each range must start where the previous one ended (next seq,
prev_hash = the previous range's last hash). The verdict, including which entry is named as the first
broken one, is the same as the sequential pass's (tests/audit check both).
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from medkosh.audit import chain
from medkosh.audit.types import VerifyResult
from medkosh.audit.verify import _COLS, Scan, _finish, scan

PARALLEL_MIN = 200_000  # below this a single pass is faster than starting workers
_BATCH = 20_000


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _rows(url: str, lo: int, hi: int) -> Iterator[tuple[Any, ...]]:
    sql = f"SELECT {_COLS} FROM audit_event WHERE seq >= {int(lo)} AND seq <= {int(hi)} ORDER BY seq"
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1], timeout=30)
        try:
            cur = conn.execute(sql)
            while chunk := cur.fetchmany(_BATCH):
                yield from chunk
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as pg, pg.transaction(), \
            pg.cursor(name="medkosh_audit_range") as server_cursor:
        server_cursor.execute(sql)
        while rows := server_cursor.fetchmany(_BATCH):
            yield from rows


def _scan_range(args: tuple[str, int, int, frozenset[int]]) -> Scan:
    url, lo, hi, cp_seqs = args
    return scan(_rows(url, lo, hi), (lo, None), set(cp_seqs))


def verify_parallel(session: Session, checkpoints: dict[int, tuple[str, str, str]], trusted_keys: set[str] | None,
                    head: tuple[int, str] | None, workers: int) -> VerifyResult:
    started = time.perf_counter()
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    max_seq = int(session.execute(text("SELECT coalesce(max(seq), 0) FROM audit_event")).scalar_one())
    parts = workers * 4  # more ranges than workers evens out uneven progress
    step = max(1, -(-max_seq // parts))
    bounds = [(lo, min(lo + step - 1, max_seq)) for lo in range(1, max_seq + 1, step)]
    jobs = [(url, lo, hi, frozenset(s for s in checkpoints if lo <= s <= hi)) for lo, hi in bounds]
    # 'spawn': the parent may be a threaded web server, where fork is unsafe.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(_scan_range, jobs))
    count, prev_hash, expected = 0, chain.GENESIS, 1
    cp_hashes: dict[int, str] = {}

    def fail(seq: int | None, event_id: str | None, reason: str) -> VerifyResult:
        return VerifyResult(False, count, len(checkpoints), seq, event_id, reason, time.perf_counter() - started)

    for r in results:
        if r.count == 0:
            continue  # a wholly deleted range: the next range's first entry shows the gap
        if r.first_seq != expected:
            return fail(r.first_seq, r.first_event_id, f"sequence gap: expected entry {expected}, found {r.first_seq} "
                                                        "(an entry was deleted or reordered)")
        if r.first_prev != prev_hash:
            return fail(r.first_seq, r.first_event_id, "prev_hash does not match the previous entry's hash")
        count += r.count
        if r.failure is not None:
            return fail(*r.failure)
        cp_hashes.update(r.cp_hashes)
        prev_hash, expected = r.last_hash, r.last_seq + 1
    return _finish(started, count, expected - 1, prev_hash, cp_hashes, checkpoints, trusted_keys, head)
