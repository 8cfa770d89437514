"""Runs anjana (Python, greedy) on ARX's Adult benchmark; executed by bench_anonymise.py with the
interpreter of a separate virtualenv holding anjana (its pins clash with medkosh's numpy/scipy):

    python -m venv benchmarks/out/anjana-venv && benchmarks/out/anjana-venv/bin/pip install 'anjana>=1.2'

Usage: bench_anonymise_anjana.py ARX_DIR K L SUPPRESSION_PERCENT OUT.csv  → prints seconds as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd
from anjana.anonymity import k_anonymity, l_diversity

QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "salary-class"]


def main() -> None:
    arx, k, l_div, supp, out = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    data = pd.read_csv(arx / "adult.csv", sep=";", dtype=str)
    hierarchies = {q: dict(pd.read_csv(arx / f"adult_hierarchy_{q}.csv", sep=";", header=None, dtype=str))
                   for q in QIS}
    started = time.perf_counter()
    if l_div > 1:
        result = l_diversity(data, [], QIS, "occupation", k, l_div, supp, hierarchies)
    else:
        result = k_anonymity(data, [], QIS, k, supp, hierarchies)
    seconds = time.perf_counter() - started
    result.to_csv(out, sep=";", index=False)
    print(json.dumps({"seconds": seconds, "rows_out": len(result)}))


if __name__ == "__main__":
    main()
