"""The stable Parquet schemas of the raw-zone tables built from FHIR (documented column by column in
docs/reference/fhir-tables.md; change both together, and only by adding columns).

Every table starts with the common columns. The main concept of a record (condition code, LOINC
code, medication, vaccine, report/document type, procedure) is always `code_system`, `code`,
`code_display`, `code_text`, with every coding kept in `codings`.
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
CODING = pa.struct([("system", pa.string()), ("code", pa.string()), ("display", pa.string())])
IDENTIFIER = pa.struct([("system", pa.string()), ("value", pa.string()), ("type", pa.string())])
COMPONENT = pa.struct([
    ("code_system", pa.string()), ("code", pa.string()), ("code_display", pa.string()),
    ("value_num", pa.float64()), ("value_unit", pa.string()), ("value_string", pa.string()),
])

COMMON: list[tuple[str, pa.DataType]] = [
    ("source_id", pa.string()), ("run_id", pa.string()), ("patient_key", pa.string()),
    ("record_date", pa.date32()), ("hi_type", pa.string()),
    ("resource_id", pa.string()), ("encounter_id", pa.string()),
]
CODE: list[tuple[str, pa.DataType]] = [
    ("code_system", pa.string()), ("code", pa.string()), ("code_display", pa.string()),
    ("code_text", pa.string()), ("codings", pa.list_(CODING)),
]

_FIELDS: dict[str, list[tuple[str, pa.DataType]]] = {
    "patient": [
        ("uhid", pa.string()), ("abha_number", pa.string()), ("abha_address", pa.string()),
        ("aadhaar", pa.string()), ("identifiers", pa.list_(IDENTIFIER)),
        ("name", pa.string()), ("given", pa.string()), ("family", pa.string()),
        ("gender", pa.string()), ("birth_date", pa.date32()), ("deceased", pa.bool_()),
        ("deceased_at", TS), ("phone", pa.string()), ("email", pa.string()),
        ("address_line", pa.string()), ("city", pa.string()), ("district", pa.string()),
        ("state", pa.string()), ("postal_code", pa.string()), ("country", pa.string()),
    ],
    "encounter": [
        ("status", pa.string()), ("class_code", pa.string()), *CODE,
        ("period_start", TS), ("period_end", TS),
        ("reason_system", pa.string()), ("reason_code", pa.string()), ("reason_display", pa.string()),
        ("service_provider", pa.string()),
    ],
    "condition": [
        ("clinical_status", pa.string()), ("verification_status", pa.string()), ("category", pa.string()),
        *CODE, ("onset", TS), ("abatement", TS), ("recorded", TS),
    ],
    "observation": [
        ("status", pa.string()), ("category", pa.string()), *CODE,
        ("value_type", pa.string()), ("value_num", pa.float64()), ("value_unit", pa.string()),
        ("value_code_system", pa.string()), ("value_code", pa.string()), ("value_code_display", pa.string()),
        ("value_string", pa.string()), ("effective", TS), ("issued", TS), ("interpretation", pa.string()),
        ("reference_low", pa.float64()), ("reference_high", pa.float64()),
        ("components", pa.list_(COMPONENT)),
    ],
    "medication_request": [
        ("status", pa.string()), ("intent", pa.string()), *CODE, ("authored_on", TS),
        ("dosage_text", pa.string()), ("requester", pa.string()),
        ("reason_system", pa.string()), ("reason_code", pa.string()), ("reason_display", pa.string()),
    ],
    "procedure": [
        ("status", pa.string()), *CODE, ("performed_start", TS), ("performed_end", TS),
        ("reason_system", pa.string()), ("reason_code", pa.string()), ("reason_display", pa.string()),
    ],
    "immunization": [
        ("status", pa.string()), *CODE, ("occurrence", TS), ("lot_number", pa.string()),
        ("dose_number", pa.string()), ("primary_source", pa.bool_()),
    ],
    "diagnostic_report": [
        ("status", pa.string()), ("category", pa.string()), *CODE, ("effective", TS), ("issued", TS),
        ("conclusion", pa.string()), ("result_ids", pa.list_(pa.string())),
        ("presented_form_types", pa.list_(pa.string())),
    ],
    "document": [
        ("status", pa.string()), ("category", pa.string()), *CODE, ("date", TS), ("title", pa.string()),
        ("content_type", pa.string()), ("text", pa.large_string()), ("attachment_size", pa.int64()),
        ("attachment_sha256", pa.string()), ("attachment_url", pa.string()),
    ],
    "imaging_study": [
        ("status", pa.string()), ("started", TS), ("study_uid", pa.string()),
        ("modalities", pa.list_(pa.string())), ("number_of_series", pa.int64()),
        ("number_of_instances", pa.int64()), ("description", pa.string()), *CODE,
    ],
}

# Resource type → table. Types not listed are counted in the report (`not_tabulated`) but not tabulated.
RESOURCE_TABLE: dict[str, str] = {
    "Patient": "patient", "Encounter": "encounter", "Condition": "condition", "Observation": "observation",
    "MedicationRequest": "medication_request", "Procedure": "procedure", "Immunization": "immunization",
    "DiagnosticReport": "diagnostic_report", "DocumentReference": "document", "ImagingStudy": "imaging_study",
}
FHIR_TABLES: tuple[str, ...] = tuple(_FIELDS)

# Tables written by the other ingest channels (notes.py, dicom.py); tabular extracts are tab_<name>.
NOTE_FIELDS: list[tuple[str, pa.DataType]] = [
    ("note_id", pa.string()), ("note_type", pa.string()), ("date", TS), ("text", pa.large_string()),
]
IMAGING_INSTANCE_FIELDS: list[tuple[str, pa.DataType]] = [
    ("study_uid", pa.string()), ("series_uid", pa.string()), ("sop_uid", pa.string()),
    ("sop_class_uid", pa.string()), ("modality", pa.string()), ("body_part", pa.string()),
    ("rows", pa.int64()), ("columns", pa.int64()), ("object_sha256", pa.string()),
    ("object_size", pa.int64()), ("flagged_for_review", pa.bool_()), ("review_reason", pa.string()),
]


def schema(table: str) -> pa.Schema:
    """The full Parquet schema (common columns first) of a FHIR, note or imaging table."""
    if table in _FIELDS:
        return pa.schema(COMMON + _FIELDS[table])
    if table == "note":
        return pa.schema(COMMON + NOTE_FIELDS)
    if table == "imaging_instance":
        return pa.schema(COMMON + IMAGING_INSTANCE_FIELDS)
    raise KeyError(table)


def known_tables() -> tuple[str, ...]:
    return (*FHIR_TABLES, "note", "imaging_instance")
