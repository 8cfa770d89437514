"""The PHI/canary scanner over text, JSON, CSV, Parquet, HTML and DICOM; masked findings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from medkosh.deid.scan import CanarySet, mask, scan_paths, scan_text

PHONE = "9876543210"
NAME = "Ramesh Kumar Yadav"


def _no_full_identifier(findings: list, *values: str) -> None:
    for f in findings:
        for v in values:
            assert v not in f.excerpt_masked and v.upper() not in f.excerpt_masked


def test_text_and_json_findings_are_masked(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text(f"Seen {NAME}, phone {PHONE}.\n", encoding="utf-8")
    (tmp_path / "rec.json").write_text(json.dumps({"note": f"call {PHONE}"}), encoding="utf-8")
    found = scan_paths([tmp_path])
    by_file = {Path(f.path).name for f in found}
    assert by_file == {"note.txt", "rec.json"}
    labels = {f.label for f in found}
    assert {"NAME", "PHONE"} <= labels
    note = next(f for f in found if f.path.endswith("note.txt") and f.label == "PHONE")
    assert note.offset == len(f"Seen {NAME}, phone ")
    _no_full_identifier(found, PHONE, NAME, "Ramesh", "Yadav")


def test_clean_artefacts_have_no_findings(tmp_path: Path) -> None:
    (tmp_path / "clean.txt").write_text("Pt [NAME] admitted [DATE]. BP 120/80. Lasix 40 mg. Parkinson's disease.\n",
                                        encoding="utf-8")
    pq.write_table(pa.table({"diagnosis": ["Dengue fever", "Type 2 diabetes"], "state": ["Maharashtra", "Kerala"],
                             "count": [4, 7]}), tmp_path / "t.parquet")
    assert scan_paths([tmp_path]) == []


def test_csv_and_parquet_cells_with_column_context(tmp_path: Path) -> None:
    (tmp_path / "his.csv").write_text("uhid,patient_name,pin\nKEM/2024/1,Sunita Deshpande,411038\n", encoding="utf-8")
    pq.write_table(pa.table({"patient_name": ["Sunita Deshpande", "Sunita Deshpande"], "n": [1, 2]}),
                   tmp_path / "t.parquet")
    found = scan_paths([tmp_path])
    csv_labels = {f.label for f in found if f.path.endswith(".csv")}
    assert {"NAME", "PIN", "MRN"} <= csv_labels
    pq_found = [f for f in found if f.path.endswith(".parquet")]
    assert pq_found and all("column patient_name" in f.where for f in pq_found)
    _no_full_identifier(found, "Sunita Deshpande", "Deshpande", "411038")


def test_html_markup_is_not_scanned_but_text_is(tmp_path: Path) -> None:
    page = f'<html><body class="Sharma"><p>Contact {PHONE}</p><script>var x="Yadav";</script></body></html>'
    (tmp_path / "r.html").write_text(page, encoding="utf-8")
    found = scan_paths([tmp_path / "r.html"])
    assert [f.label for f in found] == ["PHONE"]
    assert found[0].offset == page.index(PHONE)


def test_html_text_attributes_are_scanned(tmp_path: Path) -> None:
    page = ('<html><body class="Sharma"><img src="x.png" alt="Ramesh Kumar Yadav">'
            "<td title='Seen by Dr. Sunita Deshpande'>x</td><input value=Kavita data-note=\"UHID: MH12345678\">"
            '<a href="/Yadav" class="Yadav" title="Plot of HbA1c by age">plot</a></body></html>')
    (tmp_path / "r.html").write_text(page, encoding="utf-8")
    found = {(f.label, page[f.offset:].split('"')[0].split("'")[0].split(" data-")[0]) for f in scan_paths([tmp_path / "r.html"])}
    assert found == {("NAME", "Ramesh Kumar Yadav"), ("NAME", "Sunita Deshpande"), ("NAME", "Kavita"),
                     ("MRN", "MH12345678")}


def test_dicom_header_including_private_tags(tmp_path: Path) -> None:
    pydicom = pytest.importorskip("pydicom")
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    ds = pydicom.Dataset()
    ds.PatientName = "YADAV^RAMESH^KUMAR"
    ds.PatientID = "P0000000001"
    ds.add_new(0x00091010, "LO", "Aadhaar 2345 6789 0124")
    ds.add_new(0x00091011, "LO", f"mobile {PHONE}")
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    path = tmp_path / "img.dcm"
    ds.save_as(path, enforce_file_format=True)
    found = scan_paths([path], canaries=["Ramesh Kumar Yadav"])
    wheres = " ".join(f.where for f in found)
    assert "(0010,0010)" in wheres and "(0009,1011)" in wheres
    assert any(f.kind == "canary" for f in found)
    _no_full_identifier(found, "RAMESH", "YADAV", PHONE)


@pytest.mark.parametrize("rendering", ["RAMESH KUMAR YADAV", "ramesh-kumar-yadav", "Yadav^Ramesh^Kumar",
                                       "rameshkumaryadav", "R a m e s h  Kumar Yadav"])
def test_canaries_in_every_rendering(rendering: str) -> None:
    found = scan_text(f"x {rendering} y", canaries=[NAME])
    assert any(f.kind == "canary" for f in found)


def test_canary_numbers_with_or_without_separators() -> None:
    canaries = CanarySet(["2345 6789 0124", "+91 98765 43210"])
    assert canaries.find("id 234567890124 ok")
    assert canaries.find("ph 91-98765-43210")
    assert not canaries.find("nothing here 2345")


def test_mask_never_shows_the_value() -> None:
    assert mask("9876543210") == "9*********"
    assert mask("Ram") == "***"
    assert mask("2345 6789") == "2*** ****"


def test_cli_scan_exit_status(tmp_path: Path) -> None:
    dirty = tmp_path / "dirty.txt"
    dirty.write_text(f"phone {PHONE}\n", encoding="utf-8")
    clean = tmp_path / "clean.txt"
    clean.write_text("BP 120/80, afebrile.\n", encoding="utf-8")
    run = [sys.executable, "-m", "medkosh.cli.main", "deid", "scan"]
    res = subprocess.run([*run, str(dirty), "--json"], capture_output=True, text=True)
    assert res.returncode == 1
    data = json.loads(res.stdout)
    assert data["findings"] == 1 and PHONE not in res.stdout
    ok = subprocess.run([*run, str(clean)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr


def test_json_strings_are_decoded_before_scanning(tmp_path: Path) -> None:
    # ensure_ascii escapes Devanagari as \\u0930…; the scanner must see the decoded note.
    rows = [{"id": "n1", "text": "श्री रमेश शर्मा\nWIFE SUNITA CALLED"}, {"id": "n2", "text": "Pt [NAME], BP 120/80."}]
    path = tmp_path / "out.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=True) + "\n" for r in rows), encoding="utf-8")
    found = scan_paths([path])
    assert {f.offset for f in found} == {1}  # line 1 only: line 2 holds nothing but a tag
    assert any(f.label == "NAME" and "/text" in f.where for f in found)
    _no_full_identifier(found, "रमेश", "शर्मा", "SUNITA")
