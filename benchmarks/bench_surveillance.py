"""Surveillance benchmarks (issue 10): grouped counts on 10 million encounters, and a full
surveillance run over every district for three years of weekly data.

    .venv/bin/python benchmarks/bench_surveillance.py [--rows 10000000] [--districts 200] [--repeat 7]

Prints one JSON document; figures go to docs/benchmarks.md ("Surveillance and aggregates").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    """CPU seconds of this process, all threads: unlike wall time, barely moved by other tenants."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _median(fn, repeat: int) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    times, cpus = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), _cpu()
        fn()
        times.append(time.perf_counter() - t)
        cpus.append(_cpu() - c)
    _median.cpu = round(statistics.median(cpus), 3)  # type: ignore[attr-defined]
    return statistics.median(times), [round(x, 3) for x in times]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--districts", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--data", type=Path, default=None, help="reuse an encounter table written earlier")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="medkosh-bench-surv-"))
    os.environ["MEDKOSH_HOME"] = str(work / "home")
    from medkosh.audit.service import Actor
    from medkosh.cli._common import ensure_store
    from medkosh.store.db import session_scope
    from medkosh.surveillance import runs
    from medkosh.surveillance.aberration import DetectorConfig, detect
    from medkosh.surveillance.engine import Engine, source_from_path
    from medkosh.surveillance.synthetic import Outbreak, generate
    from medkosh.surveillance.types import Dimension, QuerySpec

    out: dict[str, object] = {"rows_requested": args.rows, "districts": args.districts, "cpus": os.cpu_count(),
                              "load_avg_start": os.getloadavg()}
    data = args.data or work / "encounters.parquet"
    if args.data is None:
        t = time.perf_counter()
        manifest = generate(data, rows=args.rows, districts=args.districts, years=3,
                            outbreaks=[Outbreak("dengue", "Pune", "2025-W30", 4.0)])
        out["generate_s"] = round(time.perf_counter() - t, 2)
        out["rows"] = manifest["rows"]
    source = source_from_path(data)
    spec = QuerySpec(by=(Dimension.DISTRICT, Dimension.WEEK, Dimension.CONDITION))

    warm = Engine(materialise=True)
    t = time.perf_counter()
    warm.aggregate(source, spec)
    out["grouped_count_cold_load_s"] = round(time.perf_counter() - t, 2)
    med, all_ = _median(lambda: warm.aggregate(source, spec), args.repeat)
    out["grouped_count_warm_s"] = {"median": round(med, 3), "runs": all_, "cpu_s": _median.cpu}  # type: ignore[attr-defined]
    groups = len(warm.aggregate(source, spec).count)
    out["groups"] = groups

    parquet = Engine(materialise=False)
    parquet.aggregate(source, spec)
    med, all_ = _median(lambda: parquet.aggregate(source, spec), max(3, args.repeat // 2))
    out["grouped_count_parquet_direct_s"] = {"median": round(med, 3), "runs": all_, "cpu_s": _median.cpu}  # type: ignore[attr-defined]

    ensure_store()
    # Surveillance run end to end (weekly counts from DuckDB, EARS + Farrington, alerts stored).
    DetectorConfig().c3_threshold  # noqa: B018  (the one-off simulation is not part of a run)
    times, cpus = [], []
    summary: dict[str, object] = {}
    for _ in range(3):
        with session_scope() as s:
            t, c = time.perf_counter(), _cpu()
            summary = runs.run(s, str(data), Actor("bench"))
            times.append(time.perf_counter() - t)
            cpus.append(_cpu() - c)
    out["surveillance_run_s"] = {"median": round(statistics.median(times), 3), "runs": [round(x, 3) for x in times],
                                 "cpu_s": round(statistics.median(cpus), 3),
                                 "series": summary["series"], "weeks": summary["weeks"], "alerts": summary["alerts"]}
    counts = runs.weekly_series(warm.weekly_counts(source, ["dengue", "malaria", "tuberculosis", "add", "typhoid",
                                                            "chikungunya", "ili"]))
    med, all_ = _median(lambda: detect(counts.counts), 3)
    out["detectors_only_s"] = {"median": round(med, 3), "runs": all_, "cpu_s": _median.cpu}  # type: ignore[attr-defined]
    out["load_avg_end"] = os.getloadavg()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
