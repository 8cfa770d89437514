"""DICOM de-identification against PS3.15 Table E.1-1, on every DICOM test file that ships with
pydicom and pydicom-data (read at test time), on synthetic studies, and on corrupt/truncated files."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

import pydicom
import pytest
from pydicom import Dataset
from pydicom.data import get_testdata_file, get_testdata_files

from medkosh.deid.dicom import (
    DicomDeidentifier,
    DicomReadError,
    deidentify_folder,
    read_dicom,
)
from medkosh.deid.dicom_actions import REMOVE_OR_REPLACE, action_for, load_rows
from medkosh.deid.pseudonym import pseudonym

SECRET = b"d" * 32
DUMMIES = {"ANONYMIZED", "0", "000000", "19000101", "19000101000000"}


def engine() -> DicomDeidentifier:
    return DicomDeidentifier(SECRET, lambda pid: pseudonym(SECRET, pid, system="uhid:TEST"))


def test_action_table_is_the_standard_table() -> None:
    rows = load_rows()
    assert len(rows) > 450
    by_name = {r.name: r for r in rows}
    assert by_name["Patient's Name"].basic == "Z" and by_name["Patient ID"].basic == "Z"
    assert by_name["Study Instance UID"].action == "U"
    assert by_name["Study Date"].action == "C"  # Retain Longitudinal … Modified Dates
    assert by_name["Series Description"].action == "C"  # Clean Descriptors
    assert by_name["Institution Name"].action == "D"  # X/Z/D resolved to keep IOD conformance
    assert by_name["Patient's Address"].action == "X"
    assert {r.basic.split("/")[0] for r in rows} <= {"D", "Z", "X", "K", "C", "U"}
    assert action_for(0x60003000) == "X" and action_for(0x60223000) == "X"  # overlay data, any 60xx group


def _values(ds: Dataset) -> list[tuple[int, str]]:
    """(tag, value) of every table attribute to be removed or replaced, at any depth."""
    found: list[tuple[int, str]] = []

    def visit(d: Dataset, elem: Any) -> None:
        action = action_for(int(elem.tag))
        if elem.VR != "SQ" and action in REMOVE_OR_REPLACE and elem.value not in (None, "", b""):
            found.append((int(elem.tag), str(elem.value)))

    ds.walk(visit)
    return found


def _all_values(ds: Dataset) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    ds.walk(lambda d, e: out.setdefault(int(e.tag), set()).add(str(e.value)) if e.VR != "SQ" else None)
    return out


def _readable_test_files() -> list[str]:
    paths = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in get_testdata_files("*"):
            try:
                read_dicom(Path(path))
            except DicomReadError:
                continue
            except Exception:
                continue
            paths.append(path)
    return paths


def test_every_pydicom_test_file_is_deidentified_by_the_table(tmp_path: Path) -> None:
    paths = _readable_test_files()
    assert len(paths) > 100  # pydicom's own test files plus pydicom-data
    _check_against_table(paths, tmp_path)


def test_synthetic_studies_are_deidentified_by_the_table(tmp_path: Path) -> None:
    from medkosh.synth.generate import SynthOptions, generate

    generate(SynthOptions(patients=60, hospitals=2, seed=3, workers=1), tmp_path / "synth")
    paths = sorted(str(p) for p in (tmp_path / "synth" / "dicom").rglob("*.dcm"))
    assert len(paths) >= 5
    _check_against_table(paths, tmp_path)
    # nothing that named the patient survives anywhere in the written bytes (private tags included)
    report = deidentify_folder(tmp_path / "synth" / "dicom", tmp_path / "out", engine())
    assert report.written == len(paths) and not report.skipped
    for path in paths:
        ds = pydicom.dcmread(path)
        out = next((tmp_path / "out").rglob(f"{engine().uid(ds.SOPInstanceUID)}.dcm"))
        data = out.read_bytes()
        for value in (str(ds.PatientID), str(ds.PatientName).replace("^", " ").split()[0],
                      str(ds.get("ReferringPhysicianName", "")), str(ds.get("InstitutionName", ""))):
            if len(value) >= 4:
                assert value.encode() not in data, f"{value!r} left in {out.name}"


def _check_against_table(paths: list[str], tmp_path: Path) -> None:
    """After de-identification no attribute that Table E.1-1 removes or replaces (X, Z, D, U) still
    holds its original value, at any depth; private tags are gone; pixel data is untouched."""
    eng = engine()
    failures = []
    for path in paths:
        original = read_dicom(Path(path))
        before = _values(original)
        pixels = original.PixelData if "PixelData" in original else None
        ds = read_dicom(Path(path))
        result = eng.deidentify(ds)
        out = tmp_path / "out.dcm"
        from medkosh.deid.dicom import write_dataset

        write_dataset(ds, out)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            after_ds = pydicom.dcmread(out, force=True)
        after = _all_values(after_ds)
        for tag, value in before:
            if value in DUMMIES or value == result.patient_key:
                continue  # the original already was the dummy value
            if value in after.get(tag, set()):
                failures.append(f"{Path(path).name}: ({tag:08X}) kept {value!r}")
        assert not any(e.tag.is_private for e in after_ds.iterall()), path
        assert after_ds.PatientIdentityRemoved == "YES"
        assert [i.CodeValue for i in after_ds.DeidentificationMethodCodeSequence] == ["113100", "113107", "113105"]
        assert after_ds.PatientID == result.patient_key
        if pixels is not None:
            assert after_ds.PixelData == pixels, f"pixel data changed in {path}"
        if "SOPInstanceUID" in original:
            assert after_ds.SOPInstanceUID != original.SOPInstanceUID
            assert after_ds.file_meta.MediaStorageSOPInstanceUID == after_ds.SOPInstanceUID
    assert failures == []


def test_uids_dates_and_patients_are_consistent_across_files() -> None:
    path = get_testdata_file("CT_small.dcm", download=False)
    assert path
    first, second = read_dicom(Path(path)), read_dicom(Path(path))
    second.SOPInstanceUID = second.SOPInstanceUID + ".2"
    orig_study_date = first.StudyDate
    eng = engine()
    r1, r2 = eng.deidentify(first), eng.deidentify(second)
    assert first.StudyInstanceUID == second.StudyInstanceUID  # same input UID → same output UID
    assert first.SOPInstanceUID != second.SOPInstanceUID
    assert r1.patient_key == r2.patient_key and r1.shift_days == r2.shift_days != 0
    import datetime as dt

    shifted = dt.datetime.strptime(first.StudyDate, "%Y%m%d").date()
    assert (shifted - dt.datetime.strptime(orig_study_date, "%Y%m%d").date()).days == r1.shift_days
    assert first.LongitudinalTemporalInformationModified == "MODIFIED"
    # another dataset secret gives unrelated UIDs and pseudonyms
    other = DicomDeidentifier(b"o" * 32, lambda pid: pseudonym(b"o" * 32, pid, system="uhid:TEST"))
    third = read_dicom(Path(path))
    r3 = other.deidentify(third)
    assert third.StudyInstanceUID != first.StudyInstanceUID and r3.patient_key != r1.patient_key


def test_descriptors_are_cleaned_of_the_patients_identifiers() -> None:
    ds = read_dicom(Path(get_testdata_file("CT_small.dcm", download=False)))
    ds.PatientID = "UHID-99812"
    ds.PatientName = "Sharma^Ravi"
    ds.StudyDescription = "CT chest for Ravi Sharma UHID-99812 on 12/03/2024, call 9876543210"
    ds.BurnedInAnnotation = "YES"
    result = engine().deidentify(ds)
    assert "Ravi" not in ds.StudyDescription and "99812" not in ds.StudyDescription
    assert "9876543210" not in ds.StudyDescription and "12/03/2024" not in ds.StudyDescription
    assert ds.StudyDescription.startswith("CT chest")
    assert result.flagged and result.review_reason == "BurnedInAnnotation is YES"


def test_corrupt_and_truncated_files_are_reported_and_skipped(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    ct = Path(get_testdata_file("CT_small.dcm", download=False))
    shutil.copy(ct, src / "good.dcm")
    data = ct.read_bytes()
    (src / "truncated.dcm").write_bytes(data[: len(data) - 4000])
    (src / "header_cut.dcm").write_bytes(data[:900])
    (src / "notes.txt").write_text("not an image")
    us = get_testdata_file("US1_UNCR.dcm", download=False) or get_testdata_file("SC_rgb.dcm", download=False)
    shutil.copy(us, src / "burned.dcm")
    report = deidentify_folder(src, tmp_path / "out", engine())
    skipped = {Path(s["path"]).name: s["reason"] for s in report.skipped or []}
    assert set(skipped) == {"truncated.dcm", "header_cut.dcm", "notes.txt"}
    assert all(reason for reason in skipped.values())
    assert report.written == 2
    published = [p for p in (tmp_path / "out").rglob("*.dcm") if "_review" not in p.parts]
    review = list((tmp_path / "out" / "_review").rglob("*.dcm"))
    assert len(published) == 1 and len(review) == 1  # the US/SC image waits for review
    assert [Path(f["path"]).name for f in report.flagged or []] == ["burned.dcm"]


def test_deid_dicom_cli_reports_json_and_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from medkosh.cli.main import main

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(Path(get_testdata_file("CT_small.dcm", download=False)), src / "a.dcm")
    shutil.copy(Path(get_testdata_file("MR_small.dcm", download=False)), src / "b.dcm")
    rc = main(["deid", "dicom", str(src), str(tmp_path / "out"), "--json"])
    assert int(rc or 0) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["files"] == {"total": 2, "written": 2, "flagged_for_review": 0, "skipped": 0}
    (src / "c.dcm").write_bytes(b"DICM but not really")
    rc = main(["deid", "dicom", str(src), str(tmp_path / "out2"), "--json"])
    captured = capsys.readouterr()
    assert int(rc or 0) == 1 and json.loads(captured.out)["skipped"][0]["path"].endswith("c.dcm")
    assert "skipped" in captured.err and "Traceback" not in captured.err
    names = {p.name for p in (tmp_path / "out").rglob("*.dcm")}
    assert "a.dcm" not in names and all(n.startswith("2.25.") for n in names)  # keyed UIDs, not input names


def test_parallel_workers_write_the_same_files(tmp_path: Path) -> None:
    from medkosh.ingest.linkage import UhidKey

    src = tmp_path / "in"
    src.mkdir()
    for name in ("CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "SC_rgb.dcm", "US1_UNCR.dcm"):
        path = get_testdata_file(name, download=False)
        if path:
            for i in range(2):
                ds = read_dicom(Path(path))
                ds.SOPInstanceUID = f"{ds.SOPInstanceUID}.{i}"
                ds.save_as(src / f"{i}_{name}", enforce_file_format=False)
    (src / "broken.dcm").write_bytes(b"nope")
    outs = {}
    for workers in (1, 2):
        eng = DicomDeidentifier(SECRET, UhidKey(SECRET, "TEST"))
        report = deidentify_folder(src, tmp_path / f"out{workers}", eng, workers=workers)
        assert [Path(s["path"]).name for s in report.skipped or []] == ["broken.dcm"]
        outs[workers] = {p.relative_to(tmp_path / f"out{workers}"): p.read_bytes()
                         for p in (tmp_path / f"out{workers}").rglob("*.dcm")}
    assert outs[1] == outs[2] and len(outs[1]) >= 8
