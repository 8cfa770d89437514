"""Consent benchmark: artefact import (signature check + index + audit), the eligibility snapshot, and
the vectorised row filter.

    .venv/bin/python benchmarks/bench_consent.py [--artefacts 20000] [--rows 2000000] [--repeat 3] [--json out.json]

- import: `medkosh.consent.service.import_many` in batches of 500 (as `medkosh consent import` does),
  Ed25519-signed artefacts, SQLite; artefacts per wall second and per CPU second of this process.
- snapshot: `eligibility()` over the imported artefacts for every patient (subjects given directly,
  so the raw zone's own read speed is not measured here).
- filter: `EligibilitySnapshot.filter` on a LazyFrame of `--rows` raw rows (patient_key, hi_type,
  record_date, value), collecting the eligible rows and the exclusion counts.

Every timing is the median of --repeat runs (import: one run per fresh database). No peer tool does
ABDM consent filtering, so there is no ratio; the CPU-second figures are what a busy machine distorts
least.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HI = ("OPConsultation", "Prescription", "DischargeSummary", "DiagnosticReport", "ImmunizationRecord",
      "HealthDocumentRecord", "WellnessRecord")


def _setup(home: Path) -> None:
    os.environ["MEDKOSH_HOME"] = str(home)
    from medkosh.config import get_settings, reset_settings

    reset_settings()
    from medkosh.store.migrate import upgrade

    upgrade(get_settings().effective_database_url)


def _artefacts(n: int, key: Any, cm_id: str, seed: int) -> list[bytes]:
    import orjson

    from medkosh.consent.jws import canonical_json, sign_detached

    r = random.Random(seed)
    out = []
    for i in range(n):
        purpose = r.choice(("DSRCH",) * 8 + ("CAREMGT", "PUBHLTH"))
        start = dt.date(2018, 1, 1) + dt.timedelta(days=r.randint(0, 1500))
        detail = {
            "schemaVersion": "v0.5", "consentId": f"bench-{i:08d}", "createdAt": "2024-01-01T00:00:00.000Z",
            "patient": {"id": f"person{i}@abdm"},
            "careContexts": [{"patientReference": f"UH{i}", "careContextReference": f"enc-{i}"}],
            "purpose": {"code": purpose, "text": purpose, "refUri": "www.abdm.gov.in"},
            "hip": {"id": "HOSP-A"}, "hiu": {"id": "medkosh"}, "consentManager": {"id": cm_id},
            "hiTypes": sorted(r.sample(HI, r.randint(2, 7))),
            "permission": {"accessMode": r.choice(("STORE", "STORE", "QUERY")),
                           "dateRange": {"from": f"{start.isoformat()}T00:00:00.000Z",
                                         "to": f"{(start + dt.timedelta(days=r.randint(200, 2000))).isoformat()}"
                                               "T23:59:59.000Z"},
                           "dataEraseAt": "2031-01-01T00:00:00.000Z",
                           "frequency": {"unit": "HOUR", "value": 1, "repeats": 0}},
        }
        status = r.choice(("GRANTED",) * 8 + ("REVOKED", "EXPIRED"))
        out.append(orjson.dumps({"consentDetail": detail, "status": status,
                                 "signature": sign_detached(canonical_json(detail), key)}))
    return out


def bench_import(docs: list[bytes], key_hex: str, cm_id: str) -> dict[str, float]:
    from medkosh.consent import service
    from medkosh.consent.signatures import add_trusted_key
    from medkosh.store.db import session_scope

    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp))
        with session_scope() as s:
            add_trusted_key(s, cm_id, key_hex, actor="bench")
        wall, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(docs), 500):
            with session_scope() as s:
                _done, refused = service.import_many(
                    s, ((d, f"doc{start + i}") for i, d in enumerate(docs[start:start + 500])), actor="bench")
                assert not refused
        return {"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--artefacts", type=int, default=20000)
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    import polars as pl

    from medkosh.consent.jws import ed25519_from_seed, public_key_hex

    key = ed25519_from_seed(bytes(range(32)))
    cm_id = "bench-cm"
    t = time.perf_counter()
    docs = _artefacts(args.artefacts, key, cm_id, args.seed)
    sign_s = time.perf_counter() - t
    imports = [bench_import(docs, public_key_hex(key), cm_id) for _ in range(args.repeat)]

    # The last import's database stays in use for the snapshot and filter timings.
    home = Path(tempfile.mkdtemp())
    _setup(home)
    from medkosh.consent import service
    from medkosh.consent.eligibility import eligibility
    from medkosh.consent.signatures import add_trusted_key
    from medkosh.consent.subjects import subjects_frame
    from medkosh.store.db import session_scope

    with session_scope() as s:
        add_trusted_key(s, cm_id, public_key_hex(key), actor="bench")
    for start in range(0, len(docs), 500):
        with session_scope() as s:
            service.import_many(s, ((d, "x") for d in docs[start:start + 500]), actor="bench")
    subjects = subjects_frame(pl.DataFrame({
        "patient_key": [f"PK{i:08d}" for i in range(args.artefacts)], "source_id": ["HOSP-A"] * args.artefacts,
        "abha_address": [f"person{i}@abdm" for i in range(args.artefacts)]}))
    window = (dt.date(2019, 1, 1), dt.date(2024, 12, 31))
    snaps = []
    for _ in range(args.repeat):
        w, c = time.perf_counter(), time.process_time()
        with session_scope() as s:
            snap = eligibility(s, "DSRCH", HI, window, subjects=subjects)
        snaps.append({"wall_s": time.perf_counter() - w, "cpu_s": time.process_time() - c})

    r = random.Random(args.seed)
    n = args.rows
    base = dt.date(2017, 1, 1)
    rows = pl.DataFrame({
        "patient_key": [f"PK{r.randrange(args.artefacts):08d}" for _ in range(n)],
        "hi_type": [HI[r.randrange(7)] for _ in range(n)],
        "record_date": [base + dt.timedelta(days=r.randrange(3000)) for _ in range(n)],
        "value": list(range(n)),
    })
    filters = []
    for _ in range(args.repeat):
        w, c = time.perf_counter(), time.process_time()
        result = snap.filter(rows.lazy())
        kept = result.eligible.collect()
        filters.append({"wall_s": time.perf_counter() - w, "cpu_s": time.process_time() - c})

    def med(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    out = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
        "artefacts": args.artefacts, "rows": n, "repeat": args.repeat, "signing_s": round(sign_s, 2),
        "import": {"wall_s": round(med(imports, "wall_s"), 2), "cpu_s": round(med(imports, "cpu_s"), 2),
                   "per_wall_s": round(args.artefacts / med(imports, "wall_s")),
                   "per_cpu_s": round(args.artefacts / med(imports, "cpu_s"))},
        "snapshot": {"wall_s": round(med(snaps, "wall_s"), 3), "cpu_s": round(med(snaps, "cpu_s"), 3),
                     "patients": snap.reason_counts()},
        "filter": {"wall_s": round(med(filters, "wall_s"), 3), "cpu_s": round(med(filters, "cpu_s"), 3),
                   "rows_per_wall_s": round(n / med(filters, "wall_s")),
                   "eligible_rows": kept.height, "excluded": result.excluded},
    }
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
