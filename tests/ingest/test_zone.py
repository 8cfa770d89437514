"""The raw zone: publish, lazy scans, re-runs, linkage across FHIR/CSV/notes/DICOM of synthetic
hospitals, erasure (SQLite and PostgreSQL) and nothing published by a failed run."""

from __future__ import annotations

import io
import json
from pathlib import Path

import orjson
import polars as pl
import pydicom
import pytest
from sqlalchemy import select

from medkosh.ingest import zone
from medkosh.ingest.dicom import ingest_dicom
from medkosh.ingest.fhir import ingest_fhir
from medkosh.ingest.linkage import patient_key, zone_shift_days
from medkosh.ingest.notes import ingest_notes
from medkosh.ingest.tabular import ingest_table


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from medkosh.synth.generate import SynthOptions, generate

    out = tmp_path_factory.mktemp("synth") / "data"
    generate(SynthOptions(patients=40, hospitals=2, seed=11, workers=1), out)
    return out


def _hospital(synth: Path) -> str:
    return str(orjson.loads((synth / "manifest.json").read_bytes())["hospitals"][0]["id"])


def _ingest_all(synth: Path, hid: str) -> list:
    reports = [ingest_fhir([synth / "fhir" / hid], hid),
               ingest_table(synth / "his" / f"{hid}_admissions.csv", hid, name="his_admissions"),
               ingest_dicom(synth / "dicom" / hid, hid)]
    reports += ingest_notes(synth / "notes" / "notes.jsonl", hid)
    return reports


def test_one_patient_one_key_across_channels(synth_dir: Path) -> None:
    hid = _hospital(synth_dir)
    reports = _ingest_all(synth_dir, hid)
    assert all(not r.quarantined for r in reports)
    bundles = list((synth_dir / "fhir" / hid).glob("*.json"))
    assert reports[0].rows["patient"] == len(bundles)
    # rows per table equal an independent count of resources of that type in medkosh's own bundles
    tables = {"Patient": "patient", "Encounter": "encounter", "Condition": "condition", "Observation": "observation",
              "MedicationRequest": "medication_request", "Procedure": "procedure", "Immunization": "immunization",
              "DiagnosticReport": "diagnostic_report", "DocumentReference": "document", "ImagingStudy": "imaging_study"}
    expected: dict[str, int] = {}
    for path in bundles:
        for entry in json.loads(path.read_text())["entry"]:
            table = tables.get(entry["resource"]["resourceType"])
            if table:
                expected[table] = expected.get(table, 0) + 1
    assert reports[0].rows == expected
    pat = zone.scan_table("patient", [hid]).collect()
    keys = set(pat["patient_key"].to_list())
    for table in ("tab_his_admissions", "note", "imaging_instance", "encounter", "observation"):
        frame = zone.scan_table(table, [hid]).collect()
        assert frame.height > 0 and set(frame["patient_key"].to_list()) <= keys, table
    # the CSV's uhid and the FHIR MR identifier give the same key
    his = pl.read_csv(synth_dir / "his" / f"{hid}_admissions.csv", infer_schema=False)
    uhid = his["uhid"][0]
    assert patient_key(hid, uhid) in keys
    assert pat.filter(pl.col("uhid") == uhid)["patient_key"][0] == patient_key(hid, uhid)
    # consent matching: the ABHA address in the patient table finds the key
    addr = pat["abha_address"].drop_nulls()[0]
    assert zone.patient_keys_for(abha_address=addr.upper(), source_id=hid) == set(
        pat.filter(pl.col("abha_address") == addr)["patient_key"].to_list())


def test_dicom_in_the_zone_is_deidentified_and_shifted(synth_dir: Path) -> None:
    from medkosh.store.objects import ObjectStore

    hid = _hospital(synth_dir)
    report = ingest_dicom(synth_dir / "dicom" / hid, hid)
    assert report.files_ingested == len(list((synth_dir / "dicom" / hid).rglob("*.dcm")))
    index = zone.scan_table("imaging_instance", [hid]).collect()
    originals = {}
    for path in (synth_dir / "dicom" / hid).rglob("*.dcm"):
        ds = pydicom.dcmread(path)
        originals[str(ds.PatientID)] = ds
    store = ObjectStore()
    for row in index.iter_rows(named=True):
        ds = pydicom.dcmread(io.BytesIO(store.get_bytes(row["object_sha256"])))
        assert ds.PatientID == row["patient_key"] and ds.PatientIdentityRemoved == "YES"
        assert not any(e.tag.is_private for e in ds.iterall())
        assert ds.StudyInstanceUID == row["study_uid"]
    # the shift applied to a patient's study date is the zone shift of their key
    uhid, original = next(iter(originals.items()))
    key = patient_key(hid, uhid)
    row = index.filter(pl.col("patient_key") == key).row(0, named=True)
    import datetime as dt

    before = dt.datetime.strptime(original.StudyDate, "%Y%m%d").date()
    assert (row["record_date"] - before).days == zone_shift_days(key)
    # flagged for review exactly when the header says burned-in text, or the modality often has it
    from medkosh.deid.dicom import BURNED_IN_MODALITIES
    from medkosh.deid.pseudonym import keyed_uid
    from medkosh.ingest.linkage import zone_secret

    expected = {}
    for path in (synth_dir / "dicom" / hid).rglob("*.dcm"):
        ds = pydicom.dcmread(path)
        expected[keyed_uid(zone_secret(), ds.SOPInstanceUID)] = (
            str(ds.get("BurnedInAnnotation", "")).upper() == "YES" or ds.Modality in BURNED_IN_MODALITIES)
    assert dict(zip(index["sop_uid"].to_list(), index["flagged_for_review"].to_list(), strict=True)) == expected


def test_rerun_skips_inputs_and_empty_tables_keep_their_schema(tmp_path: Path) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "id": "p"}}]}
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    first = ingest_fhir([tmp_path], "HOSP-Z")
    second = ingest_fhir([tmp_path], "HOSP-Z")
    assert first.files_ingested == 1 and second.files_skipped == 1 and second.rows == {}
    assert zone.scan_table("patient").collect().height == 1
    empty = zone.scan_table("imaging_study").collect()
    assert empty.height == 0 and "study_uid" in empty.columns and "patient_key" in empty.columns


def test_a_failed_run_publishes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from medkosh.ingest import fhir_extract

    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "id": "p"}},
        {"fullUrl": "urn:uuid:c", "resource": {"resourceType": "Condition", "id": "c",
                                               "subject": {"reference": "urn:uuid:p"}}}]}
    (tmp_path / "a.json").write_text(json.dumps(bundle))
    (tmp_path / "b.json").write_text(json.dumps(bundle | {"id": "second"}))
    calls = {"n": 0}
    real = fhir_extract.EXTRACTORS["Condition"]

    def dies_on_second(res: dict) -> tuple:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk on fire")
        return real(res)

    monkeypatch.setitem(fhir_extract.EXTRACTORS, "Condition", dies_on_second)
    with pytest.raises(RuntimeError):
        ingest_fhir([tmp_path], "HOSP-F")
    assert zone.scan_table("patient", ["HOSP-F"]).collect().height == 0
    assert zone.read_manifest("HOSP-F")["tables"] == {}
    assert not any((zone.zone_root() / ".staging").iterdir())


def test_erase_patient_rewrites_every_table_and_audits(db_url: str, synth_dir: Path) -> None:
    from medkosh.ingest.service import erase_patient
    from medkosh.store.db import session_scope
    from medkosh.store.objects import ObjectStore
    from medkosh.store.tables.audit import AuditEventRow

    hid = _hospital(synth_dir)
    _ingest_all(synth_dir, hid)
    images = zone.scan_table("imaging_instance", [hid]).collect()
    victim = images["patient_key"][0]
    objects = images.filter(pl.col("patient_key") == victim)["object_sha256"].to_list()
    before = {t: zone.scan_table(t, [hid]).collect() for t in ("patient", "encounter", "tab_his_admissions",
                                                                "note", "imaging_instance")}
    with session_scope() as s:
        result = erase_patient(s, victim, sources=[hid], actor="test")
    assert result.rows["patient"] == 1 and result.rows["imaging_instance"] == len(objects)
    for table, frame in before.items():
        after = zone.scan_table(table, [hid]).collect()
        assert victim not in set(after["patient_key"].to_list()), table
        assert after.height == frame.height - frame.filter(pl.col("patient_key") == victim).height
    assert all(not ObjectStore().exists(sha) for sha in objects)
    listed = {p["path"] for parts in zone.read_manifest(hid)["tables"].values() for p in parts}
    on_disk = {str(p.relative_to(zone.source_dir(hid))) for p in zone.source_dir(hid).rglob("*.parquet")}
    assert listed == on_disk  # replaced parts are deleted, new parts are listed
    with session_scope() as s:
        event = s.execute(select(AuditEventRow).where(AuditEventRow.event_type == "ingest.patient.erased")).scalar_one()
        assert event.subject_id == victim
        again = erase_patient(s, victim, sources=[hid], actor="test")
    assert sum(again.rows.values()) == 0


def test_record_run_keeps_paths_out_of_the_audit_log(db_url: str, tmp_path: Path) -> None:
    from medkosh.ingest.service import list_runs, record_run
    from medkosh.store.db import session_scope
    from medkosh.store.tables.audit import AuditEventRow
    from medkosh.store.tables.ingest import IngestQuarantineRow

    (tmp_path / "Ravi_Kumar_bundle.json").write_text("{not json")
    report = ingest_fhir([tmp_path], "HOSP-R")
    with session_scope() as s:
        record_run(s, report, actor="test")
    with session_scope() as s:
        runs = list_runs(s, "HOSP-R")
        assert runs[0].files_quarantined == 1 and runs[0].status == "completed_with_quarantine"
        q = s.execute(select(IngestQuarantineRow)).scalar_one()
        assert q.path.endswith("Ravi_Kumar_bundle.json")
        event = s.execute(select(AuditEventRow).where(AuditEventRow.event_type == "ingest.run.completed")).scalar_one()
        assert "Ravi" not in event.details and json.loads(event.details)["quarantined"] == 1


def test_concurrent_runs_over_the_same_files_do_not_duplicate(tmp_path: Path) -> None:
    from medkosh.errors import ConflictError

    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "id": "p"}}]}
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    real_publish = zone.publish

    def racing_publish(source_id: str, run_id: str, staged: dict, inputs: dict | None = None) -> None:
        # another run over the same file publishes first, between this run's check and its publish
        zone.publish = real_publish
        try:
            ingest_fhir([tmp_path], source_id)
        finally:
            zone.publish = racing_publish
        real_publish(source_id, run_id, staged, inputs)

    zone.publish = racing_publish
    try:
        with pytest.raises(ConflictError):
            ingest_fhir([tmp_path], "HOSP-C")
    finally:
        zone.publish = real_publish
    assert zone.scan_table("patient", ["HOSP-C"]).collect().height == 1
