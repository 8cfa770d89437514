"""Reading an ABDM consent artefact document into an `Artefact`, with one-line errors that name the
JSON pointer of the first bad field.

The document is `{"consentDetail": {...}, "status": ..., "signature": ...}` (../shared/DESIGN.md).
Unknown extra fields are kept in the verbatim copy but not interpreted: later HIE-CM schema
versions add fields, and refusing them would make medkosh refuse valid consents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from medkosh.consent.jws import canonical_json
from medkosh.consent.types import AccessMode, Artefact, CareContext, ConsentStatus, HiType, Purpose
from medkosh.errors import InputError

E = TypeVar("E", bound=StrEnum)

MAX_ID_LEN = 120


def parse_timestamp(value: Any, pointer: str, where: str) -> dt.datetime:
    """ABDM timestamps are ISO 8601 in UTC; a value without an offset is read as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"missing timestamp at {pointer}", where=where, hint="give an ISO 8601 date-time")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"not an ISO 8601 date-time at {pointer}: {value[:40]!r}", where=where,
                         hint="use e.g. 2024-01-31T00:00:00Z") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _get(obj: Any, key: str, pointer: str, where: str, *, required: bool = True) -> Any:
    if not isinstance(obj, dict):
        raise InputError(f"expected an object at {pointer}", where=where)
    value = obj.get(key)
    if required and value in (None, "", [], {}):
        raise InputError(f"missing {pointer}/{key}", where=where, hint="the ABDM consent artefact requires it")
    return value


def _text(obj: Any, key: str, pointer: str, where: str, *, required: bool = True) -> str | None:
    value = _get(obj, key, pointer, where, required=required)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"expected a string at {pointer}/{key}", where=where)
    if len(value) > MAX_ID_LEN and key.endswith("id"):
        raise InputError(f"{pointer}/{key} is longer than {MAX_ID_LEN} characters", where=where)
    return value


def _code(enum: type[E], value: Any, pointer: str, where: str) -> E:
    try:
        return enum(value)
    except ValueError as exc:
        allowed = ", ".join(m.value for m in enum)
        raise InputError(f"unknown code {str(value)[:40]!r} at {pointer}", where=where,
                         hint=f"use one of {allowed}") from exc


def _id_of(obj: Any, key: str, pointer: str, where: str) -> str | None:
    part = _get(obj, key, pointer, where, required=False)
    if part is None:
        return None
    return _text(part, "id", f"{pointer}/{key}", where, required=False)


def _list(value: Any, pointer: str, where: str, item: Callable[[Any, str], Any]) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"expected a list at {pointer}", where=where)
    return [item(v, f"{pointer}/{i}") for i, v in enumerate(value)]


def parse_artefact(doc: Any, *, where: str = "artefact") -> Artefact:
    """Validate the artefact's shape and codes; the signature is checked separately."""
    if not isinstance(doc, dict):
        raise InputError("a consent artefact is a JSON object", where=where)
    detail = _get(doc, "consentDetail", "", where)
    p = "/consentDetail"
    consent_id = _text(detail, "consentId", p, where)
    assert consent_id is not None
    patient_id = _text(_get(detail, "patient", p, where), "id", f"{p}/patient", where)
    assert patient_id is not None
    cm_id = _id_of(detail, "consentManager", p, where)
    if not cm_id:
        raise InputError(f"missing {p}/consentManager/id", where=where,
                         hint="medkosh needs it to pick the consent manager's trusted key")
    purpose_obj = _get(detail, "purpose", p, where)
    purpose = _code(Purpose, _get(purpose_obj, "code", f"{p}/purpose", where), f"{p}/purpose/code", where)
    hi_types = _list(_get(detail, "hiTypes", p, where), f"{p}/hiTypes", where,
                     lambda v, ptr: _code(HiType, v, ptr, where))
    perm = _get(detail, "permission", p, where)
    pp = f"{p}/permission"
    date_range = _get(perm, "dateRange", pp, where)
    date_from = parse_timestamp(_get(date_range, "from", f"{pp}/dateRange", where), f"{pp}/dateRange/from", where)
    date_to = parse_timestamp(_get(date_range, "to", f"{pp}/dateRange", where), f"{pp}/dateRange/to", where)
    if date_to < date_from:
        raise InputError(f"{pp}/dateRange ends before it starts", where=where)
    erase_at = parse_timestamp(_get(perm, "dataEraseAt", pp, where), f"{pp}/dataEraseAt", where)
    access_mode = _code(AccessMode, _get(perm, "accessMode", pp, where), f"{pp}/accessMode", where)
    contexts = _list(detail.get("careContexts") or [], f"{p}/careContexts", where,
                     lambda v, ptr: CareContext(str(_text(v, "patientReference", ptr, where)),
                                                str(_text(v, "careContextReference", ptr, where))))
    requester = detail.get("requester")
    requester_name = requester.get("name") if isinstance(requester, dict) else None
    status = _code(ConsentStatus, _get(doc, "status", "", where), "/status", where)
    signature = _text(doc, "signature", "", where)
    assert signature is not None
    schema_version = detail.get("schemaVersion")
    return Artefact(
        consent_id=consent_id, schema_version=str(schema_version) if schema_version is not None else None,
        created_at=parse_timestamp(_get(detail, "createdAt", p, where), f"{p}/createdAt", where),
        patient_id=patient_id, care_contexts=tuple(contexts), purpose=purpose,
        hip_id=_id_of(detail, "hip", p, where), hiu_id=_id_of(detail, "hiu", p, where),
        consent_manager_id=cm_id, requester_name=requester_name if isinstance(requester_name, str) else None,
        hi_types=frozenset(hi_types), access_mode=access_mode, date_from=date_from, date_to=date_to,
        data_erase_at=erase_at, status=status, signature=signature, detail_json=canonical_json(detail),
    )
