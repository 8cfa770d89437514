"""One patient, one `patient_key`, across FHIR, tabular extracts, notes and DICOM of a hospital.

patient_key = pseudonym(zone secret, identifier, system="<kind>:<source_id>"), where the identifier
is the hospital UHID/MRN whenever the input has one (see docs/reference/raw-zone.md, *Linkage*).
The source is part of the HMAC input because UHIDs are unique only within one hospital.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from medkosh.deid.dates import shift_days
from medkosh.deid.pseudonym import dataset_secret, normalise_identifier, pseudonym

ZONE_SCOPE = "raw"  # key file HOME/keys/pseudonym-raw.key

ABHA_NUMBER_SYSTEMS = ("healthid.ndhm.gov.in", "healthid.abdm.gov.in", "abha")
ABHA_ADDRESS_MARKERS = ("/address", "phr", "abha-address", "healthid-address")
AADHAAR_SYSTEMS = ("uidai.gov.in", "aadhaar", "aadhar")
_ABHA_NUMBER = re.compile(r"^\d{2}-?\d{4}-?\d{4}-?\d{4}$")
_ABHA_ADDRESS = re.compile(r"^[A-Za-z0-9._]+@[A-Za-z]+$")


@functools.lru_cache(maxsize=8)
def _secret_for_home(home: str) -> bytes:
    return dataset_secret(ZONE_SCOPE)


def zone_secret() -> bytes:
    """The raw zone's pseudonymisation secret (outside the database; cached per MEDKOSH_HOME)."""
    from medkosh.config import get_settings

    return _secret_for_home(str(get_settings().home_dir))


def patient_key(source_id: str, identifier: str, kind: str = "uhid", secret: bytes | None = None) -> str:
    """The zone pseudonym of a patient identified by `identifier` (a UHID unless `kind` says otherwise)."""
    return pseudonym(secret if secret is not None else zone_secret(), identifier, system=f"{kind}:{source_id}")


class UhidKey:
    """patient_key as a picklable callable (worker processes need one): identifier read as a UHID of
    `source_id`, keyed under `secret` (the zone's, or a dataset's for standalone de-identification)."""

    def __init__(self, secret: bytes, source_id: str) -> None:
        self.secret, self.source_id = secret, source_id

    def __call__(self, identifier: str) -> str:
        return patient_key(self.source_id, identifier, "uhid", self.secret)


def zone_shift_days(patient_key_value: str, secret: bytes | None = None) -> int:
    """The per-patient date shift used for this patient's DICOM in the zone; dataset builds use the same
    so that image dates and record dates of one patient stay aligned."""
    return shift_days(secret if secret is not None else zone_secret(), patient_key_value)


def classify_identifier(ident: dict[str, Any]) -> str:
    """'abha_number' | 'abha_address' | 'aadhaar' | 'uhid' | 'other' for a FHIR Identifier."""
    system = str(ident.get("system") or "").lower()
    value = str(ident.get("value") or "")
    type_codes = {str(c.get("code") or "").upper() for c in (ident.get("type") or {}).get("coding") or []
                  if isinstance(c, dict)}
    if any(s in system for s in AADHAAR_SYSTEMS) or ("UID" in type_codes and len(normalise_identifier(value)) == 12):
        return "aadhaar"
    if _ABHA_ADDRESS.match(value) and ("healthid" in system or "abha" in system or "abdm" in system
                                       or any(m in system for m in ABHA_ADDRESS_MARKERS)):
        return "abha_address"
    if any(s in system for s in ABHA_NUMBER_SYSTEMS):
        return "abha_address" if "@" in value else "abha_number"
    if _ABHA_NUMBER.match(value) and "ABHA" in " ".join(type_codes):
        return "abha_number"
    if "MR" in type_codes or system.rstrip("/").endswith(("/uhid", "/mrn")):
        return "uhid"
    return "other"


def fhir_patient_key(source_id: str, patient: dict[str, Any], secret: bytes) -> tuple[str, dict[str, str | None]]:
    """The key of a FHIR Patient and its classified identifiers (uhid, abha_number, abha_address, aadhaar)."""
    found: dict[str, str | None] = {"uhid": None, "abha_number": None, "abha_address": None, "aadhaar": None}
    first_other: tuple[str, str] | None = None
    for ident in patient.get("identifier") or []:
        if not isinstance(ident, dict) or not ident.get("value"):
            continue
        kind = classify_identifier(ident)
        value = str(ident["value"])
        if kind in found:
            if found[kind] is None:
                found[kind] = value
        elif first_other is None:
            first_other = (str(ident.get("system") or ""), value)
    if found["uhid"]:
        return patient_key(source_id, found["uhid"], "uhid", secret), found
    if found["abha_number"]:
        return patient_key(source_id, found["abha_number"], "abha", secret), found
    if found["abha_address"]:
        return patient_key(source_id, found["abha_address"].lower(), "abha-address", secret), found
    if first_other is not None:
        return patient_key(source_id, first_other[1], f"id:{first_other[0]}", secret), found
    return patient_key(source_id, str(patient.get("id") or ""), "fhir", secret), found
