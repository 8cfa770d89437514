"""Tabular extracts: encodings (UTF-8, UTF-8 with BOM, Latin-1), Devanagari, type inference, the
suggested role recipe (usable by medkosh anonymise) and a steward's edited recipe passed back."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from medkosh.errors import InputError
from medkosh.ingest.linkage import patient_key
from medkosh.ingest.roles import verhoeff_valid
from medkosh.ingest.tabular import detect_encoding, ingest_table
from medkosh.ingest.zone import scan_table

SECRET = b"t" * 32


def _aadhaar(prefix: str) -> str:
    for d in range(10):
        if verhoeff_valid(prefix + str(d)):
            return f"{prefix[:4]} {prefix[4:8]} {prefix[8:]}{d}"
    raise AssertionError


HEADER = "uhid,patient_name,aadhaar_no,abha,mobile,email,pin,age,sex,admission_date,icd10,diagnosis,ward,bill_amount\n"


def _rows(n: int = 30) -> str:
    lines = []
    for i in range(n):
        lines.append(",".join([
            f"UH{1000 + i}", "राम कुमार" if i % 2 else "Zoë D'Souza", _aadhaar(f"{234567890 + i:09d}12"[:11]),
            f"91-{1234 + i:04d}-5678-{9000 + i}", f"98{76543210 + i:08d}", f"p{i}@example.in", f"{560001 + i}",
            str(20 + i), "F" if i % 2 else "M", f"{1 + i % 28:02d}/03/2024", "E11.9", "Diabetes", "OPD", f"{100.5 + i}",
        ]))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True)])
def test_utf8_with_and_without_bom_keeps_devanagari(tmp_path: Path, encoding: str, bom: bool) -> None:
    path = tmp_path / "admissions.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (HEADER + _rows()).encode(encoding))
    assert detect_encoding(path) == ("utf-8-sig" if bom else "utf-8")
    report = ingest_table(path, "HOSP-T", out=tmp_path / "out", secret=SECRET)
    frame = pl.read_parquet(tmp_path / "out" / "admissions.parquet")
    assert frame.height == 30 and "uhid" in frame.columns  # the BOM is not part of the first column name
    assert "राम कुमार" in frame["patient_name"].to_list()
    roles = report.extra["roles"]
    assert {c: roles[c]["role"] for c in roles} == {
        "uhid": "identifier", "patient_name": "identifier", "aadhaar_no": "identifier", "abha": "identifier",
        "mobile": "identifier", "email": "identifier", "pin": "quasi", "age": "quasi", "sex": "quasi",
        "admission_date": "quasi", "icd10": "sensitive", "diagnosis": "sensitive", "ward": "insensitive",
        "bill_amount": "insensitive"}
    assert roles["aadhaar_no"]["detector"] == "aadhaar" and roles["mobile"]["detector"] == "phone"
    assert roles["abha"]["detector"] == "abha_number" and roles["pin"]["detector"] == "pin"
    assert frame.schema["age"] == pl.Int64 and frame.schema["bill_amount"] == pl.Float64
    assert frame.schema["admission_date"] == pl.Date and frame.schema["pin"] == pl.String
    assert frame.schema["mobile"] == pl.String  # identifiers keep their leading characters
    assert frame["patient_key"][0] == patient_key("HOSP-T", "UH1000", secret=SECRET)
    assert frame["record_date"][0] == frame["admission_date"][0]


def test_latin1_is_detected_and_transcoded(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("uhid,patient_name,ward\nA1,José Muñoz,Générale\nA2,Zoë,ICU\n".encode("latin-1"))
    assert detect_encoding(path) == "latin-1"
    report = ingest_table(path, "HOSP-T", out=tmp_path / "out", secret=SECRET)
    frame = pl.read_parquet(tmp_path / "out" / "legacy.parquet")
    assert frame["patient_name"].to_list() == ["José Muñoz", "Zoë"] and report.extra["encoding"] == "latin-1"


def test_recipe_is_written_editable_and_passed_back(tmp_path: Path) -> None:
    path = tmp_path / "admissions.csv"
    path.write_text(HEADER + _rows(), encoding="utf-8")
    report = ingest_table(path, "HOSP-T", secret=SECRET)
    recipe_path = Path(report.extra["recipe_path"])
    text = recipe_path.read_text(encoding="utf-8")
    assert "# direct identifier: values look like aadhaar" in text
    recipe = yaml.safe_load(text)
    assert recipe["patient_key_column"] == "uhid" and recipe["columns"]["admission_date"]["format"] == "%d/%m/%Y"
    try:  # the same file drives medkosh anonymise
        from medkosh.deid.tabular.recipe import load_recipe
    except ImportError:
        load_recipe = None
    if load_recipe is not None:
        loaded = load_recipe(recipe_path)
        assert "age" in loaded.quasi
    recipe["columns"]["ward"] = {"role": "quasi"}
    recipe["columns"]["bill_amount"] = {"role": "sensitive"}
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(recipe), encoding="utf-8")
    again = ingest_table(path, "HOSP-U", recipe=edited, secret=SECRET)
    assert again.extra["roles"]["ward"]["role"] == "quasi" and again.extra["roles"]["bill_amount"]["role"] == "sensitive"
    assert scan_table("tab_admissions", ["HOSP-U"]).collect().height == 30
    assert scan_table("tab_admissions", ["HOSP-T"]).collect()["patient_key"].null_count() == 0


def test_bad_recipe_is_one_line_with_where(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("uhid,age\nU1,3\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns:\n  uhid: {role: identifier}\n  agee: {role: quasi}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        ingest_table(path, "HOSP-T", recipe=bad, out=tmp_path / "o", secret=SECRET)
    line = exc.value.user_line()
    assert "agee" in line and "bad.yaml" in line and "\n" not in line
    wrong_role = tmp_path / "role.yaml"
    wrong_role.write_text("columns:\n  uhid: {role: secret}\n", encoding="utf-8")
    with pytest.raises(InputError, match="role"):
        ingest_table(path, "HOSP-T", recipe=wrong_role, out=tmp_path / "o", secret=SECRET)


def test_every_table_column_is_documented() -> None:
    from medkosh.ingest.schema import known_tables, schema

    doc = (Path(__file__).resolve().parents[2] / "docs" / "reference" / "fhir-tables.md").read_text()
    missing = []
    for table in known_tables():
        for name in schema(table).names:
            if name.startswith("code_") or name == "codings" or name.startswith("reason_"):
                name = name if name in doc else "code_*"
            if f"`{name}`" not in doc and name != "code_*":
                missing.append(f"{table}.{name}")
    assert missing == []
