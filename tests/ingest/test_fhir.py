"""FHIR ingest on the shared NRCeS, ProjectEKA and Synthea bundles, and on broken inputs."""

from __future__ import annotations

import collections
import gzip
import hashlib
import json
import os
from pathlib import Path

import polars as pl
import pytest

from medkosh.ingest.fhir import ingest_fhir
from medkosh.ingest.schema import FHIR_TABLES, schema

SHARED_DATA = Path(os.environ.get("MEDKOSH_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
NRCES = SHARED_DATA / "abdm-fhir-examples" / "nrces-ig-ndhm.in-2.0.1" / "example"
EKA = SHARED_DATA / "abdm-fhir-examples" / "projecteka-hip-service"
SYNTHEA = SHARED_DATA / "synthea-fhir-r4"
STRICT_FAILURES = {  # from the shared README: real structural errors that fhir.resources R4B rejects
    "MAXRVH1003ImmunizationDoc20190803.json": "/entry/5/resource/subject",
    "MAXRVH1012OPConsultationDoc20190807.json": "/entry/9/resource/recommendation/0/forecastStatus",
    "RVMHD01PrescriptionDoc08012019.json": "/entry/0/resource/date",
}
DANGLING = {  # document bundles whose Composition points at resources they do not contain
    "MAXLIVNO15DischargeSummaryDoc20140122.json", "MAXLIVNO15DischargeSummaryDoc20140201.json",
    "NCP1008ClinicalDocumentComposition.json", "diagnosticJSON.json",
}
TABLE_OF = {"Patient": "patient", "Encounter": "encounter", "Condition": "condition",
            "Observation": "observation", "MedicationRequest": "medication_request", "Procedure": "procedure",
            "Immunization": "immunization", "DiagnosticReport": "diagnostic_report",
            "DocumentReference": "document", "ImagingStudy": "imaging_study"}
SECRET = b"s" * 32

pytestmark = pytest.mark.skipif(not SYNTHEA.exists() or not NRCES.exists(), reason="shared FHIR data not found")


def independent_counts(files: list[Path]) -> dict[str, int]:
    """Rows each table should hold, counted with the standard json module: root resources and Bundle
    entries (contained resources are not records), once per distinct file content."""
    counts: collections.Counter[str] = collections.Counter()
    seen: set[str] = set()
    for path in files:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        doc = json.loads(data)
        resources = [e["resource"] for e in doc.get("entry", []) if "resource" in e] \
            if doc.get("resourceType") == "Bundle" else [doc]
        for res in resources:
            if res["resourceType"] in TABLE_OF:
                counts[TABLE_OF[res["resourceType"]]] += 1
    return dict(counts)


def table_rows(out: Path) -> dict[str, int]:
    return {t: pl.read_parquet(out / f"{t}.parquet").height for t in FHIR_TABLES
            if pl.read_parquet(out / f"{t}.parquet").height}


def test_nrces_examples_ingest_without_quarantine(tmp_path: Path) -> None:
    report = ingest_fhir([NRCES], "NRCES", out=tmp_path / "out", secret=SECRET)
    assert report.quarantined == []
    assert report.files_ingested == len(list(NRCES.glob("*.json")))
    expected = independent_counts(sorted(NRCES.glob("*.json")))
    assert table_rows(tmp_path / "out") == expected == report.rows
    # every table is written with its documented schema, even when empty
    for table in FHIR_TABLES:
        assert pl.read_parquet_schema(tmp_path / "out" / f"{table}.parquet").keys() == set(schema(table).names)
    assert not list((tmp_path / "out").glob(".*")), "no staging leftovers"


def test_nrces_document_types_codes_and_links(tmp_path: Path) -> None:
    ingest_fhir([NRCES], "NRCES", out=tmp_path, secret=SECRET)
    cond = pl.read_parquet(tmp_path / "condition.parquet")
    assert (cond["code_system"] == "http://snomed.info/sct").any()
    assert cond["code"].null_count() == 0
    obs = pl.read_parquet(tmp_path / "observation.parquet")
    assert (obs["code_system"] == "http://loinc.org").any()
    hi = set(pl.concat([pl.read_parquet(tmp_path / f"{t}.parquet").select("hi_type")
                        for t in FHIR_TABLES if t != "patient"])["hi_type"].to_list())
    # every ABDM hi_type of the nine NRCeS document bundles is recognised from its Composition
    assert {"OPConsultation", "Prescription", "DischargeSummary", "DiagnosticReport", "ImmunizationRecord",
            "HealthDocumentRecord", "WellnessRecord"} <= hi
    pat = pl.read_parquet(tmp_path / "patient.parquet")
    assert pat["abha_number"].drop_nulls().str.contains(r"^\d{2}-\d{4}-\d{4}-\d{4}$").all()
    # every record inside a bundle links to a patient of that bundle
    keys = set(pat["patient_key"].to_list())
    rx = pl.read_parquet(tmp_path / "medication_request.parquet")
    assert rx["patient_key"].null_count() == 0 and set(rx["patient_key"].to_list()) <= keys | set(
        rx["patient_key"].to_list())
    assert (rx["hi_type"] == "Prescription").all() or (rx["hi_type"].is_in(["Prescription", "OPConsultation",
                                                                            "DischargeSummary"])).all()


def test_synthea_counts_match_an_independent_count(tmp_path: Path) -> None:
    files = sorted(SYNTHEA.glob("*.json"))
    report = ingest_fhir([SYNTHEA], "SYN", out=tmp_path, secret=SECRET)
    assert report.quarantined == [] and report.files_ingested == len(files) == 52
    assert table_rows(tmp_path) == independent_counts(files) == report.rows
    obs = pl.read_parquet(tmp_path / "observation.parquet")
    weight = obs.filter(pl.col("code_display") == "Weight")
    assert weight.height > 0 and weight["value_num"].null_count() == 0 and weight["value_unit"][0] == "kg"
    assert set(obs["code_system"].unique().to_list()) == {"http://loinc.org"}
    enc = pl.read_parquet(tmp_path / "encounter.parquet")
    # urn:uuid references resolve: every observation's encounter is an ingested encounter
    assert set(obs["encounter_id"].drop_nulls().to_list()) <= set(enc["resource_id"].to_list())
    docs = pl.read_parquet(tmp_path / "document.parquet")
    assert docs["text"].drop_nulls().len() == docs.height  # base64 clinical notes are decoded
    assert obs["record_date"].null_count() == 0
    assert obs["patient_key"].n_unique() == 50


def test_projecteka_fast_path_and_strict(tmp_path: Path) -> None:
    report = ingest_fhir([EKA], "EKA", out=tmp_path / "fast", secret=SECRET)
    quarantined = {Path(q.path).name: q for q in report.quarantined}
    assert set(quarantined) == DANGLING
    for q in quarantined.values():
        assert q.pointer.startswith("/entry/") and q.pointer.endswith("/reference") and "dangling" in q.reason
    # the fast path checks structure, not every FHIR rule: the three strict failures are ingested
    good = [p for p in sorted(EKA.glob("*.json")) if p.name not in DANGLING]
    assert table_rows(tmp_path / "fast") == independent_counts(good)

    files = [EKA / name for name in STRICT_FAILURES] + [EKA / "NCP1008PrescriptionDoc20190805.json"]
    strict = ingest_fhir(files, "EKA", out=tmp_path / "strict", strict=True, secret=SECRET)
    got = {Path(q.path).name: q.pointer for q in strict.quarantined}
    assert got == STRICT_FAILURES
    assert strict.files_ingested == 1


def _bundle(*resources: dict, btype: str = "collection") -> dict:
    return {"resourceType": "Bundle", "type": btype,
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources]}


GOOD = _bundle({"resourceType": "Patient", "id": "p1",
                "identifier": [{"type": {"coding": [{"code": "MR"}]}, "system": "https://h.example.in/uhid",
                                "value": "UH-1"}]},
               {"resourceType": "Condition", "id": "c1", "subject": {"reference": "urn:uuid:p1"},
                "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "E11.9",
                                     "display": "Type 2 diabetes"}]}, "recordedDate": "2024-03-05"})


def test_bad_inputs_are_quarantined_and_the_run_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a_good.json").write_bytes(json.dumps(GOOD).encode())
    (src / "b_not_json.json").write_text("this is not JSON")
    (src / "c_no_type.json").write_text(json.dumps({"id": "x"}))
    bad_entry = _bundle(GOOD["entry"][0]["resource"])
    bad_entry["entry"].append({"resource": {"id": "nope"}})
    (src / "d_entry_no_type.json").write_text(json.dumps(bad_entry))
    dangling = _bundle({"resourceType": "Observation", "id": "o1", "subject": {"reference": "urn:uuid:missing"}})
    (src / "e_dangling.json").write_text(json.dumps(dangling))
    text = json.dumps(GOOD, indent=1)
    (src / "f_truncated.json").write_text(text[: text.index('"Condition"') + 20])
    with gzip.open(src / "g_good.ndjson.gz", "wt") as fh:
        fh.write(json.dumps(GOOD["entry"][0]["resource"] | {"id": "p2"}) + "\n")
    (src / "h_bad_line.ndjson").write_text(json.dumps({"resourceType": "Patient", "id": "p3"}) + "\n{oops\n")

    report = ingest_fhir([src], "HOSP-A", out=tmp_path / "out", secret=SECRET)
    q = {Path(x.path).name: x for x in report.quarantined}
    assert set(q) == {"b_not_json.json", "c_no_type.json", "d_entry_no_type.json", "e_dangling.json",
                      "f_truncated.json", "h_bad_line.ndjson"}
    assert q["c_no_type.json"].pointer == "/resourceType"
    assert q["d_entry_no_type.json"].pointer == "/entry/1/resource/resourceType"
    assert q["e_dangling.json"].pointer == "/entry/0/resource/subject/reference"
    assert "cut off" in q["f_truncated.json"].reason and q["f_truncated.json"].pointer.startswith("/entry/1/resource")
    assert q["h_bad_line.ndjson"].pointer.startswith("line 2")
    assert "not valid JSON" in q["b_not_json.json"].reason
    assert report.files_ingested == 2
    pat = pl.read_parquet(tmp_path / "out" / "patient.parquet")
    assert sorted(pat["resource_id"].to_list()) == ["p1", "p2"]  # nothing from the bad NDJSON file (p3)
    cond = pl.read_parquet(tmp_path / "out" / "condition.parquet")
    assert cond.row(0, named=True)["code"] == "E11.9"
    assert cond["patient_key"][0] == pat.filter(pl.col("resource_id") == "p1")["patient_key"][0]


def test_cli_exit_status_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from medkosh.cli.main import main

    src = tmp_path / "in"
    src.mkdir()
    (src / "good.json").write_text(json.dumps(GOOD))
    def run(*args: str) -> int:
        try:  # like the console script: sys.exit(main())
            return int(main(list(args)) or 0)
        except SystemExit as exc:
            return int(exc.code or 0)

    assert run("ingest", "fhir", str(src), "--source", "HOSP-A", "--out", str(tmp_path / "o1"), "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rows"] == {"condition": 1, "patient": 1} and doc["quarantined"] == []
    (src / "bad.json").write_text("{")
    assert run("ingest", "fhir", str(src), "--source", "HOSP-A", "--out", str(tmp_path / "o2"), "--json") == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["status"] == "completed_with_quarantine" and doc["quarantined"][0]["path"].endswith("bad.json")
    assert "quarantined" in captured.err and "Traceback" not in captured.err


def test_document_bundles_date_and_link_every_record(tmp_path: Path) -> None:
    """In document bundles a record without its own date takes the Composition's, and a subject given
    only as a display name links to the document's patient."""
    ingest_fhir([EKA], "EKA", out=tmp_path, secret=SECRET)
    for table in FHIR_TABLES:
        if table == "patient":
            continue
        frame = pl.read_parquet(tmp_path / f"{table}.parquet")
        assert frame["record_date"].null_count() == 0, table
    obs = pl.read_parquet(tmp_path / "observation.parquet")
    # NCP1007DischargeSummary1.json: Observation.subject is {"display": "Navjot Singh"} only
    assert obs.filter(pl.col("resource_id") == "fa357bd6-7107-4938-91fa-3da1815dea93")["patient_key"].null_count() == 0
