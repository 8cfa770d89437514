"""Audit log benchmark: append rate on SQLite and the time to verify a 1,000,000-entry chain.

    .venv/bin/python benchmarks/bench_audit.py [--events 1000000] [--appends 5000] [--json out.json]

Appends go through medkosh.audit.record exactly as services call it: (a) one event per transaction
(session_scope, commit each), (b) ten events per transaction, (c) one long transaction. Rates are
given per wall-clock second and per CPU second of this process (the CPU figure is what a shared,
busy machine does not distort).

The 1M-entry log is generated with the chain arithmetic (medkosh.audit.chain.entry_hash) and bulk
inserted, with a signed checkpoint every 1,000 entries, so the verify timing is not waiting for a
million appends; `medkosh audit verify` (verify_database) is then timed on it, in one process and
with one worker process per core (seq ranges checked independently, then joined).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path


def _setup(home: Path) -> str:
    os.environ["MEDKOSH_HOME"] = str(home)
    from medkosh.config import get_settings, reset_settings

    reset_settings()
    from medkosh.store.migrate import upgrade

    url = get_settings().effective_database_url
    upgrade(url)
    return url


def _rate(n: int, wall: float, cpu: float) -> dict[str, float]:
    return {"events": n, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "events_per_s_wall": round(n / wall), "events_per_s_cpu": round(n / cpu)}


def bench_append(n: int) -> dict[str, dict[str, float]]:
    from medkosh.audit import Actor, record
    from medkosh.store.db import session_scope

    actor = Actor("usr_bench", "inst_bench")
    out = {}
    for label, per_txn in (("one_event_per_transaction", 1), ("ten_events_per_transaction", 10),
                           ("one_transaction", n)):
        w, c = time.perf_counter(), time.process_time()
        done = 0
        while done < n:
            with session_scope() as s:
                for _ in range(min(per_txn, n - done)):
                    record(s, "access.download.served", actor=actor, subject_type="dataset_version",
                           subject_id=f"ds-{done % 17}@1", details={"path": "tables/patient.parquet", "bytes": done})
                    done += 1
        out[label] = _rate(n, time.perf_counter() - w, time.process_time() - c)
    return out


def build_log(url: str, n: int, checkpoint_every: int = 1000) -> float:
    """Write n chained entries (and signed checkpoints) straight into the tables; returns seconds."""
    from medkosh.audit import chain, signing
    from medkosh.store.db import get_engine

    started = time.perf_counter()
    key = signing.private_key()
    pub = signing.public_key_hex(key)
    from medkosh.keys import key_id

    kid = key_id(bytes.fromhex(pub))
    prev = chain.GENESIS
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    raw = get_engine(url).raw_connection()
    try:
        cur = raw.cursor()
        rows, cps = [], []
        for seq in range(1, n + 1):
            when = t0 + timedelta(microseconds=seq * 1000)
            details = chain.canonical_details({"path": "tables/patient.parquet", "bytes": seq, "ratio": 0.5})
            event_id = f"evt_{uuid.UUID(int=seq).hex}"
            actor = f"usr_{seq % 97:04d}"
            digest = chain.entry_hash(prev, seq, event_id, when.isoformat(timespec="microseconds"),
                                      "access.download.served", actor, "inst_bench", "dataset_version",
                                      f"ds-{seq % 17}@1", "success", details)
            rows.append((seq, event_id, when.strftime("%Y-%m-%d %H:%M:%S.%f"), "access.download.served", actor,
                         "inst_bench", "dataset_version", f"ds-{seq % 17}@1", "success", details, prev, digest))
            if seq % checkpoint_every == 0:
                sig = key.sign(chain.checkpoint_message(seq, digest)).hex()
                cps.append((seq, digest, datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"), kid, pub, sig))
            prev = digest
            if len(rows) == 50_000 or seq == n:
                cur.executemany("INSERT INTO audit_event (seq, event_id, occurred_at, event_type, actor, institution, "
                                "subject_type, subject_id, outcome, details, prev_hash, hash) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                rows = []
        cur.executemany("INSERT INTO audit_checkpoint (seq, hash, signed_at, key_id, public_key, signature) "
                        "VALUES (?, ?, ?, ?, ?, ?)", cps)
        cur.execute("DELETE FROM audit_head")
        cur.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", (n, prev))
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


def bench_verify(url: str, workers: int) -> dict[str, object]:
    """verify_database with one process, or with `workers` processes over seq ranges (CPU time of the
    workers counted through resource.getrusage of the children)."""
    import resource

    from medkosh.audit.verify import verify_database
    from medkosh.store.db import session_scope

    def children_cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime

    w, c, cc = time.perf_counter(), time.process_time(), children_cpu()
    with session_scope() as s:
        result = verify_database(s, workers=workers)
    wall = time.perf_counter() - w
    cpu = time.process_time() - c + children_cpu() - cc
    return {"ok": result.ok, "events": result.events, "checkpoints": result.checkpoints, "workers": workers,
            "wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000, help="entries in the log to verify")
    ap.add_argument("--appends", type=int, default=5000, help="events per append scenario")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args()
    out: dict[str, object] = {"python": sys.version.split()[0], "machine": platform.machine(),
                              "cpus": os.cpu_count(), "load_avg": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp) / "append")
        out["append_sqlite"] = bench_append(args.appends)
    with tempfile.TemporaryDirectory() as tmp:
        url = _setup(Path(tmp) / "verify")
        out["build_log_s"] = round(build_log(url, args.events), 1)
        out["verify_sqlite"] = bench_verify(url, 1)
        from medkosh.audit.parallel import default_workers

        if default_workers() > 1:
            out["verify_sqlite_parallel"] = bench_verify(url, default_workers())
    text = json.dumps(out, indent=1)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    verify = out["verify_sqlite"]
    assert isinstance(verify, dict)
    return 0 if verify["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
