"""A small raw zone (written through the ingest domain's own publishing), a consent snapshot and a spec.

The builds here run the real tabular anonymiser, note de-identifier and PHI scanner. The consent
decisions come from `Consents` through the build's toolkit seam, so a test can revoke a patient without
signing ABDM artefacts; the path through real signed artefacts, `medkosh.consent.service.eligibility` and
enforcement is walked by tests/consent/test_enforce.py and the demo."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from medkosh.catalog.consent_filter import ConsentView
from medkosh.catalog.spec import ConsentUse
from medkosh.catalog.toolkit import Finding, Toolkit

HOSP = "HOSP-A"
STATES = ["MH", "KA", "DL"]
CANARY = "CANARY-7Q4Z-SECRET"


def _patients(n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        out.append({"source_id": HOSP, "run_id": "run_t1", "patient_key": f"PK{i:04d}", "record_date": None,
                    "hi_type": None, "resource_id": f"pat-{i}", "encounter_id": None,
                    "uhid": f"UH{i:05d}", "name": f"Patient Name {i}", "phone": f"98{i:08d}",
                    "gender": "male" if i % 2 else "female",
                    "birth_date": dt.date(1940 + (i * 7) % 70, 1 + i % 12, 1 + i % 28),
                    "state": ["Maharashtra", "Karnataka", "Delhi"][i % 3]})
    return out


def write_raw_zone(n: int = 60) -> list[str]:
    """Patients, conditions (half E11) and notes, published as one ingest run."""
    from medkosh.ingest import schema as schemas
    from medkosh.ingest import zone

    pats = _patients(n)
    conds, notes = [], []
    for i, p in enumerate(pats):
        code = "E11.9" if i % 2 == 0 else "I10"
        conds.append({"source_id": HOSP, "run_id": "run_t1", "patient_key": p["patient_key"],
                      "record_date": dt.date(2022, 1 + i % 12, 10), "hi_type": "OPConsultation",
                      "resource_id": f"cond-{i}", "encounter_id": f"enc-{i}", "code_system": "http://hl7.org/fhir/sid/icd-10",
                      "code": code, "code_display": "Type 2 diabetes" if code.startswith("E11") else "Hypertension",
                      "code_text": f"as typed by the clinician {CANARY}" if i == 4 else "as typed"})
        text = f"Seen in clinic. BP stable. Follow-up in 3 months. {CANARY if i == 3 else ''}"
        notes.append({"source_id": HOSP, "run_id": "run_t1", "patient_key": p["patient_key"],
                      "record_date": dt.date(2022, 1 + i % 12, 10), "hi_type": "OPConsultation",
                      "resource_id": f"note-{i}", "encounter_id": f"enc-{i}", "note_id": f"n{i}",
                      "note_type": "OPConsultation", "text": text})
    tables = {"patient": pats, "condition": conds, "note": notes}
    with zone.staging("run_t1") as folder:
        staged = {}
        for name, rows in tables.items():
            schema = schemas.schema(name)
            cols = {f.name: [r.get(f.name) for r in rows] for f in schema}
            path = folder / f"{name}.parquet"
            import pyarrow.parquet as pq

            pq.write_table(pa.table(cols, schema=schema), path)
            staged[name] = path
        zone.publish(HOSP, "run_t1", staged)
    return [p["patient_key"] for p in pats]


class Consents:
    """Stand-in for the consent domain's snapshot while medkosh.consent.service is absent: every patient
    consented to DSRCH/OPConsultation for 2020-2025 unless revoked here."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.revoked: set[str] = set()

    def __call__(self, session: Any, use: ConsentUse) -> ConsentView:
        span = (max(use.window_from, dt.date(2020, 1, 1)), min(use.window_to, dt.date(2025, 12, 31)))
        eligible = {k: {"OPConsultation": span} for k in self.keys if k not in self.revoked}
        excluded = {k: "revoked" for k in self.revoked}
        sid = "snap-" + hashlib.sha256(",".join(sorted(self.revoked)).encode()).hexdigest()[:16]
        return ConsentView(sid, eligible, excluded)


def byte_scanner(paths: Sequence[Path], canaries: Sequence[str]) -> list[Finding]:
    """A minimal scanner (canaries only) used only when medkosh.deid.scan is not importable."""
    found = []
    for path in paths:
        data = path.read_bytes()
        for c in canaries:
            if c.encode() in data:
                found.append(Finding(str(path), "canary", "bytes"))
    return found


def identity_notes(texts: list[str], keys: list[str], dataset_id: str) -> list[str]:
    return texts


@pytest.fixture
def raw_zone(db_url: str) -> list[str]:
    return write_raw_zone()


@pytest.fixture
def consents(raw_zone: list[str]) -> Consents:
    return Consents(raw_zone)


@pytest.fixture
def toolkit(consents: Consents) -> Toolkit:
    tk = Toolkit(eligibility=consents)
    try:
        import medkosh.deid.scan  # noqa: F401
    except ModuleNotFoundError:
        tk.scan_paths = byte_scanner
    try:
        import medkosh.deid.text as text_mod

        if not hasattr(text_mod, "deidentify"):
            raise ModuleNotFoundError("medkosh.deid.text.deidentify")
    except ModuleNotFoundError:
        tk.deidentify_text = identity_notes
    return tk


SPEC = """\
id: {id}
name: Type 2 diabetes outpatient cohort
description: Outpatients with type 2 diabetes (E11) at one hospital, 2020-2025.
steward: Dr A. Steward
institution: Example Hospital
modality: {modality}
tier: registered
licence: medkosh-DUA-1.0
conditions: [E11]
states: [MH, KA, DL]
keywords: [diabetes, outpatient]
intended_uses: [Cohort studies of diabetes care]
limitations: [Synthetic test data]
consent: {{purpose: DSRCH, hi_types: [OPConsultation], from: 2020-01-01, to: 2025-12-31}}
cohort_codes: [E11]
tables:
{tables}
canaries: canaries.json
"""


@pytest.fixture
def make_spec(tmp_path: Path) -> Callable[..., Path]:
    (tmp_path / "canaries.json").write_text(json.dumps([{"value": CANARY, "kind": "note", "patient_id": "x",
                                                          "hospital_id": HOSP}]))

    (tmp_path / "recipe.yaml").write_text(
        "columns:\n  gender: {role: quasi, hierarchy: {rule: flat}}\n"
        "  birth_date: {role: quasi, generalise: year, hierarchy: {rule: intervals, widths: [10, 20]}}\n"
        "  state: {role: insensitive}\n  person_id: {role: insensitive}\n"
        "privacy: {k: 3, max_suppression: 0.1}\nshuffle_rows: false\n")

    def make(id: str = "t2d-cohort", modality: str = "tabular_ehr", tables: str | None = None) -> Path:
        tables = tables or ("  - {source: patient, columns: [gender, birth_date, state], recipe: recipe.yaml}\n"
                            "  - {source: condition, columns: [code, code_display]}")
        path = tmp_path / f"{id}.yaml"
        path.write_text(SPEC.format(id=id, modality=modality, tables=tables))
        return path

    return make
