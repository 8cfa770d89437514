"""Validation engine speed: 100,000 predictions, 2,000 bootstrap resamples, 6 subgroup breakdowns
(sex 2, age band 4, state 30, urban/rural 2, hospital 8, income 5 levels), every metric with its CI.

    .venv/bin/python benchmarks/bench_validation.py [--n 100000] [--resamples 2000] [--runs 3]

Prints one JSON line per run and the median (wall seconds and CPU seconds of this process)."""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from medkosh.validation.evaluate import evaluate
from medkosh.validation.types import Protocol


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cells", type=int, default=100, help="score-quantile cells per population")
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    n = a.n
    y = (rng.random(n) < 0.2).astype(int)
    s = 1 / (1 + np.exp(-(rng.normal(0, 1, n) + 1.5 * y - 1.5)))
    groups = {"sex": rng.choice(["female", "male"], n), "age_band": rng.choice(["<40", "40-59", "60-74", "75+"], n),
              "state": rng.choice([f"S{i:02d}" for i in range(30)], n), "urban_rural": rng.choice(["urban", "rural"], n),
              "hospital": rng.choice([f"H{i}" for i in range(8)], n), "income": rng.choice(list("ABCDE"), n)}
    proto = Protocol.model_validate({"id": "bench", "version": 1, "task": "diabetes-complication-1y", "outcome": "o",
                                     "threshold": {"sensitivity": 0.8}, "subgroups": list(groups),
                                     "bootstrap": {"resamples": a.resamples, "seed": 1, "cells": a.cells},
                                     "pass_criteria": [{"metric": "auroc", "bound": "ci_low", "min": 0.6}]})
    walls, cpus = [], []
    for _ in range(a.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        rep = evaluate(s, y, groups, proto)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        print(json.dumps({"wall_s": round(walls[-1], 2), "cpu_s": round(cpus[-1], 2),
                          "auroc": rep["metrics"]["auroc"]}), flush=True)
    print(json.dumps({"n": n, "resamples": a.resamples, "breakdowns": len(groups), "cells": a.cells,
                      "median_wall_s": round(statistics.median(walls), 2),
                      "median_cpu_s": round(statistics.median(cpus), 2)}))


if __name__ == "__main__":
    main()
