"""FHIR resource (plain dict) → one table row. Each extractor returns the table-specific columns and
the raw date string that becomes `record_date`; fhir.py adds the common columns."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any

from medkosh.ingest.fhir_values import (
    concept,
    concept_triplet,
    display_of,
    first,
    first_code,
    number,
    parse_instant,
    period_or_value,
)

Row = dict[str, Any]
Extractor = Callable[[dict[str, Any]], tuple[Row, Any]]


def _status(res: dict[str, Any], key: str) -> str | None:
    value = res.get(key)
    if isinstance(value, dict):
        return first_code([value])
    return value if isinstance(value, str) else None


def patient(res: dict[str, Any]) -> tuple[Row, Any]:
    names = res.get("name") or []
    name = next((n for n in names if isinstance(n, dict) and n.get("use") == "official"), first(names)) or {}
    given = " ".join(str(g) for g in name.get("given") or [])
    family = name.get("family")
    text = name.get("text") or " ".join(x for x in (" ".join(str(p) for p in name.get("prefix") or []),
                                                    given, family or "") if x).strip() or None
    telecom = [t for t in res.get("telecom") or [] if isinstance(t, dict)]
    address = next((a for a in res.get("address") or [] if isinstance(a, dict)), {})
    deceased_at = parse_instant(res.get("deceasedDateTime"))
    birth = parse_instant(res.get("birthDate"))
    return {
        "identifiers": [
            {"system": i.get("system"), "value": None if i.get("value") is None else str(i.get("value")),
             "type": first_code([i.get("type")]) if isinstance(i.get("type"), dict) else None}
            for i in res.get("identifier") or [] if isinstance(i, dict)
        ],
        "name": text, "given": given or None, "family": family,
        "gender": res.get("gender"), "birth_date": birth.date() if birth else None,
        "deceased": bool(res.get("deceasedBoolean")) or deceased_at is not None
        if ("deceasedBoolean" in res or deceased_at) else None,
        "deceased_at": deceased_at,
        "phone": next((str(t.get("value")) for t in telecom if t.get("system") == "phone"), None),
        "email": next((str(t.get("value")) for t in telecom if t.get("system") == "email"), None),
        "address_line": ", ".join(str(x) for x in address.get("line") or []) or address.get("text"),
        "city": address.get("city"), "district": address.get("district"), "state": address.get("state"),
        "postal_code": address.get("postalCode"), "country": address.get("country"),
    }, None


def encounter(res: dict[str, Any]) -> tuple[Row, Any]:
    period = res.get("period") or {}
    cls = res.get("class")
    reason = first(res.get("reasonCode"))
    return {
        "status": res.get("status"), "class_code": cls.get("code") if isinstance(cls, dict) else None,
        **concept(first(res.get("type"))),
        "period_start": parse_instant(period.get("start")), "period_end": parse_instant(period.get("end")),
        **concept_triplet(reason, "reason"),
        "service_provider": display_of(res.get("serviceProvider")),
    }, period.get("start")


def condition(res: dict[str, Any]) -> tuple[Row, Any]:
    onset, _ = period_or_value(res, "onset")
    abatement, _ = period_or_value(res, "abatement")
    return {
        "clinical_status": _status(res, "clinicalStatus"), "verification_status": _status(res, "verificationStatus"),
        "category": first_code(res.get("category")), **concept(res.get("code")),
        "onset": parse_instant(onset), "abatement": parse_instant(abatement),
        "recorded": parse_instant(res.get("recordedDate")),
    }, res.get("recordedDate") or onset


_NO_VALUE: Row = {"value_type": None, "value_num": None, "value_unit": None, "value_code_system": None,
                  "value_code": None, "value_code_display": None, "value_string": None}


def _value(res: dict[str, Any]) -> Row:
    out = _NO_VALUE.copy()
    if "valueQuantity" in res:
        q = res["valueQuantity"] or {}
        out["value_type"] = "Quantity"
        out["value_num"] = number(q.get("value"))
        out["value_unit"] = q.get("unit") or q.get("code")
    elif "valueCodeableConcept" in res:
        c = concept_triplet(res["valueCodeableConcept"], "value_code")
        out["value_type"] = "CodeableConcept"
        out["value_code_system"] = c["value_code_system"]
        out["value_code"] = c["value_code_code"]
        out["value_code_display"] = c["value_code_display"]
    elif "valueString" in res:
        out["value_type"] = "string"
        out["value_string"] = str(res["valueString"])
    elif "valueBoolean" in res:
        out["value_type"] = "boolean"
        out["value_string"] = str(res["valueBoolean"]).lower()
    elif "valueInteger" in res:
        out["value_type"] = "integer"
        out["value_num"] = number(res["valueInteger"])
    elif "valueDateTime" in res:
        out["value_type"] = "dateTime"
        out["value_string"] = str(res["valueDateTime"])
    elif "valueRange" in res:
        low = (res["valueRange"] or {}).get("low") or {}
        out["value_type"] = "Range"
        out["value_num"] = number(low.get("value"))
        out["value_unit"] = low.get("unit")
    return out


def observation(res: dict[str, Any]) -> tuple[Row, Any]:
    effective, _ = period_or_value(res, "effective")
    rng = first(res.get("referenceRange")) or {}
    components = []
    for comp in res.get("component") or []:
        if not isinstance(comp, dict):
            continue
        c = concept(comp.get("code"))
        v = _value(comp)
        components.append({"code_system": c["code_system"], "code": c["code"], "code_display": c["code_display"],
                           "value_num": v["value_num"], "value_unit": v["value_unit"],
                           "value_string": v["value_string"] or v["value_code_display"]})
    return {
        "status": res.get("status"), "category": first_code(res.get("category")), **concept(res.get("code")),
        **_value(res), "effective": parse_instant(effective), "issued": parse_instant(res.get("issued")),
        "interpretation": first_code(res.get("interpretation")),
        "reference_low": number((rng.get("low") or {}).get("value")),
        "reference_high": number((rng.get("high") or {}).get("value")),
        "components": components,
    }, effective or res.get("issued")


def medication_request(res: dict[str, Any], medication: dict[str, Any] | None = None) -> tuple[Row, Any]:
    med_cc = res.get("medicationCodeableConcept")
    if med_cc is None and medication is not None:
        med_cc = medication.get("code")
    dosage = first(res.get("dosageInstruction")) or {}
    return {
        "status": res.get("status"), "intent": res.get("intent"), **concept(med_cc),
        "authored_on": parse_instant(res.get("authoredOn")), "dosage_text": dosage.get("text"),
        "requester": display_of(res.get("requester")), **concept_triplet(first(res.get("reasonCode")), "reason"),
    }, res.get("authoredOn")


def procedure(res: dict[str, Any]) -> tuple[Row, Any]:
    start, end = period_or_value(res, "performed")
    return {
        "status": res.get("status"), **concept(res.get("code")),
        "performed_start": parse_instant(start), "performed_end": parse_instant(end),
        **concept_triplet(first(res.get("reasonCode")), "reason"),
    }, start


def immunization(res: dict[str, Any]) -> tuple[Row, Any]:
    occurrence = res.get("occurrenceDateTime") or res.get("occurrenceString")
    dose = first(res.get("protocolApplied")) or {}
    dose_number = dose.get("doseNumberPositiveInt", dose.get("doseNumberString"))
    return {
        "status": res.get("status"), **concept(res.get("vaccineCode")), "occurrence": parse_instant(occurrence),
        "lot_number": res.get("lotNumber"), "dose_number": None if dose_number is None else str(dose_number),
        "primary_source": res.get("primarySource"),
    }, occurrence or res.get("recorded")


def diagnostic_report(res: dict[str, Any]) -> tuple[Row, Any]:
    effective, _ = period_or_value(res, "effective")
    return {
        "status": res.get("status"), "category": first_code(res.get("category")), **concept(res.get("code")),
        "effective": parse_instant(effective), "issued": parse_instant(res.get("issued")),
        "conclusion": res.get("conclusion"),
        "result_ids": [r["reference"] for r in res.get("result") or [] if isinstance(r, dict) and r.get("reference")],
        "presented_form_types": [str(f.get("contentType")) for f in res.get("presentedForm") or []
                                 if isinstance(f, dict) and f.get("contentType")],
    }, effective or res.get("issued")


def attachment_columns(att: dict[str, Any]) -> Row:
    """Text attachments are decoded into `text`; binary ones keep only size, sha256 and url."""
    content_type = att.get("contentType")
    data = att.get("data")
    raw: bytes | None = None
    if isinstance(data, str):
        try:
            raw = base64.b64decode(data, validate=False)
        except (binascii.Error, ValueError):
            raw = None
    text = None
    if raw is not None and (content_type or "text/plain").lower().startswith(("text/", "application/fhir+json")):
        text = raw.decode("utf-8", errors="replace")
    size = len(raw) if raw is not None else att.get("size")
    return {"content_type": content_type, "text": text, "attachment_size": size if isinstance(size, int) else None,
            "attachment_sha256": hashlib.sha256(raw).hexdigest() if raw is not None else None,
            "attachment_url": att.get("url")}


def document(res: dict[str, Any]) -> tuple[Row, Any]:
    content = first(res.get("content")) or {}
    att = content.get("attachment") or {}
    context = res.get("context") or {}
    period = context.get("period") or {}
    date = res.get("date") or period.get("start")
    return {
        "status": res.get("status"), "category": first_code(res.get("category")), **concept(res.get("type")),
        "date": parse_instant(date), "title": att.get("title") or res.get("description"),
        **attachment_columns(att),
    }, date


def imaging_study(res: dict[str, Any]) -> tuple[Row, Any]:
    uid = next((str(i.get("value")) for i in res.get("identifier") or []
                if isinstance(i, dict) and str(i.get("system") or "") == "urn:dicom:uid"), None)
    if uid and uid.startswith("urn:oid:"):
        uid = uid[len("urn:oid:"):]
    return {
        "status": res.get("status"), "started": parse_instant(res.get("started")), "study_uid": uid,
        "modalities": [str(m.get("code")) for m in res.get("modality") or [] if isinstance(m, dict) and m.get("code")],
        "number_of_series": res.get("numberOfSeries"), "number_of_instances": res.get("numberOfInstances"),
        "description": res.get("description"), **concept(first(res.get("procedureCode"))),
    }, res.get("started")


EXTRACTORS: dict[str, Extractor] = {
    "Patient": patient, "Encounter": encounter, "Condition": condition, "Observation": observation,
    "Procedure": procedure, "Immunization": immunization, "DiagnosticReport": diagnostic_report,
    "DocumentReference": document, "ImagingStudy": imaging_study,
}
