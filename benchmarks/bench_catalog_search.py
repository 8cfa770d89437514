"""Catalog search latency: 10,000 synthetic catalog entries, a `medkosh serve` process, and this process
sending search requests over 127.0.0.1 (keep-alive HTTP), one at a time.

    .venv/bin/python benchmarks/bench_catalog_search.py [--datasets 10000] [--requests 1000]
                                                         [--database-url postgresql+psycopg://…]

Prints p50/p95/p99/max in milliseconds (after a warm-up that lets the server build its index) and
the figures as JSON on the last line. Target (issue 6): p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("diabetes", "hypertension", "tuberculosis", "pneumonia", "maternal", "neonatal", "dengue", "malaria",
         "cardiac", "renal", "oncology", "stroke", "asthma", "anaemia", "sepsis", "covid", "cohort", "registry",
         "outpatient", "discharge", "radiology", "chest", "retinal", "ecg", "laboratory", "vaccination")
CODES = ("E11", "I10", "A15", "J18", "O80", "P07", "A90", "B54", "I21", "N18", "C50", "I63", "J45", "D50",
         "A41", "U07", "K35", "H36", "F32", "Z34")
STATES = ("MH", "KA", "DL", "TN", "UP", "WB", "GJ", "RJ", "KL", "BR", "MP", "TG", "AP", "OD", "PB", "AS")
INSTITUTIONS = tuple(f"{n} Institute of Medical Sciences" for n in
                     ("Pune", "Bengaluru", "Delhi", "Chennai", "Lucknow", "Kolkata", "Ahmedabad", "Jaipur",
                      "Kochi", "Patna", "Bhopal", "Hyderabad", "Vijayawada", "Bhubaneswar", "Chandigarh", "Guwahati"))
MODALITIES = ("tabular_ehr", "notes", "imaging")
TIERS = ("open", "registered", "controlled")


def populate(n: int, seed: int = 11) -> None:
    import orjson

    from medkosh.catalog.publish import index_dataset
    from medkosh.store.base import utcnow
    from medkosh.store.db import session_scope
    from medkosh.store.tables.catalog import CatalogDatasetRow

    rng = random.Random(seed)
    for start in range(0, n, 1000):
        with session_scope() as s:
            for i in range(start, min(n, start + 1000)):
                words = rng.sample(WORDS, 4)
                now = utcnow()
                row = CatalogDatasetRow(
                    id=f"bench-{i:05d}", name=f"{words[0].title()} {words[1]} dataset {i}",
                    description=f"Synthetic catalog entry about {' and '.join(words)} for benchmarking search.",
                    steward=f"Steward {i % 97}", institution=rng.choice(INSTITUTIONS),
                    modality=rng.choice(MODALITIES), tier=rng.choice(TIERS), licence="medkosh-DUA-1.0",
                    conditions=orjson.dumps(rng.sample(CODES, rng.randint(1, 3))).decode(),
                    states=orjson.dumps(rng.sample(STATES, rng.randint(1, 4))).decode(),
                    metadata_json=orjson.dumps({"keywords": words[2:]}).decode(), spec_object="0" * 64,
                    created_at=now, updated_at=now, latest_number=1,
                    size_bytes=int(10 ** rng.uniform(4, 11)), rows=rng.randint(100, 10**7),
                    search_seq=0, search_text="")
                s.add(row)
                s.flush()
                index_dataset(s, row)


def queries(rng: random.Random, count: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for _ in range(count):
        kind = rng.random()
        params: dict[str, object] = {}
        if kind < 0.7:
            params["q"] = " ".join(rng.sample(WORDS, rng.choice((1, 1, 2))))
        if kind > 0.4:
            facet = rng.choice(("modality", "tier", "state", "chapter", "institution"))
            value = {"modality": rng.choice(MODALITIES), "tier": rng.choice(TIERS), "state": rng.choice(STATES),
                     "chapter": rng.choice(("IV", "IX", "X", "I")), "institution": rng.choice(INSTITUTIONS)}[facet]
            params["facet"] = [f"{facet}={value}"]
        out.append(params)
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--home", default=None, help="reuse this MEDKOSH_HOME (populated by an earlier run)")
    ap.add_argument("--time-limit", type=float, default=300.0, help="stop sending after this many seconds")
    args = ap.parse_args()

    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="medkosh-bench-search-"))
    env = dict(os.environ, MEDKOSH_HOME=str(home))
    if args.database_url:
        env["MEDKOSH_DATABASE_URL"] = args.database_url
    os.environ.update(env)
    from medkosh.cli._common import ensure_store
    from medkosh.config import reset_settings

    reset_settings()
    ensure_store()
    from sqlalchemy import func, select

    from medkosh.store.db import session_scope
    from medkosh.store.tables.catalog import CatalogDatasetRow

    with session_scope() as s:
        present = s.execute(select(func.count()).select_from(CatalogDatasetRow)).scalar_one()
    t0 = time.perf_counter()
    if present < args.datasets:
        populate(args.datasets)
    load_s = time.perf_counter() - t0
    print(f"catalog of {args.datasets} datasets in {home} ({load_s:.0f} s to load)", file=sys.stderr)

    import httpx

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "medkosh.cli.main", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30.0) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start: " + (server.stderr.read().decode() if server.stderr else ""))
                time.sleep(0.2)
            rng = random.Random(5)
            t_first = time.perf_counter()
            first = client.get("/api/datasets/search", params={"q": "diabetes"})
            first_ms = 1000 * (time.perf_counter() - t_first)
            assert first.status_code == 200, first.text
            for params in queries(rng, args.warmup):
                client.get("/api/datasets/search", params=params)
            latencies, totals = [], []
            stop = time.monotonic() + args.time_limit
            for params in queries(rng, args.requests):
                if time.monotonic() > stop:
                    break
                t = time.perf_counter()
                r = client.get("/api/datasets/search", params=params)
                latencies.append(1000 * (time.perf_counter() - t))
                assert r.status_code == 200, r.text
                totals.append(r.json()["total"])
            # The framework floor on this machine at this moment: the health check (one trivial query).
            floor = []
            for _ in range(min(200, len(latencies))):
                t = time.perf_counter()
                client.get("/healthz")
                floor.append(1000 * (time.perf_counter() - t))
    finally:
        server.terminate()
        server.wait(timeout=30)
    qs = statistics.quantiles(latencies, n=100)
    result = {"datasets": args.datasets, "requests": len(latencies), "backend": "postgresql" if args.database_url else "sqlite",
              "load_seconds": round(load_s, 1), "first_request_ms": round(first_ms, 1),
              "p50_ms": round(statistics.median(latencies), 2), "p95_ms": round(qs[94], 2), "p99_ms": round(qs[98], 2),
              "max_ms": round(max(latencies), 2), "mean_hits": round(statistics.mean(totals), 1),
              "healthz_p50_ms": round(statistics.median(floor), 2),
              "healthz_p95_ms": round(statistics.quantiles(floor, n=100)[94], 2),
              "load_average_1m": round(os.getloadavg()[0], 1), "cpus": os.cpu_count()}
    print(f"{result['backend']}: {result['datasets']} datasets, {result['requests']} requests over loopback: "
          f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms "
          f"(first request, index build: {result['first_request_ms']} ms); /healthz floor p50 "
          f"{result['healthz_p50_ms']} ms, p95 {result['healthz_p95_ms']} ms; load average {result['load_average_1m']} "
          f"on {result['cpus']} CPUs")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
