"""Column roles for tabular extracts: direct identifier, quasi-identifier, sensitive attribute or other,
suggested from column names and value patterns (Aadhaar, ABHA number/address, phone, e-mail, PIN,
dates). Role names follow the anonymisation recipe (medkosh.deid.tabular.recipe): identifier, quasi,
sensitive, insensitive, so the suggested recipe can be edited once and used for both."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_AADHAAR = re.compile(r"^[2-9]\d{3}\s?\d{4}\s?\d{4}$")
_ABHA_NUMBER = re.compile(r"^\d{2}-?\d{4}-?\d{4}-?\d{4}$")
_ABHA_ADDRESS = re.compile(r"^[A-Za-z0-9._]{3,}@(abdm|sbx|ndhm)$", re.IGNORECASE)
_PHONE = re.compile(r"^(\+?91[\s-]?|0)?[6-9]\d{4}[\s-]?\d{5}$")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
_PIN = re.compile(r"^[1-9]\d{2}\s?\d{3}$")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
DATE_FORMATS = (  # (strptime format, pattern), tried in order; Indian extracts write day first
    ("%d/%m/%Y", re.compile(r"^\d{2}/\d{2}/\d{4}$")), ("%Y-%m-%d", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    ("%d-%m-%Y", re.compile(r"^\d{2}-\d{2}-\d{4}$")), ("%d.%m.%Y", re.compile(r"^\d{2}\.\d{2}\.\d{4}$")),
    ("%Y/%m/%d", re.compile(r"^\d{4}/\d{2}/\d{2}$")),
)
_NAME_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("identifier", ("uhid", "mrn", "patient_id", "patientid", "hospital_id", "ip_no", "op_no", "ipd_no", "opd_no",
                    "registration", "reg_no", "name", "father", "mother", "husband", "guardian", "spouse",
                    "phone", "mobile", "contact", "email", "address", "street", "house", "aadhaar", "aadhar",
                    "abha", "health_id", "pan", "passport", "voter", "ration")),
    ("sensitive", ("icd", "diagnos", "disease", "condition", "hiv", "outcome", "result", "finding", "medication",
                   "drug", "procedure", "complaint", "symptom", "cause_of_death", "treatment")),
    ("quasi", ("age", "sex", "gender", "dob", "birth", "pin", "postal", "zip", "district", "city", "town",
               "village", "taluk", "tehsil", "block", "state", "date", "caste", "religion", "occupation",
               "marital", "ethnic", "education", "income")),
)
LINK_NAMES = ("uhid", "mrn", "uhid_no", "patient_id", "hospital_id_no", "registration_no", "reg_no")
_DETECTOR_ROLE = {"aadhaar": "identifier", "abha_number": "identifier", "abha_address": "identifier",
                  "phone": "identifier", "email": "identifier", "pin": "quasi", "date": "quasi"}


def verhoeff_valid(number: str) -> bool:
    """Aadhaar's check digit (Verhoeff): rules out most 12-digit numbers that are not Aadhaar."""
    d = ((0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
         (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
         (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
         (9, 8, 7, 6, 5, 4, 3, 2, 1, 0))
    p = ((0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
         (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
         (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8))
    digits = [c for c in number if c.isdigit()]
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = d[check][p[i % 8][int(ch)]]
    return check == 0


@dataclass
class ColumnProfile:
    name: str
    role: str = "insensitive"
    type: str = "string"  # string | integer | float | date
    date_format: str | None = None
    detector: str | None = None  # the value pattern that matched most values, if any
    evidence: str = ""
    link: bool = False
    examples_checked: int = 0
    notes: list[str] = field(default_factory=list)


def _share(values: list[str], test: re.Pattern[str]) -> float:
    return sum(1 for v in values if test.match(v)) / len(values) if values else 0.0


def detect_values(values: list[str]) -> tuple[str | None, str | None]:
    """(detector, date format) matching at least 80 % of the non-empty sample values."""
    if not values:
        return None, None
    for fmt, pattern in DATE_FORMATS:
        if _share(values, pattern) >= 0.8:
            return "date", fmt
    if _share(values, _ABHA_ADDRESS) >= 0.8:
        return "abha_address", None
    if _share(values, _EMAIL) >= 0.8:
        return "email", None
    if _share(values, _ABHA_NUMBER) >= 0.8 and any("-" in v for v in values):
        return "abha_number", None
    aadhaar = [v for v in values if _AADHAAR.match(v)]
    if len(aadhaar) >= 0.8 * len(values) and sum(verhoeff_valid(v) for v in aadhaar) >= 0.8 * len(aadhaar):
        return "aadhaar", None
    if _share(values, _PHONE) >= 0.8:
        return "phone", None
    if _share(values, _PIN) >= 0.8:
        return "pin", None
    return None, None


def _name_role(name: str) -> str | None:
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    for role, hints in _NAME_HINTS:
        parts = key.split("_")
        if any(h == key or h in parts or any(p.startswith(h) for p in parts) or (len(h) > 3 and h in key)
               for h in hints):
            return role
    return None


def profile_column(name: str, values: list[str]) -> ColumnProfile:
    """Suggest a role and a type for one column from its name and a sample of its (string) values."""
    values = [v.strip() for v in values if v is not None and v.strip()]
    col = ColumnProfile(name, examples_checked=len(values))
    detector, fmt = detect_values(values)
    by_name = _name_role(name)
    if detector:
        col.detector = detector
        col.role = _DETECTOR_ROLE[detector]
        col.evidence = f"values look like {detector.replace('_', ' ')}"
        if by_name and by_name != col.role and detector in ("date", "pin"):
            col.role = by_name  # e.g. a date of birth named 'dob' stays quasi; a 'discharge_date' too
    elif by_name:
        col.role = by_name
        col.evidence = "column name"
    else:
        col.evidence = "no identifying name or pattern"
    if detector == "date":
        col.type, col.date_format = "date", fmt
    elif col.role != "identifier" and detector != "pin" and values and all(_INT.match(v) for v in values) \
            and not any(len(v) > 1 and v.startswith("0") for v in values):
        col.type = "integer"  # identifiers and codes with leading zeros stay text
    elif col.role != "identifier" and detector != "pin" and values and all(_FLOAT.match(v) for v in values):
        col.type = "float"
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if key in LINK_NAMES:
        col.link = True
    return col


def choose_link(profiles: list[ColumnProfile]) -> str | None:
    for link_name in LINK_NAMES:
        for col in profiles:
            if col.link and re.sub(r"[^a-z0-9]+", "_", col.name.lower()).strip("_") == link_name:
                return col.name
    return None
