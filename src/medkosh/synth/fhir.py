"""Render a patient's chart as one FHIR R4 collection Bundle shaped after the NRCeS (ABDM) profiles.

Built as plain dicts and serialised with orjson: validating ~50 resources per patient through
pydantic models would cost more than everything else the generator does; tests validate a sample
with `fhir.resources` instead.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import random
import uuid
from typing import Any

from medkosh.synth.chart import Chart, Encounter
from medkosh.synth.clinical import ICD10, OBS, OBS_UNITS, RXNORM, UCUM, VACCINES
from medkosh.synth.identity import Doctor, Patient, new_uuid
from medkosh.synth.population import Hospital

NRCES = "https://nrces.in/ndhm/fhir/r4/StructureDefinition/"
SNOMED = "http://snomed.info/sct"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ABHA_SYSTEM = "https://healthid.abdm.gov.in"
ABHA_ADDRESS_SYSTEM = "https://healthid.abdm.gov.in/address"
AADHAAR_SYSTEM = "https://uidai.gov.in"
PAN_SYSTEM = "https://incometaxindia.gov.in/pan"

RECORD_TYPES = {  # NRCeS record -> (SNOMED code, display, title)
    "OPConsultRecord": ("371530004", "Clinical consultation report", "Consultation Report"),
    "DischargeSummaryRecord": ("373942005", "Discharge summary", "Discharge Summary"),
    "DiagnosticReportRecord": ("721981007", "Diagnostic studies report", "Diagnostic Report"),
    "PrescriptionRecord": ("440545006", "Prescription record", "Prescription"),
    "ImmunizationRecord": ("41000179103", "Immunization record", "Immunization Record"),
}
SECTIONS = {  # section key -> (SNOMED code, display)
    "conditions": ("371529009", "History and physical report"),
    "observations": ("425044008", "Physical exam section"),
    "labs": ("721981007", "Diagnostic studies report"),
    "medications": ("721912009", "Medication summary document"),
    "immunizations": ("41000179103", "Immunization record"),
    "documents": ("371530004", "Clinical consultation report"),
}
NOTE_TYPES = {"opd": ("11488-4", "Consult note"), "discharge": ("18842-5", "Discharge summary"),
              "lab": ("11502-2", "Laboratory report")}
LAB_KEYS = frozenset({"hba1c", "glucose", "hb", "creatinine", "platelets", "malaria_smear", "afb"})


def uhid_system(hospital: Hospital) -> str:
    return f"https://{hospital.slug}.example.in/uhid"


def _ref(resource_id: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _cc(system: str, code: str, display: str, text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"coding": [{"system": system, "code": code, "display": display}]}
    if text:
        out["text"] = text
    return out


@functools.lru_cache(maxsize=65536)
def _dt(d: dt.date, hour: int = 10) -> str:
    return f"{d.isoformat()}T{hour:02d}:00:00+05:30"


def _patient(p: Patient, hospital: Hospital) -> dict[str, Any]:
    names: list[dict[str, Any]] = [{"use": "official", "text": p.person.full, "family": p.person.family,
                                    "given": [p.person.given], "prefix": [p.honorific]}]
    if p.person.devanagari:
        names.append({"use": "usual", "text": p.person.devanagari})
    return {
        "resourceType": "Patient", "id": p.id, "meta": {"profile": [NRCES + "Patient"]},
        "identifier": [
            {"type": _cc(V2_0203, "MR", "Medical record number"), "system": uhid_system(hospital), "value": p.uhid},
            {"type": {"text": "ABHA number"}, "system": ABHA_SYSTEM, "value": p.abha_number},
            {"type": {"text": "ABHA address"}, "system": ABHA_ADDRESS_SYSTEM, "value": p.abha_address},
            {"type": {"text": "Aadhaar"}, "system": AADHAAR_SYSTEM, "value": p.aadhaar},
            *([{"type": {"text": "PAN"}, "system": PAN_SYSTEM, "value": p.pan}] if p.pan_on_file else []),
        ],
        "name": names,
        "telecom": [{"system": "phone", "value": f"+91-{p.phone}", "use": "mobile"},
                    {"system": "email", "value": p.email, "use": "home"}],
        "gender": "female" if p.person.sex == "F" else "male",
        "birthDate": p.birth_date.isoformat(),
        "address": [{"use": "home", "line": [p.house, p.locality], "city": p.district.city,
                     "district": p.district.name, "state": p.district.state, "postalCode": p.pin, "country": "IN"}],
        "contact": [{"relationship": [_cc("http://terminology.hl7.org/CodeSystem/v2-0131", "N", "Next-of-Kin",
                                          p.relative_role)],
                     "name": {"text": p.relative.full},
                     "telecom": [{"system": "phone", "value": f"+91-{p.relative_phone}"}]}],
        "managingOrganization": _ref(hospital_uuid(hospital)),
    }


@functools.cache
def hospital_uuid(hospital: Hospital) -> str:
    """The Organization's id: fixed per hospital so every bundle of a hospital names the same one."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"medkosh-synth:{hospital.id}:{hospital.name}"))


@functools.cache
def _organization(hospital: Hospital) -> dict[str, Any]:
    """Shared by every bundle of the hospital (built once; serialised, never mutated)."""
    d = hospital.district
    return {"resourceType": "Organization", "id": hospital_uuid(hospital), "meta": {"profile": [NRCES + "Organization"]},
            "identifier": [{"system": "https://facility.abdm.gov.in", "value": f"IN{d.state_code}{hospital.index + 1:08d}"}],
            "name": hospital.name,
            "address": [{"city": d.city, "district": d.name, "state": d.state, "postalCode": hospital.manifest()["pin"],
                         "country": "IN"}]}


@functools.cache
def _practitioner(doc: Doctor) -> dict[str, Any]:
    """Shared by every bundle that names the doctor (built once; serialised, never mutated)."""
    return {"resourceType": "Practitioner", "id": doc.id, "meta": {"profile": [NRCES + "Practitioner"]},
            "identifier": [{"type": _cc(V2_0203, "MD", "Medical License number"),
                            "system": "https://doctor.ndhm.gov.in", "value": doc.registration}],
            "name": [{"text": f"Dr. {doc.person.full}", "family": doc.person.family, "given": [doc.person.given],
                      "prefix": ["Dr."]}],
            "qualification": [{"code": {"text": doc.specialty}}]}


def _quantity(key: str, value: float) -> dict[str, Any]:
    code, unit = OBS_UNITS[key]
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


def _observation(m_id: str, key: str, value: float | str, value2: float | None, e: Encounter, pid: str) -> dict[str, Any]:
    c = OBS[key]
    category = "laboratory" if key in LAB_KEYS else "vital-signs"
    obs: dict[str, Any] = {
        "resourceType": "Observation", "id": m_id, "meta": {"profile": [NRCES + "Observation"]}, "status": "final",
        "category": [_cc("http://terminology.hl7.org/CodeSystem/observation-category", category,
                         "Laboratory" if category == "laboratory" else "Vital Signs")],
        "code": _cc(c.system, c.code, c.display), "subject": _ref(pid), "encounter": _ref(e.id),
        "effectiveDateTime": _dt(e.start, 11),
    }
    if key == "bp":
        assert isinstance(value, int | float) and value2 is not None
        obs["component"] = [
            {"code": _cc(OBS["sbp"].system, OBS["sbp"].code, OBS["sbp"].display), "valueQuantity": _quantity("sbp", value)},
            {"code": _cc(OBS["dbp"].system, OBS["dbp"].code, OBS["dbp"].display), "valueQuantity": _quantity("dbp", value2)},
        ]
    elif isinstance(value, str):
        obs["valueString"] = value
    else:
        obs["valueQuantity"] = _quantity(key, value)
    return obs


def bundle(r: random.Random, p: Patient, hospital: Hospital, doctors: list[Doctor], chart: Chart,
           notes: list[dict[str, Any]]) -> dict[str, Any]:
    """The patient's Bundle; `notes` are this patient's notes.jsonl records (DocumentReference content).
    Ids of resources that hang off an encounter (reports, prescriptions, compositions) come from `r`."""
    bundle_id = new_uuid(r)
    resources: list[dict[str, Any]] = [_patient(p, hospital), _organization(hospital)]
    seen = {len(doctors) - 2 if e.kind == "lab" else e.doctor for e in chart.encounters}
    if any(m.key in LAB_KEYS for e in chart.encounters for m in e.measurements):
        seen.add(len(doctors) - 2)  # the pathologist interprets every laboratory report
    seen_doctors = sorted(seen)
    resources.extend(_practitioner(doctors[i]) for i in seen_doctors)
    org = _ref(hospital_uuid(hospital))
    last = chart_end(chart)
    notes_by_encounter: dict[str, list[dict[str, Any]]] = {}
    for n in notes:
        notes_by_encounter.setdefault(n["encounter_id"], []).append(n)
    for e in chart.encounters:
        author = doctors[len(doctors) - 2] if e.kind == "lab" else doctors[e.doctor]
        cls = ("IMP", "inpatient encounter") if e.kind == "ipd" else ("AMB", "ambulatory")
        encounter: dict[str, Any] = {
            "resourceType": "Encounter", "id": e.id, "meta": {"profile": [NRCES + "Encounter"]},
            "identifier": [{"system": f"https://{hospital.slug}.example.in/encounter", "value": e.id}],
            "status": "finished", "class": {"system": ACT_CODE, "code": cls[0], "display": cls[1]},
            "subject": _ref(p.id), "period": {"start": _dt(e.start, 9), "end": _dt(e.end, 17)},
            "participant": [{"individual": _ref(author.id)}], "serviceProvider": org,
        }
        if e.diagnoses:
            encounter["reasonCode"] = [_cc(ICD10, d.code, d.display) for d in e.diagnoses[:1]]
        if e.kind == "ipd":
            encounter["hospitalization"] = {"dischargeDisposition": {"text": "Discharged home"}}
        resources.append(encounter)
        sections: dict[str, list[str]] = {}
        for d in e.diagnoses:
            resources.append({
                "resourceType": "Condition", "id": d.id, "meta": {"profile": [NRCES + "Condition"]},
                "clinicalStatus": _cc("http://terminology.hl7.org/CodeSystem/condition-clinical",
                                      "active" if d.chronic else "resolved", "Active" if d.chronic else "Resolved"),
                "category": [_cc("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis",
                                 "Encounter Diagnosis")],
                "code": _cc(ICD10, d.code, d.display, d.display), "subject": _ref(p.id), "encounter": _ref(e.id),
                "onsetDateTime": _dt(d.onset, 8), "recordedDate": _dt(d.recorded, 10),
            })
            sections.setdefault("conditions", []).append(d.id)
        lab_ids = []
        for m in e.measurements:
            resources.append(_observation(m.id, m.key, m.value, m.value2, e, p.id))
            if m.key in LAB_KEYS:
                lab_ids.append(m.id)
            else:
                sections.setdefault("observations", []).append(m.id)
        if lab_ids:
            report_id = new_uuid(r)
            resources.append({
                "resourceType": "DiagnosticReport", "id": report_id, "meta": {"profile": [NRCES + "DiagnosticReportLab"]},
                "status": "final", "category": [_cc("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")],
                "code": _cc(OBS["hba1c"].system, "11502-2", "Laboratory report"), "subject": _ref(p.id),
                "encounter": _ref(e.id), "effectiveDateTime": _dt(e.start, 11), "issued": _dt(e.start, 16),
                "performer": [org], "resultsInterpreter": [_ref(doctors[len(doctors) - 2].id)],
                "result": [_ref(i) for i in lab_ids],
            })
            sections.setdefault("labs", []).append(report_id)
        for drug in e.drugs:
            med_id = new_uuid(r)
            med: dict[str, Any] = {"text": f"{drug.name} ({drug.brand})"}
            if drug.rxnorm:
                med["coding"] = [{"system": RXNORM, "code": drug.rxnorm, "display": drug.name}]
            resources.append({
                "resourceType": "MedicationRequest", "id": med_id, "meta": {"profile": [NRCES + "MedicationRequest"]},
                "status": "completed" if e.end < last else "active", "intent": "order",
                "medicationCodeableConcept": med, "subject": _ref(p.id), "encounter": _ref(e.id),
                "authoredOn": _dt(e.end, 12), "requester": _ref(author.id),
                "dosageInstruction": [{"text": drug.dose}],
            })
            sections.setdefault("medications", []).append(med_id)
        for vaccine in e.vaccines:
            imm_id = new_uuid(r)
            v = VACCINES[vaccine]
            resources.append({
                "resourceType": "Immunization", "id": imm_id, "meta": {"profile": [NRCES + "Immunization"]},
                "status": "completed", "vaccineCode": _cc(v.system, v.code, v.display), "patient": _ref(p.id),
                "encounter": _ref(e.id), "occurrenceDateTime": _dt(e.start, 10), "primarySource": True,
                "lotNumber": f"{vaccine.upper()}{e.start.year % 100:02d}{int(e.id[:6], 16) % 9000 + 1000}",
                "performer": [{"actor": _ref(author.id)}],
            })
            sections.setdefault("immunizations", []).append(imm_id)
        for n in notes_by_encounter.get(e.id, []):
            code, display = NOTE_TYPES[n["note_type"]]
            doc_id = n["id"]
            resources.append({
                "resourceType": "DocumentReference", "id": doc_id, "meta": {"profile": [NRCES + "DocumentReference"]},
                "status": "current", "docStatus": "final", "type": _cc("http://loinc.org", code, display),
                "subject": _ref(p.id), "date": _dt(e.end, 18), "author": [_ref(author.id)], "custodian": org,
                "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "language": "en-IN",
                                            "data": base64.b64encode(n["text"].encode()).decode("ascii"),
                                            "title": display, "creation": _dt(e.end, 18)}}],
                "context": {"encounter": [_ref(e.id)]},
            })
            sections.setdefault("documents", []).append(doc_id)
        code, display, title = RECORD_TYPES[e.record_type]
        composition: dict[str, Any] = {
            "resourceType": "Composition", "id": new_uuid(r),
            "meta": {"profile": [NRCES + e.record_type]}, "status": "final",
            "type": _cc(SNOMED, code, display, display), "subject": _ref(p.id), "encounter": _ref(e.id),
            "date": _dt(e.end, 18), "author": [_ref(author.id)], "title": title, "custodian": org,
        }
        if sections:  # FHIR forbids empty arrays; an encounter with nothing recorded has no sections
            composition["section"] = [{"title": SECTIONS[k][1], "code": _cc(SNOMED, *SECTIONS[k]),
                                       "entry": [_ref(x) for x in ids]} for k, ids in sections.items()]
        resources.append(composition)
    return {
        "resourceType": "Bundle", "id": bundle_id, "meta": {"profile": [NRCES + "DocumentBundle"]},
        "identifier": {"system": "https://medkosh.example.in/synth/bundle", "value": bundle_id},
        "type": "collection", "timestamp": _dt(chart_end(chart), 23),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def chart_end(chart: Chart) -> dt.date:
    return max((e.end for e in chart.encounters), default=dt.date(2025, 12, 31))
