"""The scale target of note de-identification: a directory of N notes (default one million) streamed
through `deidentify_jsonl` with a process pool on both cores, memory sampled throughout.

    python benchmarks/bench_textdeid_stream.py --notes 1000000 --dir /tmp/notes1m [--workers 2] [--json]

Step 1 (skipped when DIR already holds the notes): the notes are made by the project's generator
(`medkosh.synth`: population, patients, charts and `notes.notes_for`, the code behind `medkosh synth`;
FHIR, DICOM and consent files are not written) into DIR as JSONL shards of 10,000 notes.
Step 2: `deidentify_jsonl(DIR, OUT.jsonl, "tag", workers)`; the RSS of this process and of its
workers is sampled twice a second. Reported: notes, MB, wall seconds, CPU seconds of the workers,
MB per worker-CPU-second, and the largest RSS in each tenth of the run (flat = bounded memory).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson

SHARD = 10_000


def _shard(args: tuple[int, int, int, str]) -> int:
    """Notes of patients [a, b) of the population into one shard file; returns how many."""
    from medkosh.synth import notes
    from medkosh.synth.chart import build_chart
    from medkosh.synth.generate import _traits
    from medkosh.synth.identity import make_patient, new_uuid, rng_for, uhid_for
    from medkosh.synth.refdata import districts

    _seed, a, b, path = args
    pop = _POP["pop"]
    rosters = _POP["rosters"]
    all_districts = districts()
    count = 0
    tmp = path + ".tmp"
    with open(tmp, "wb") as fh:
        for i in range(a, b):
            r = rng_for(pop.seed, "patient", i)
            h = pop.hospitals[int(pop.hospital[i])]
            pid = new_uuid(r)
            uhid = uhid_for(h.uhid_style, h.index, i, r, pop.start.year)
            p = make_patient(r, i, pid, h.id, uhid, bool(pop.female[i]), int(pop.age[i]),
                             all_districts[int(pop.district[i])], pop.end, bool(pop.canary[i]))
            chart = build_chart(r, _traits(pop, i, p.birth_date), len(rosters[h.index]))
            for n in notes.notes_for(r, p, h, rosters[h.index], chart, lambda r=r: new_uuid(r)):
                fh.write(orjson.dumps({"id": n["id"], "patient_id": n["patient_id"], "text": n["text"]}) + b"\n")
                count += 1
    os.replace(tmp, path)
    return count


_POP: dict[str, Any] = {}


def generate(n_notes: int, out: Path, seed: int, workers: int) -> dict[str, Any]:
    """Patients are added in shards until N notes exist (about 1.2 notes per patient)."""
    from medkosh.synth import population
    from medkosh.synth.identity import roster

    started = time.perf_counter()
    patients = int(n_notes / 1.15) + 1000
    pop = population.build(seed, patients, 3, 3, None)
    _POP.update(pop=pop, rosters=[roster(seed, h.index, h.district) for h in pop.hospitals])
    out.mkdir(parents=True, exist_ok=True)
    per_shard = int(SHARD / 1.2)
    jobs = [(seed, a, min(a + per_shard, patients), str(out / f"notes-{k:05d}.jsonl"))
            for k, a in enumerate(range(0, patients, per_shard))]
    import multiprocessing as mp

    total = 0
    done_shards = 0
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
        for count in pool.map(_shard, jobs):
            total += count
            done_shards += 1
            if total >= n_notes:
                break
    # Shards past the N-th note are removed; the last kept shard is cut at N notes.
    kept = 0
    for k, job in enumerate(jobs):
        path = Path(job[3])
        if k >= done_shards or kept >= n_notes:
            path.unlink(missing_ok=True)
            continue
        lines = path.read_bytes().splitlines(keepends=True)
        if kept + len(lines) > n_notes:
            path.write_bytes(b"".join(lines[: n_notes - kept]))
            lines = lines[: n_notes - kept]
        kept += len(lines)
    return {"generated_notes": kept, "patients_drawn": patients, "generate_seconds": round(time.perf_counter() - started, 1)}


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            kids.extend(int(k) for k in fh.read().split())
    return kids


def stream(src: Path, out: Path, workers: int) -> dict[str, Any]:
    from medkosh.deid.text.stream import deidentify_jsonl

    me = os.getpid()
    samples: list[tuple[float, float, float]] = []  # (seconds, own RSS MB, own + workers RSS MB)
    done = threading.Event()
    t0 = time.perf_counter()

    def sample() -> None:
        while not done.wait(0.5):
            try:  # the pool's workers are children of this process (read from /proc: Linux)
                own = _rss_mb(me)
                kids = sum(_rss_mb(k) for k in _children(me))
            except OSError:
                continue  # a worker exited between the listing and the read
            samples.append((time.perf_counter() - t0, own, own + kids))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = deidentify_jsonl(src, out, "tag", workers)
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.set()
    sampler.join()
    worker_cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    tenths = []
    for k in range(10):
        part = [s[2] for s in samples if k / 10 <= s[0] / summary.seconds < (k + 1) / 10]
        tenths.append(round(max(part), 1) if part else None)
    mb = summary.bytes / 1e6
    return {"notes": summary.notes, "megabytes": round(mb, 1), "spans": summary.spans, "workers": workers,
            "wall_seconds": round(summary.seconds, 1), "mb_per_s_wall": round(mb / summary.seconds, 3),
            "worker_cpu_seconds": round(worker_cpu, 1), "mb_per_worker_cpu_s": round(mb / worker_cpu, 3),
            "parent_rss_mb_max": round(max((s[1] for s in samples), default=0), 1),
            "all_rss_mb_max_per_tenth": tenths, "output_bytes": out.stat().st_size}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notes", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, required=True, help="notes directory (generated when empty)")
    ap.add_argument("--out", type=Path, default=None, help="output JSONL (default DIR.out.jsonl; removed after)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--keep-output", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result: dict[str, Any] = {"load_before": os.getloadavg()[0]}
    if not args.dir.exists() or not any(args.dir.glob("*.jsonl")):
        result.update(generate(args.notes, args.dir, args.seed, args.workers))
    out = args.out or args.dir.with_name(args.dir.name + ".out.jsonl")
    result.update(stream(args.dir, out, args.workers))
    result["load_after"] = os.getloadavg()[0]
    if not args.keep_output:
        out.unlink(missing_ok=True)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
