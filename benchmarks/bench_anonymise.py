"""Adult benchmark for the tabular anonymisation engine, against the figures of ARX 3.9 and side by
side with anjana (Python, greedy) in the same run.

Data: ARX's Adult (30,162 rows) and hierarchies, read in place from ../shared/data/arx-benchmark;
the 8 QIs of ARX's benchmark setup (all but occupation), occupation sensitive.

Measured per configuration (median of --repeat runs):
  * whole process: a fresh `medkosh anonymise table` (Python start-up, reading the CSV, search,
    writing Parquet and the report) — wall and CPU seconds;
  * in process: `anonymise()` called again in a warm interpreter — the search alone and the whole call;
  * optimality: the chosen node's metric against the minimum over all 4,320 nodes (brute force);
  * anjana: its k_anonymity / l_diversity call, and the information loss of its output measured
    with medkosh's loss metric (generalised certainty penalty, suppressed rows count 1).

    .venv/bin/python benchmarks/bench_anonymise.py --repeat 5
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
ARX = Path(os.environ.get("MEDKOSH_SHARED_DATA", ROOT.parent / "shared" / "data")) / "arx-benchmark"
OUT = ROOT / "benchmarks" / "out" / "anonymise-adult"
ANJANA_PY = ROOT / "benchmarks" / "out" / "anjana-venv" / "bin" / "python"
QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "salary-class"]
COLUMNS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation",
           "salary-class"]
CONFIGS = [  # name, k, l, suppression, metric, ARX warm ms (from the measurements)
    ("k=5, 0% suppression, entropy", 5, 1, 0.0, "entropy", 92),
    ("k=5, 0% suppression, loss", 5, 1, 0.0, "loss", 161),
    ("k=5, 5% suppression, loss", 5, 1, 0.05, "loss", 492),
    ("k=5 + distinct 3-diversity, 5% suppression, loss", 5, 3, 0.05, "loss", 1097),
]


def cli_run(k: int, l_div: int, supp: float, metric: str) -> tuple[float, float]:
    cmd = [str(ROOT / ".venv" / "bin" / "medkosh"), "anonymise", "table", str(ARX / "adult.csv"),
           "--qi", ",".join(QIS), "--sensitive", "occupation", "--hierarchies", str(ARX), "--k", str(k),
           "--l", str(l_div), "--max-suppression", str(supp), "--metric", metric,
           "--output", str(OUT / "out.parquet"), "--report", str(OUT / "report.json")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        sys.exit(f"medkosh failed: {proc.stderr.strip()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def recipe(k: int, l_div: int, supp: float, metric: str) -> dict:
    from medkosh.deid.tabular.recipe import shorthand_recipe

    files = {q: str(ARX / f"adult_hierarchy_{q}.csv") for q in QIS}
    return shorthand_recipe(COLUMNS, QIS, "occupation", files, k, l_div, None, supp, metric)


def brute_force_min(k: int, l_div: int, supp: float, metric: str) -> float:
    from medkosh.deid.tabular import encode
    from medkosh.deid.tabular.api import _problem
    from medkosh.deid.tabular.recipe import load_recipe

    rec = load_recipe(recipe(k, l_div, supp, metric))
    cols = QIS + (["occupation"] if l_div > 1 else [])
    problem = _problem(encode.cell_counts(pl.scan_csv(ARX / "adult.csv", separator=";", infer_schema=False), cols), rec)
    best = float("inf")
    for node in itertools.product(*[range(d) for d in problem.depths]):
        r = problem.evaluate(node, problem.base_cells())
        if r.feasible:
            best = min(best, problem.metrics(r)[metric])
    return best


def loss_of_release(table: pl.DataFrame, rows_in: int) -> float:
    """medkosh's loss metric of any full-domain release of Adult (each QI column at one level)."""
    from medkosh.deid.tabular.hierarchy import load_arx_csv

    total = 0.0
    for q in QIS:
        h = load_arx_csv(ARX / f"adult_hierarchy_{q}.csv", q)
        values = set(table[q].cast(pl.Utf8).unique().to_list())
        level = next(lv for lv in range(h.depth) if values <= set(h.labels[lv]))
        pen = dict(zip(h.labels[level], h.penalty(level).tolist(), strict=True))
        total += float(table[q].cast(pl.Utf8).replace_strict(pen, return_dtype=pl.Float64).sum())
    suppressed = rows_in - len(table)
    return (total + suppressed * len(QIS)) / (rows_in * len(QIS))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-anjana", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    from medkosh.deid.tabular import anonymise

    print(f"# load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    rows_in = 30162
    for name, k, l_div, supp, metric, arx_ms in CONFIGS:
        walls, cpus = zip(*(cli_run(k, l_div, supp, metric) for _ in range(args.repeat)), strict=True)
        rec = recipe(k, l_div, supp, metric)
        anonymise(ARX / "adult.csv", rec)  # warm-up
        searches, calls, search_cpu, call_cpu = [], [], [], []
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), time.process_time()
            result = anonymise(ARX / "adult.csv", rec)
            calls.append(time.perf_counter() - started)
            call_cpu.append(time.process_time() - cpu)
            searches.append(result.report["search_seconds"])
            search_cpu.append(result.report["search_cpu_seconds"])
        rep = result.report
        optimum = brute_force_min(k, l_div, supp, metric)
        row = {"config": name, "process_wall_s": statistics.median(walls), "process_cpu_s": statistics.median(cpus),
               "search_ms": 1000 * statistics.median(searches), "in_process_ms": 1000 * statistics.median(calls),
               "search_cpu_ms": 1000 * statistics.median(search_cpu), "in_process_cpu_ms": 1000 * statistics.median(call_cpu),
               "arx_warm_ms": arx_ms, "nodes_evaluated": rep["nodes_evaluated"], "nodes_total": rep["nodes_total"],
               "metric": metric, "value": rep["information_loss"][metric], "brute_force_min": optimum,
               "optimal": abs(rep["information_loss"][metric] - optimum) <= 1e-9 * max(1.0, abs(optimum)),
               "loss": rep["information_loss"]["loss"], "suppressed": rep["suppressed_rows"],
               "transformation": rep["transformation"]}
        if not args.no_anjana and metric == "loss" and ANJANA_PY.exists():
            out_csv = OUT / "anjana.csv"
            runs = []
            for _ in range(max(1, args.repeat // 2)):
                proc = subprocess.run([str(ANJANA_PY), str(ROOT / "benchmarks" / "bench_anonymise_anjana.py"), str(ARX),
                                       str(k), str(l_div), str(supp * 100), str(out_csv)],
                                      capture_output=True, text=True, check=True)
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1])["seconds"])
            released = pl.read_csv(out_csv, separator=";", infer_schema=False)
            row["anjana_s"] = statistics.median(runs)
            row["anjana_loss"] = loss_of_release(released, rows_in)
            row["anjana_min_class"] = int(released.group_by(QIS).len()["len"].min())
            row["speedup_vs_anjana_in_process"] = row["anjana_s"] / (row["in_process_ms"] / 1000)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
