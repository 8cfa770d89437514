"""`generate()`: the whole synthetic dataset, written into a temporary folder beside OUT and renamed
into place, so a reader never sees half a dataset.

Determinism: the population is drawn once from the seed; each patient then has an independent RNG
stream (seed, patient index), so output is byte-identical whatever the chunking or worker count.
Chunks of patients run in a fork-based process pool (the population is inherited, not pickled);
workers write their patients' FHIR, DICOM and consent files directly and return the rows for the
shared files (notes, HIS extracts, outcomes, canaries), which the parent writes in patient order.
"""

from __future__ import annotations

import contextlib
import csv
import io
import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from medkosh import __version__
from medkosh.errors import InputError
from medkosh.synth import consents, dicom, fhir, notes, population
from medkosh.synth.chart import Chart, Traits, build_chart
from medkosh.synth.clinical import CHRONIC_KEYS, COMPLICATIONS
from medkosh.synth.identity import (
    Doctor,
    Patient,
    aadhaar_forms,
    make_patient,
    new_uuid,
    phone_forms,
    rng_for,
    roster,
    uhid_for,
)
from medkosh.synth.outbreak import OutbreakSpec
from medkosh.synth.refdata import districts

GENERATOR = "medkosh-synth"
MAX_PATIENTS = 1_000_000
MAX_HOSPITALS = 200
CHUNK = 250
HIS_COLUMNS = ("uhid", "patient_name", "age", "sex", "phone", "pin", "district", "state", "admission_date",
               "discharge_date", "icd10", "diagnosis", "ward")


@dataclass(frozen=True)
class SynthOptions:
    patients: int
    hospitals: int
    seed: int
    years: int = 3
    outbreak: OutbreakSpec | None = None
    workers: int | None = None  # None: one per CPU (at most 4)

    def check(self) -> None:
        if not 1 <= self.patients <= MAX_PATIENTS:
            raise InputError(f"--patients must be between 1 and {MAX_PATIENTS:,}", where=f"--patients {self.patients}",
                             hint="give a positive number of patients, e.g. --patients 1000")
        if not 1 <= self.hospitals <= MAX_HOSPITALS:
            raise InputError(f"--hospitals must be between 1 and {MAX_HOSPITALS}", where=f"--hospitals {self.hospitals}",
                             hint="give a positive number of hospitals, e.g. --hospitals 3")
        if self.hospitals > self.patients:
            raise InputError("more hospitals than patients", where=f"--hospitals {self.hospitals}",
                             hint="use at most as many hospitals as patients")
        if not 1 <= self.years <= 20:
            raise InputError("--years must be between 1 and 20", where=f"--years {self.years}",
                             hint="give the years of history to generate, e.g. --years 3")
        if self.workers is not None and not 1 <= self.workers <= 64:
            raise InputError("--workers must be between 1 and 64", where=f"--workers {self.workers}",
                             hint="leave it out to use one per CPU")
        if not 0 <= self.seed < 2**63:
            raise InputError("--seed must be a non-negative integer below 2^63", where=f"--seed {self.seed}",
                             hint="e.g. --seed 7")


@dataclass
class ChunkResult:
    notes: list[bytes] = field(default_factory=list)
    his: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    outcomes: list[tuple[str, ...]] = field(default_factory=list)
    canaries: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


# The population and rosters of the running generation; set in the parent before the pool forks.
# One generation at a time per process (the lock), since forked workers read this module state.
_STATE: dict[str, Any] = {}
_STATE_LOCK = threading.Lock()


def check_out_dir(out: Path) -> None:
    """OUT may be missing, empty, or an earlier synth output (which is replaced); nothing else."""
    if out.exists() and not out.is_dir():
        raise InputError("--out is a file", where=str(out), hint="give a folder path")
    if out.is_dir() and any(out.iterdir()) and not is_synth_dir(out):
        raise InputError("--out is a non-empty folder that is not a medkosh synth output", where=str(out),
                         hint="choose a new or empty folder (an earlier synth output is replaced)")


def is_synth_dir(path: Path) -> bool:
    try:
        return orjson.loads((path / "manifest.json").read_bytes()).get("generator") == GENERATOR
    except (OSError, orjson.JSONDecodeError, AttributeError):
        return False


def _traits(pop: population.Population, i: int, birth: Any) -> Traits:
    return Traits(
        age=int(pop.age[i]), female=bool(pop.female[i]),
        chronic=tuple(k for k in CHRONIC_KEYS if pop.chronic[k][i]), dm_years=float(pop.dm_years[i]),
        hba1c=float(pop.hba1c[i]), hba1c_bias=pop.hospitals[int(pop.hospital[i])].hba1c_bias,
        cohort=bool(pop.cohort[i]), index_day=int(pop.index_day[i]), outcome=bool(pop.outcome[i]),
        outcome_kind=int(pop.outcome_kind[i]), episodes=tuple(sorted(pop.episodes.get(i, ()))),
        start=pop.start, end=pop.end, birth=birth, force_notes=bool(pop.canary[i]),
    )


def _his_rows(r: Any, p: Patient, chart: Chart) -> list[tuple[str, ...]]:
    """One row per OPD visit or admission, as a hospital information system exports them."""
    rows: list[tuple[str, ...]] = []
    name = p.person.devanagari if p.person.devanagari and r.random() < 0.6 else p.person.full
    for e in chart.encounters:
        if e.kind not in ("opd", "ipd") or not e.diagnoses:
            continue
        dx = e.diagnoses[0]
        ward = ("Medicine Ward" if p.age >= 14 else "Paediatric Ward") if e.kind == "ipd" else "OPD"
        phone = r.choice((p.phone, f"+91{p.phone}", f"+91-{p.phone}", f"0{p.phone}"))
        rows.append((p.uhid, name, str(max(0, (e.start - p.birth_date).days // 365)), p.person.sex, phone, p.pin,
                     p.district.name, p.district.state, e.start.strftime("%d/%m/%Y"), e.end.strftime("%d/%m/%Y"),
                     dx.code, dx.display, ward))
    return rows


def _canaries(p: Patient) -> list[dict[str, Any]]:
    person = p.person
    values = [
        ("NAME", person.full, [person.full, person.full.upper(), f"{person.family.upper()} {person.given}",
                               f"{person.family}^{person.given}"]),
        ("ABHA_NUMBER", p.abha_number, [p.abha_number, p.abha_number.replace("-", "")]),
        ("ABHA_ADDRESS", p.abha_address, [p.abha_address]),
        ("AADHAAR", p.aadhaar, list(aadhaar_forms(p.aadhaar)[:3])),
        ("PHONE", p.phone, list(phone_forms(p.phone))),
        ("MRN", p.uhid, [p.uhid]),
        ("EMAIL", p.email, [p.email]),
        ("PAN", p.pan, [p.pan]),
    ]
    return [{"value": v, "kind": k, "forms": sorted(set(f)), "patient_id": p.id, "hospital_id": p.hospital_id}
            for k, v, f in values]


def _run_chunk(bounds: tuple[int, int]) -> ChunkResult:
    """Patients [a, b): write their FHIR, DICOM and consent files; return rows for the shared files."""
    pop: population.Population = _STATE["pop"]
    rosters: list[list[Doctor]] = _STATE["rosters"]
    tmp: Path = _STATE["tmp"]
    key = consents.manager_key(pop.seed)
    all_districts = districts()
    res = ChunkResult()
    for i in range(*bounds):
        r = rng_for(pop.seed, "patient", i)
        h = pop.hospitals[int(pop.hospital[i])]
        doctors = rosters[h.index]
        pid = new_uuid(r)
        uhid = uhid_for(h.uhid_style, h.index, i, r, pop.start.year)
        p = make_patient(r, i, pid, h.id, uhid, bool(pop.female[i]), int(pop.age[i]),
                         all_districts[int(pop.district[i])], pop.end, bool(pop.canary[i]))
        traits = _traits(pop, i, p.birth_date)
        chart = build_chart(r, traits, len(doctors))
        patient_notes = notes.notes_for(r, p, h, doctors, chart, lambda r=r: new_uuid(r))
        bundle = fhir.bundle(r, p, h, doctors, chart, patient_notes)
        (tmp / "fhir" / h.id / f"{pid}.json").write_bytes(orjson.dumps(bundle))
        res.counts.update(fhir_types(bundle))
        res.counts["encounters"] += len(chart.encounters)
        for n in patient_notes:
            res.notes.append(orjson.dumps(n))
            res.counts["phi_spans"] += len(n["phi"])
        res.counts["notes"] += len(patient_notes)
        rows = _his_rows(r, p, chart)
        res.his.setdefault(h.id, []).extend(rows)
        res.counts["his_rows"] += len(rows)
        if pop.imaging[i] and chart.encounters:
            studies, instances = dicom.write_study(r, p, h, doctors, chart, traits.chronic, tmp / "dicom")
            res.counts["dicom_studies"] += studies
            res.counts["dicom_instances"] += instances
        if chart.encounters:
            artefact = consents.consent(r, p, h, doctors, chart, pop.start, pop.end, key)
            cid = artefact["consentDetail"]["consentId"]
            (tmp / "consents" / f"{cid}.json").write_bytes(orjson.dumps(artefact, option=orjson.OPT_INDENT_2))
            res.counts["consents." + artefact["status"]] += 1
        if pop.cohort[i] and chart.index_date is not None:
            positive = bool(pop.outcome[i])
            name = ("diabetic_nephropathy" if pop.outcome_kind[i] == 0 else "diabetic_retinopathy") if positive else ""
            res.outcomes.append((pid, h.id, chart.index_date.isoformat(), "1" if positive else "0", name))
        if p.canary:
            res.canaries.extend(_canaries(p))
    return res


def fhir_types(bundle: dict[str, Any]) -> Counter[str]:
    return Counter("fhir." + entry["resource"]["resourceType"] for entry in bundle["entry"])


def _csv_bytes(rows: list[tuple[str, ...]], header: tuple[str, ...], bom: bool) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode("utf-8") + buf.getvalue().encode("utf-8")


def _dump(path: Path, obj: Any) -> None:
    path.write_bytes(orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")


def _workers(requested: int | None, chunks: int) -> int:
    if requested is not None:
        return max(1, min(requested, chunks))
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
                      4, chunks))


def generate(options: SynthOptions, out: Path, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Generate the dataset into `out`; returns the summary (also written to manifest.json).

    `progress(n)` is called with the number of patients finished after each chunk.
    """
    options.check()
    out = out.absolute()
    check_out_dir(out)
    started = time.perf_counter()
    pop = population.build(options.seed, options.patients, options.hospitals, options.years, options.outbreak)
    rosters = [roster(options.seed, h.index, h.district) for h in pop.hospitals]

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.synth-tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for sub in ("fhir", "his", "notes", "dicom", "consents", "consent-manager"):
            (tmp / sub).mkdir(parents=True)
        for h in pop.hospitals:
            (tmp / "fhir" / h.id).mkdir()
        result = _run_all(pop, rosters, tmp, options, progress)
        counts = _write_shared(pop, tmp, result)
        summary = {
            "generator": GENERATOR, "version": __version__, "seed": options.seed, "patients": options.patients,
            "years": options.years, "history": {"start": pop.start.isoformat(), "end": pop.end.isoformat()},
            "hospitals": [h.manifest() for h in pop.hospitals], "counts": counts, "outbreak": pop.outbreak,
            "layout": "docs/reference/synth-layout.md",
        }
        _dump(tmp / "manifest.json", summary)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {**summary, "out": str(out), "seconds": round(time.perf_counter() - started, 3)}


def _run_all(pop: population.Population, rosters: list[list[Doctor]], tmp: Path, options: SynthOptions,
             progress: Callable[[int], None] | None) -> ChunkResult:
    bounds = [(a, min(a + CHUNK, pop.size)) for a in range(0, pop.size, CHUNK)]
    workers = _workers(options.workers, len(bounds))
    with _STATE_LOCK:
        _STATE.update(pop=pop, rosters=rosters, tmp=tmp)
        try:
            return _collect(pop, tmp, bounds, workers, progress)
        finally:
            _STATE.clear()


def _collect(pop: population.Population, tmp: Path, bounds: list[tuple[int, int]], workers: int,
             progress: Callable[[int], None] | None) -> ChunkResult:
    """Run the chunks and stream notes and HIS rows to their files in patient order (memory stays
    flat however many patients); the small per-patient results are gathered and returned."""
    total = ChunkResult()
    with contextlib.ExitStack() as files:
        notes_fh = files.enter_context((tmp / "notes" / "notes.jsonl").open("wb"))
        his_fh = {h.id: files.enter_context((tmp / "his" / f"{h.id}_admissions.csv").open(
            "w", encoding="utf-8-sig" if h.bom else "utf-8", newline="")) for h in pop.hospitals}
        his_csv = {hid: csv.writer(fh, lineterminator="\n") for hid, fh in his_fh.items()}
        for writer in his_csv.values():
            writer.writerow(HIS_COLUMNS)
        _drain(bounds, workers, progress, total, notes_fh, his_csv)
    return total


def _drain(bounds: list[tuple[int, int]], workers: int, progress: Callable[[int], None] | None, total: ChunkResult,
           notes_fh: Any, his_csv: dict[str, Any]) -> None:
    done = 0
    pool = None
    try:
        results: Iterator[ChunkResult]
        if workers == 1 or sys.platform == "win32":
            results = map(_run_chunk, bounds)
        else:
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
            results = pool.map(_run_chunk, bounds)  # in submission order: output stays in patient order
        for (a, b), res in zip(bounds, results, strict=True):
            notes_fh.write(b"".join(line + b"\n" for line in res.notes))
            for hid, rows in res.his.items():
                his_csv[hid].writerows(rows)
            total.outcomes.extend(res.outcomes)
            total.canaries.extend(res.canaries)
            total.counts.update(res.counts)
            done += b - a
            if progress:
                progress(done)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _write_shared(pop: population.Population, tmp: Path, res: ChunkResult) -> dict[str, Any]:
    (tmp / "outcomes.csv").write_bytes(_csv_bytes(
        res.outcomes, ("patient_id", "hospital_id", "index_date", "outcome", "outcome_name"), False))
    _dump(tmp / "canaries.json", res.canaries)
    _dump(tmp / "consent-manager" / "public.json", consents.manager_public(pop.seed))
    seed_hex = consents.manager_key(pop.seed).private_bytes_raw().hex()
    (tmp / "consent-manager" / "private.key").write_text(seed_hex + "\n")
    os.chmod(tmp / "consent-manager" / "private.key", 0o600)
    c = res.counts
    return {
        "patients": pop.size,
        "fhir_bundles": c["fhir.Patient"],
        "fhir_resources": {k.split(".", 1)[1]: v for k, v in sorted(c.items()) if k.startswith("fhir.")},
        "encounters": c["encounters"],
        "notes": c["notes"], "phi_spans": c["phi_spans"],
        "dicom_studies": c["dicom_studies"], "dicom_instances": c["dicom_instances"],
        "consents": {k.split(".", 1)[1]: v for k, v in sorted(c.items()) if k.startswith("consents.")},
        "his_rows": c["his_rows"],
        "outcomes": {"cohort": len(res.outcomes), "positive": sum(1 for row in res.outcomes if row[3] == "1")},
        "canaries": len(res.canaries),
        "complications": [f"{a}+{b}" for a, _, b, _ in COMPLICATIONS],
    }


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Rename the finished folder to OUT; an earlier synth output (or empty folder) is moved aside first."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.synth-old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        if old is not None:
            os.rename(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
