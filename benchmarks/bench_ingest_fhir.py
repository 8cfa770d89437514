"""FHIR ingest benchmark: medkosh's fast path (orjson → tables → Parquet, the whole `ingest fhir`)
against parsing the same bundles into fhir.resources R4B models, side by side in one run.

Each measurement runs in its own child process, so peak memory (max RSS) is that method's alone;
the methods alternate, and the median of --repeat runs is reported.

    .venv/bin/python benchmarks/bench_ingest_fhir.py [--data ../shared/data/synthea-fhir-r4] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "synthea-fhir-r4"


def patient_bundles(folder: Path) -> list[Path]:
    """The 50 patient bundles (the two *Information* support bundles are not patients)."""
    return sorted(p for p in folder.glob("*.json") if "Information" not in p.name)


def child(method: str, folder: Path) -> dict[str, float]:
    """One method in a fresh process. One bundle is processed untimed first (module imports,
    pyarrow's one-off pandas import, pydantic validator build), so both figures are steady-state
    throughput; the import cost is reported separately as warmup_seconds."""
    files = patient_bundles(folder)
    warm_started = time.perf_counter()
    if method == "fast":
        from medkosh.ingest.fhir import ingest_fhir

        with tempfile.TemporaryDirectory() as tmp:
            ingest_fhir(files[:1], "WARM", out=Path(tmp) / "out", secret=b"b" * 32)
    else:
        from fhir.resources.R4B.bundle import Bundle

        Bundle.model_validate_json(files[0].read_bytes())
    warmup = time.perf_counter() - warm_started
    if method == "fast":
        from medkosh.ingest.fhir import ingest_fhir

        with tempfile.TemporaryDirectory() as tmp:
            started, cpu_started = time.perf_counter(), time.process_time()
            report = ingest_fhir(files, "BENCH", out=Path(tmp) / "out", secret=b"b" * 32)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        resources = sum(report.resources.values())
        assert not report.quarantined
    else:
        from fhir.resources.R4B.bundle import Bundle

        started, cpu_started = time.perf_counter(), time.process_time()
        resources = 0
        for path in files:
            bundle = Bundle.model_validate_json(path.read_bytes())
            resources += len(bundle.entry or [])
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu_seconds": cpu, "resources": resources, "peak_mb": peak_mb,
            "files": len(files), "warmup": warmup}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", choices=["fast", "model"])
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.data)))
        return 0
    runs: dict[str, list[dict[str, float]]] = {"fast": [], "model": []}
    for _ in range(args.repeat):
        for method in ("fast", "model"):  # alternate, so load on the machine hits both alike
            out = subprocess.run([sys.executable, __file__, "--child", method, "--data", str(args.data)],
                                 check=True, capture_output=True, text=True).stdout
            runs[method].append(json.loads(out.strip().splitlines()[-1]))
    summary = {}
    for method, rs in runs.items():
        secs = statistics.median(r["seconds"] for r in rs)
        summary[method] = {"files": rs[0]["files"], "resources": rs[0]["resources"], "median_seconds": round(secs, 3),
                           "resources_per_second": round(rs[0]["resources"] / secs),
                           "peak_mb": round(max(r["peak_mb"] for r in rs), 1),
                           "warmup_seconds": round(statistics.median(r["warmup"] for r in rs), 2),
                           "seconds_all_runs": [round(r["seconds"], 3) for r in rs],
                           "median_cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in rs), 3),
                           "cpu_seconds_all_runs": [round(r["cpu_seconds"], 3) for r in rs]}
    # The ratio of each adjacent (fast, model) pair, then the median: robust to load that changes
    # between pairs on a shared machine.
    ratios = [m["seconds"] / f["seconds"] for f, m in zip(runs["fast"], runs["model"], strict=True)]
    summary["speedup"] = round(statistics.median(ratios), 1)
    summary["speedup_all_pairs"] = [round(r, 1) for r in ratios]
    # CPU time is what each method itself consumed: on a shared machine it is far less noisy than wall
    # time (a short run can land in a burst of other people's work; disk waits do not count).
    cpu_ratios = [m["cpu_seconds"] / f["cpu_seconds"] for f, m in zip(runs["fast"], runs["model"], strict=True)]
    summary["cpu_speedup"] = round(statistics.median(cpu_ratios), 1)
    summary["cpu_speedup_all_pairs"] = [round(r, 1) for r in cpu_ratios]
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for method in ("fast", "model"):
            s = summary[method]
            print(f"{method:>5}: {s['files']} bundles, {s['resources']:,} resources, median {s['median_seconds']:.2f} s "
                  f"→ {s['resources_per_second']:,} resources/s, peak {s['peak_mb']:.0f} MB (runs {s['seconds_all_runs']})")
        print(f"fast path is {summary['speedup']}x faster than fhir.resources R4B model parsing "
              f"(median of per-pair ratios {summary['speedup_all_pairs']}); in CPU time "
              f"{summary['cpu_speedup']}x ({summary['cpu_speedup_all_pairs']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
