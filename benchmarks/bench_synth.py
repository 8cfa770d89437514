"""Benchmark `medkosh synth`: wall-clock (median of --repeat runs) to generate N patients.

    .venv/bin/python benchmarks/bench_synth.py --patients 10000 --hospitals 3 --repeat 3

Each run writes a fresh dataset into a temporary folder (removed afterwards), exactly as the CLI does
(process pool, atomic rename). Reports median wall seconds, the parent+children CPU seconds, patients
per second, the machine's load average at the start (other work on a shared machine slows runs) and
the output size. Prints one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from medkosh.synth.generate import SynthOptions, generate


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _size(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patients", type=int, default=10000)
    ap.add_argument("--hospitals", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=None, help="worker processes (default: as the CLI)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tmp", type=Path, default=None, help="folder for the outputs (default: the system temp)")
    args = ap.parse_args()

    walls, cpus = [], []
    files = size = 0
    load = os.getloadavg()[0]
    for _ in range(args.repeat):
        base = Path(tempfile.mkdtemp(prefix="bench-synth-", dir=args.tmp))
        try:
            cpu0, t0 = _cpu(), time.perf_counter()
            generate(SynthOptions(args.patients, args.hospitals, args.seed, workers=args.workers), base / "out")
            walls.append(time.perf_counter() - t0)
            cpus.append(_cpu() - cpu0)
            files, size = _size(base / "out")
        finally:
            shutil.rmtree(base, ignore_errors=True)
    wall = statistics.median(walls)
    print(json.dumps({
        "benchmark": "synth", "patients": args.patients, "hospitals": args.hospitals, "seed": args.seed,
        "workers": args.workers, "repeat": args.repeat, "cpus": os.cpu_count(), "load_avg_1min_at_start": load,
        "wall_s_median": round(wall, 2), "wall_s_all": [round(w, 2) for w in walls],
        "cpu_s_median": round(statistics.median(cpus), 2), "patients_per_s": round(args.patients / wall),
        "files": files, "bytes": size,
    }, indent=2))


if __name__ == "__main__":
    main()
