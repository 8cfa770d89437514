"""The acceptance checks of `medkosh synth` on a 1000-patient dataset (see conftest.synth_1000)."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from pathlib import Path

import pydicom
import pytest

from medkosh.consent.jws import canonical_json, load_public_key, verify_detached
from medkosh.synth import refdata
from medkosh.synth.verhoeff import is_aadhaar_like, is_valid

PIN_PREFIX = {}
for _d in refdata.districts():
    PIN_PREFIX.setdefault(_d.state, set()).add(_d.pin_prefix[:2])


def _bundles(out: Path) -> list[Path]:
    return sorted(out.glob("fhir/*/*.json"))


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_layout_and_manifest(synth_1000: Path) -> None:
    manifest = json.loads((synth_1000 / "manifest.json").read_text())
    assert manifest["generator"] == "medkosh-synth" and manifest["seed"] == 7 and manifest["patients"] == 1000
    assert len(manifest["hospitals"]) == 3
    assert len({h["state"] for h in manifest["hospitals"]}) == 3
    for h in manifest["hospitals"]:
        assert re.fullmatch(r"\d{6}", h["pin"]) and h["pin"][:2] in PIN_PREFIX[h["state"]]
    assert len(_bundles(synth_1000)) == 1000 == manifest["counts"]["fhir_bundles"]
    assert {p.name for p in (synth_1000 / "his").iterdir()} == {f"{h['id']}_admissions.csv" for h in manifest["hospitals"]}
    for name in ("notes/notes.jsonl", "outcomes.csv", "canaries.json", "consent-manager/public.json",
                 "consent-manager/private.key"):
        assert (synth_1000 / name).is_file(), name
    o = manifest["outbreak"]
    assert o["condition"] == "dengue" and o["district"] == "Kolkata" and o["iso_week"] == "2024-W38"
    assert o["injected_cases"] >= 10
    assert not list(synth_1000.parent.glob(".*synth-tmp*"))


def test_fhir_bundles_parse_with_fhir_resources(synth_1000: Path) -> None:
    from fhir.resources.R4B.bundle import Bundle

    paths = _bundles(synth_1000)
    for path in paths[:: len(paths) // 20][:20]:
        bundle = Bundle.model_validate_json(path.read_bytes())
        assert bundle.type == "collection"
        kinds = {e.resource.__resource_type__ for e in bundle.entry}
        assert {"Patient", "Organization", "Practitioner", "Encounter", "Composition"} <= kinds
        ids = {e.fullUrl for e in bundle.entry}
        raw = path.read_text()
        for ref in set(re.findall(r'"reference":"(urn:uuid:[0-9a-f-]+)"', raw)):
            assert ref in ids, f"dangling reference {ref} in {path.name}"


def test_no_record_before_birth_and_outbreak_is_visible(synth_1000: Path) -> None:
    import datetime as dt

    manifest = json.loads((synth_1000 / "manifest.json").read_text())
    o = manifest["outbreak"]
    in_week = 0
    for path in _bundles(synth_1000):
        bundle = json.loads(path.read_bytes())
        patient = _resources(bundle, "Patient")[0]
        for e in _resources(bundle, "Encounter"):
            assert e["period"]["start"][:10] >= patient["birthDate"]
        if patient["address"][0]["district"] == o["district"]:
            for c in _resources(bundle, "Condition"):
                if c["code"]["coding"][0]["code"][:3] in ("A90", "A91") and \
                        o["week_start"] <= c["recordedDate"][:10] <= o["week_end"]:
                    in_week += 1
    assert in_week >= o["injected_cases"]
    assert dt.date.fromisoformat(o["week_start"]).isocalendar()[:2] == (2024, 38)


def test_identifiers_are_well_formed(synth_1000: Path) -> None:
    seen_abha = set()
    for path in _bundles(synth_1000):
        patient = _resources(json.loads(path.read_bytes()), "Patient")[0]
        ids = {i["system"]: i["value"] for i in patient["identifier"]}
        abha = ids["https://healthid.abdm.gov.in"]
        assert re.fullmatch(r"\d{2}-\d{4}-\d{4}-\d{4}", abha) and len(abha.replace("-", "")) == 14
        assert ids["https://healthid.abdm.gov.in/address"].endswith("@abdm")
        aadhaar = ids["https://uidai.gov.in"]
        assert is_aadhaar_like(aadhaar)
        wrong = aadhaar[:-1] + str((int(aadhaar[-1]) + 1) % 10)
        assert not is_valid(wrong)
        address = patient["address"][0]
        assert address["postalCode"][:2] in PIN_PREFIX[address["state"]]
        assert re.fullmatch(r"\+91-[6-9]\d{9}", patient["telecom"][0]["value"])
        seen_abha.add(abha)
    assert len(seen_abha) == 1000


def test_conditions_observations_and_seasonality(synth_1000: Path) -> None:
    codes: dict[str, int] = {}
    dengue_months: list[int] = []
    loinc = set()
    for path in _bundles(synth_1000):
        bundle = json.loads(path.read_bytes())
        for c in _resources(bundle, "Condition"):
            code = c["code"]["coding"][0]["code"]
            codes[code[:3]] = codes.get(code[:3], 0) + 1
            if code[:3] in ("A90", "A91") and not c["recordedDate"].startswith("2024-09-1"):
                dengue_months.append(int(c["recordedDate"][5:7]))
        loinc |= {o["code"]["coding"][0]["code"] for o in _resources(bundle, "Observation")}
        assert all(m["medicationCodeableConcept"]["text"] for m in _resources(bundle, "MedicationRequest"))
    for prefix in ("E11", "I10", "D50", "J44", "N18", "A09"):
        assert codes.get(prefix, 0) > 0, prefix
    assert codes.get("A15", 0) + codes.get("A16", 0) + codes.get("A18", 0) + codes.get("A19", 0) > 0
    assert {"4548-4", "1558-6", "85354-9", "718-7", "2160-0"} <= loinc
    monsoon = sum(1 for m in dengue_months if 8 <= m <= 11)
    assert monsoon > len(dengue_months) / 2, "dengue should peak August-November"


def test_notes_have_exact_gold_spans(synth_1000: Path) -> None:
    lines = (synth_1000 / "notes" / "notes.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) > 500
    bundles = {p.stem: json.loads(p.read_bytes()) for p in _bundles(synth_1000)}
    labels: set[str] = set()
    types: set[str] = set()
    upper = devanagari = 0
    for line in lines:
        note = json.loads(line)
        text = note["text"]
        types.add(note["note_type"])
        upper += text == text.upper()
        bundle = bundles[note["patient_id"]]
        patient = _resources(bundle, "Patient")[0]
        ids = {i["system"].rsplit("/", 1)[-1]: i["value"] for i in patient["identifier"]}
        mrn = next(i["value"] for i in patient["identifier"] if i["system"].endswith("/uhid"))
        phones = {patient["telecom"][0]["value"][-10:], patient["contact"][0]["telecom"][0]["value"][-10:]}
        doc = next(d for d in _resources(bundle, "DocumentReference") if d["id"] == note["id"])
        assert base64.b64decode(doc["content"][0]["attachment"]["data"]).decode() == text
        prev_end = 0
        for span in note["phi"]:
            value = text[span["start"]:span["end"]]
            label = span["label"]
            labels.add(label)
            assert value and value == value.strip(), (label, value)
            assert span["start"] >= prev_end, "spans must not overlap"
            prev_end = span["end"]
            u = value.upper()
            if label == "MRN":
                assert u == mrn.upper()
            elif label == "ABHA_NUMBER":
                assert u.replace("-", "") == ids["healthid.abdm.gov.in"].replace("-", "")
            elif label == "ABHA_ADDRESS":
                assert u == ids["address"].upper()
            elif label == "AADHAAR":
                digits = re.sub(r"[ -]", "", u)
                assert digits[-4:] == ids["uidai.gov.in"][-4:] and (digits.startswith("XXXX") or digits == ids["uidai.gov.in"])
            elif label == "PHONE":
                assert re.sub(r"\D", "", u)[-10:] in phones
            elif label == "EMAIL":
                assert u == patient["telecom"][1]["value"].upper()
            elif label == "PIN":
                assert u == patient["address"][0]["postalCode"]
            elif label == "AGE":
                assert re.fullmatch(r"\d{1,3}( YEARS|-YEAR-OLD|-MONTH-OLD)?", u)
            elif label == "PAN":
                assert re.fullmatch(r"[A-Z]{5}\d{4}[A-Z]", u)
            elif label == "NAME" and re.search("[\u0900-\u097f]", value):
                devanagari += 1
        # medical eponyms and drug names are present but never labelled
    assert types == {"opd", "discharge", "lab"}
    assert {"NAME", "MRN", "DATE", "AGE", "PHONE", "ABHA_NUMBER", "ABHA_ADDRESS", "AADHAAR", "PAN", "EMAIL",
            "ADDRESS", "PIN", "HOSPITAL", "LOCATION", "ID"} <= labels
    assert upper > 10 and devanagari > 0


def test_ages_over_89_and_date_formats_appear(synth_1000: Path) -> None:
    text = (synth_1000 / "notes" / "notes.jsonl").read_text(encoding="utf-8")
    notes = [json.loads(line) for line in text.splitlines()]
    ages = [int(re.match(r"\d+", n["text"][s["start"]:s["end"]]).group()) for n in notes for s in n["phi"]
            if s["label"] == "AGE"]
    assert max(ages) > 89
    dates = [n["text"][s["start"]:s["end"]] for n in notes for s in n["phi"] if s["label"] == "DATE"]
    patterns = [r"\d{2}/\d{2}/\d{4}", r"\d{2}-[A-Za-z]{3}-\d{4}", r"\d{1,2}(st|nd|rd|th) [A-Za-z]+ \d{4}",
                r"\d{2}\.\d{2}\.\d{2}"]
    for pattern in patterns:
        assert any(re.fullmatch(pattern, d, re.I) for d in dates), pattern


def test_dicom_reads_with_pydicom(synth_1000: Path) -> None:
    files = sorted(synth_1000.glob("dicom/*/*/*.dcm"))
    assert 100 < len(files)
    modalities = set()
    burned = 0
    for path in files:
        ds = pydicom.dcmread(path)
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID == path.stem
        assert path.parent.name == ds.StudyInstanceUID
        assert ds.pixel_array.size > 0
        block = ds.private_block(0x0011, "MEDKOSH SYNTH")
        assert block[0x10].value == ds.PatientID
        assert ds.InstitutionName and ds.ReferringPhysicianName and ds.PatientBirthDate
        modalities.add(ds.Modality)
        burned += ds.BurnedInAnnotation == "YES"
        assert path.stat().st_size < 32_000
        # The generator's own encoder writes exactly what pydicom 3 writes for the same dataset.
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        assert buf.getvalue() == path.read_bytes(), path.name
    assert {"CR", "CT"} <= modalities and modalities & {"US", "OT"} and burned > 0


def test_consents_verify_and_vary(synth_1000: Path) -> None:
    public = json.loads((synth_1000 / "consent-manager" / "public.json").read_text())
    key = load_public_key(public["public_key"])
    statuses, purposes, erase_past = {}, set(), 0
    encounter_ids = set()
    for path in _bundles(synth_1000):
        encounter_ids |= {e["id"] for e in _resources(json.loads(path.read_bytes()), "Encounter")}
    for path in sorted((synth_1000 / "consents").glob("*.json")):
        artefact = json.loads(path.read_bytes())
        detail = artefact["consentDetail"]
        assert path.stem == detail["consentId"]
        assert verify_detached(artefact["signature"], canonical_json(detail), key)
        tampered = {**detail, "purpose": {**detail["purpose"], "code": "BTG"}}
        assert not verify_detached(artefact["signature"], canonical_json(tampered), key)
        statuses[artefact["status"]] = statuses.get(artefact["status"], 0) + 1
        purposes.add(detail["purpose"]["code"])
        erase_past += detail["permission"]["dataEraseAt"] < "2026"
        assert detail["patient"]["id"].endswith("@abdm")
        assert all(c["careContextReference"] in encounter_ids for c in detail["careContexts"])
    assert {"GRANTED", "REVOKED", "EXPIRED"} <= set(statuses)
    assert statuses["GRANTED"] > sum(statuses.values()) / 2
    assert {"DSRCH", "CAREMGT"} <= purposes and erase_past > 0


def test_canaries_are_planted_everywhere(synth_1000: Path) -> None:
    canaries = json.loads((synth_1000 / "canaries.json").read_text())
    kinds = {c["kind"] for c in canaries}
    assert {"NAME", "ABHA_NUMBER", "AADHAAR", "PHONE", "MRN"} <= kinds
    fhir = "".join(p.read_text() for p in _bundles(synth_1000) if p.stem in {c["patient_id"] for c in canaries})
    notes = (synth_1000 / "notes" / "notes.jsonl").read_text(encoding="utf-8")
    his = "".join(p.read_text(encoding="utf-8-sig") for p in (synth_1000 / "his").iterdir())
    dicom_text = b"".join(p.read_bytes() for p in synth_1000.glob("dicom/*/*/*.dcm")).decode("utf-8", "replace")
    for c in canaries:
        assert any(f in fhir for f in c["forms"]), c["kind"]
        assert c["value"] in c["forms"]
        if c["kind"] in ("NAME", "MRN", "ABHA_NUMBER", "PHONE", "AADHAAR"):
            assert any(f in notes for f in c["forms"]), c["kind"]
        if c["kind"] in ("NAME", "MRN", "PHONE"):
            assert any(f in his for f in c["forms"]), c["kind"]
        if c["kind"] in ("NAME", "MRN", "ABHA_NUMBER"):
            assert any(f in dicom_text for f in c["forms"]), c["kind"]


def test_his_extract_and_outcomes(synth_1000: Path) -> None:
    manifest = json.loads((synth_1000 / "manifest.json").read_text())
    boms = []
    for h in manifest["hospitals"]:
        raw = (synth_1000 / "his" / f"{h['id']}_admissions.csv").read_bytes()
        boms.append(raw.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
        assert rows and list(rows[0]) == ["uhid", "patient_name", "age", "sex", "phone", "pin", "district", "state",
                                          "admission_date", "discharge_date", "icd10", "diagnosis", "ward"]
        assert all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", r["admission_date"]) for r in rows)
    assert any(boms) and not all(boms)
    outcomes = list(csv.DictReader((synth_1000 / "outcomes.csv").read_text().splitlines()))
    positives = sum(r["outcome"] == "1" for r in outcomes)
    assert 0 < positives < len(outcomes)


def test_outcome_is_learnable_and_differs_by_hospital() -> None:
    """The labelled task is neither trivial nor noise: a simple model on the visible features gets AUROC ~0.75-0.85."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import cross_val_predict

    from medkosh.synth.population import build

    pop = build(11, 20000, 3, 3, None)
    c = pop.cohort
    x = np.c_[pop.hba1c[c], pop.age[c], pop.dm_years[c], pop.chronic["hypertension"][c]]
    y = pop.outcome[c]
    pred = cross_val_predict(LogisticRegression(max_iter=1000), x, y, cv=5, method="predict_proba")[:, 1]
    auc = roc_auc_score(y, pred)
    assert 0.72 <= auc <= 0.88, auc
    rates = [y[pop.hospital[c] == h].mean() for h in range(3)]
    assert max(rates) - min(rates) > 0.01


@pytest.mark.parametrize("bad", ["dengue", "cholera:Pune:2024-W38", "dengue:Pune:2024-38", "dengue:Pune:2024-W60",
                                 "dengue:Pune:2024-W38:0.5", "dengue:Pune:2024-W38:x"])
def test_outbreak_syntax_errors(bad: str) -> None:
    from medkosh.errors import InputError
    from medkosh.synth.outbreak import parse_outbreak

    with pytest.raises(InputError) as err:
        parse_outbreak(bad)
    assert "\n" not in err.value.user_line() and "--outbreak" in err.value.user_line()
