"""Scale benchmark for `medkosh anonymise table`: synthetic admissions tables of 100 thousand to
10 million rows with 6 quasi-identifiers (age, sex, PIN code, district, admission date, blood
group), anonymised to k=10 with 1% suppression; and the QI-count curve (6, 12, 20 QIs), where
lattices too big for the optimal search get the heuristic search (labelled as such).

Each run is a fresh `medkosh anonymise table` process; its wall time and peak memory (max RSS of
the child) are measured here.

    .venv/bin/python benchmarks/bench_anonymise_scale.py --rows 100000,1000000,3000000,10000000
    .venv/bin/python benchmarks/bench_anonymise_scale.py --qi-curve
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

OUT = Path(__file__).resolve().parent / "out" / "anonymise-scale"
ROOT = Path(__file__).resolve().parents[1]
MEDKOSH = [str(ROOT / ".venv" / "bin" / "medkosh")] if (ROOT / ".venv" / "bin" / "medkosh").exists() else ["medkosh"]

BLOOD = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]


def synth(rows: int, extra_qis: int = 0, seed: int = 42) -> Path:
    """Admissions with realistic skew: ages from a population pyramid, 400 PIN codes in 40 districts
    (PIN → district, so the two are correlated as in real data), dates over two years."""
    path = OUT / f"admissions_{rows}_{extra_qis}.parquet"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    age = np.clip(rng.gamma(2.2, 16.0, rows), 0, 104).astype(np.int64)
    pins = np.array([f"{rng.integers(11, 86):02d}{rng.integers(0, 10)}{rng.integers(0, 1000):03d}" for _ in range(400)])
    pin_idx = np.minimum(rng.zipf(1.3, rows) - 1, 399)
    district = np.array([f"District-{i // 10:02d}" for i in range(400)])
    days = rng.integers(0, 730, rows)
    cols: dict[str, object] = {
        "age": age.astype(str), "sex": rng.choice(["M", "F"], rows, p=[0.52, 0.48]),
        "pin": pins[pin_idx], "district": district[pin_idx],
        "admission_date": (np.datetime64("2023-01-01") + days).astype(str),
        "blood_group": rng.choice(BLOOD, rows, p=[0.21, 0.02, 0.32, 0.02, 0.08, 0.01, 0.32, 0.02]),
        "diagnosis": rng.choice([f"D{i:02d}" for i in range(30)], rows),
    }
    for j in range(extra_qis):
        cols[f"x{j}"] = rng.integers(0, 2 + j % 4, rows).astype(str)
    pl.DataFrame(cols).write_parquet(path)
    return path


def recipe(extra_qis: int, strategy: str = "auto") -> Path:
    path = OUT / f"recipe_{extra_qis}_{strategy}.yaml"
    lines = [
        "columns:",
        "  age: {role: quasi, hierarchy: {rule: intervals, widths: [5, 10, 20]}}",
        "  sex: quasi",
        "  pin: {role: quasi, hierarchy: {rule: digits, keep: [5, 4, 3, 2]}}",
        "  district: quasi",
        "  admission_date: {role: quasi, hierarchy: {rule: dates}}",
        "  blood_group: quasi",
        "  diagnosis: sensitive",
    ]
    lines += [f"  x{j}: quasi" for j in range(extra_qis)]
    lines += ["privacy: {k: 10, max_suppression: 0.01}", "shuffle_rows: false",
              f"search: {{strategy: {strategy}}}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def run(table: Path, rec: Path) -> dict[str, float]:
    out = OUT / "out.parquet"
    report = OUT / "report.json"
    started = time.perf_counter()
    proc = subprocess.Popen([*MEDKOSH, "anonymise", "table", str(table), "--recipe", str(rec), "--output", str(out),
                             "--report", str(report)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    errors = proc.stderr.read()
    # wait4: this child's own CPU time and peak memory (RUSAGE_CHILDREN would give the maximum
    # over every child so far)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode:
        sys.exit(f"medkosh failed: {errors.strip()}")
    rep = json.loads(report.read_text())
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024, "rows_in": rep["rows_in"], "suppressed": rep["suppressed_rows"],
            "nodes_total": rep["nodes_total"], "nodes_evaluated": rep["nodes_evaluated"], "search": rep["search"],
            "loss": rep["information_loss"]["loss"], "k": rep["k"], "search_s": rep["search_seconds"],
            "search_cpu_s": rep["search_cpu_seconds"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="100000,1000000,3000000,10000000")
    parser.add_argument("--qi-curve", action="store_true")
    parser.add_argument("--qi-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"# load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    if args.qi_curve:
        # 6 QIs: 1,200 nodes (optimal); 12 QIs: 76,800 nodes (optimal, and the heuristic for
        # comparison); 20 QIs: 19.7 million nodes (too many: the heuristic only).
        plans = {0: ("auto",), 6: ("auto", "heuristic"), 14: ("auto",)}
        for extra, strategies in plans.items():
            for strategy in strategies:
                res = run(synth(args.qi_rows, extra), recipe(extra, strategy))
                print(json.dumps({"qis": 6 + extra, "rows": args.qi_rows, **res}), flush=True)
        return
    for rows in (int(r) for r in args.rows.split(",")):
        res = run(synth(rows), recipe(0))
        print(json.dumps({"qis": 6, "rows": rows, **res}), flush=True)


if __name__ == "__main__":
    main()
