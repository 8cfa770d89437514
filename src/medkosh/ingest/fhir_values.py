"""Small, fast readers for FHIR datatypes (plain dicts from orjson): dates, codings, quantities."""

from __future__ import annotations

import datetime as dt
from typing import Any

# A dateTime with a time but no offset is not valid FHIR; Indian systems that send one mean IST.
IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
_PREFERRED = ("snomed", "loinc", "icd-10", "icd10", "rxnorm", "cvx", "who.int", "nrces", "ucum")


def parse_instant(value: Any) -> dt.datetime | None:
    """A FHIR date/dateTime/instant as an aware UTC datetime; partial dates take their first day.

    Date-only values are midnight UTC (a date has no time zone); naive times are read as IST."""
    if not isinstance(value, str) or len(value) < 4:
        return None
    try:
        n = len(value)
        if n == 4:
            return dt.datetime(int(value), 1, 1, tzinfo=dt.UTC)
        if n == 7:
            return dt.datetime(int(value[:4]), int(value[5:7]), 1, tzinfo=dt.UTC)
        if n == 10:
            return dt.datetime(int(value[:4]), int(value[5:7]), int(value[8:10]), tzinfo=dt.UTC)
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=IST)
    return parsed.astimezone(dt.UTC)


def local_date(value: Any) -> dt.date | None:
    """The calendar date as written (no zone conversion): what consent dateRange checks compare."""
    if not isinstance(value, str) or len(value) < 4:
        return None
    try:
        if len(value) == 4:
            return dt.date(int(value), 1, 1)
        if len(value) == 7:
            return dt.date(int(value[:4]), int(value[5:7]), 1)
        return dt.date(int(value[:4]), int(value[5:7]), int(value[8:10]))
    except ValueError:
        return None


def period_or_value(res: dict[str, Any], prefix: str) -> tuple[Any, Any]:
    """(start, end) raw strings of a choice element such as effective[x] / performed[x] / onset[x]."""
    for suffix in ("DateTime", "Instant", "Date", "String"):
        v = res.get(prefix + suffix)
        if v is not None:
            return v, None
    period = res.get(prefix + "Period")
    if isinstance(period, dict):
        return period.get("start"), period.get("end")
    return None, None


def codings(cc: Any) -> list[dict[str, Any]]:
    if not isinstance(cc, dict):
        return []
    raw = cc.get("coding")
    if not raw:
        return []
    return [{"system": c.get("system"), "code": _s(c.get("code")), "display": c.get("display")}
            for c in raw if isinstance(c, dict)]


_PREFERRED_CACHE: dict[str, bool] = {}


def _preferred(system: str) -> bool:
    hit = _PREFERRED_CACHE.get(system)
    if hit is None:
        lowered = system.lower()
        hit = any(p in lowered for p in _PREFERRED)
        if len(_PREFERRED_CACHE) < 10_000:  # code systems are few; the bound only guards odd inputs
            _PREFERRED_CACHE[system] = hit
    return hit


def primary(codes: list[dict[str, Any]]) -> dict[str, Any] | None:
    for c in codes:
        if _preferred(c.get("system") or ""):
            return c
    return codes[0] if codes else None


_NO_CONCEPT: dict[str, Any] = {"code_system": None, "code": None, "code_display": None, "code_text": None}


def concept(cc: Any) -> dict[str, Any]:
    """The `code_*` columns of a CodeableConcept: preferred coding, its text and every coding."""
    codes = codings(cc)
    main = primary(codes)
    text = cc.get("text") if isinstance(cc, dict) else None
    if main is None:
        return {**_NO_CONCEPT, "code_text": text, "codings": codes}
    return {"code_system": main["system"], "code": main["code"], "code_display": main["display"],
            "code_text": text or main["display"], "codings": codes}


def concept_triplet(cc: Any, prefix: str) -> dict[str, Any]:
    main = primary(codings(cc))
    return {f"{prefix}_system": main["system"] if main else None, f"{prefix}_code": main["code"] if main else None,
            f"{prefix}_display": (main["display"] if main else None) or (cc.get("text") if isinstance(cc, dict) else None)}


def first(items: Any) -> Any:
    if isinstance(items, list):
        return items[0] if items else None
    return items


def first_code(cc_list: Any) -> str | None:
    """The code (or text) of the first CodeableConcept in a list, for status-like columns."""
    cc = first(cc_list)
    if not isinstance(cc, dict):
        return None
    main = primary(codings(cc))
    return (main["code"] if main else None) or cc.get("text")


def number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def display_of(ref: Any) -> str | None:
    if isinstance(ref, dict):
        return ref.get("display") or ref.get("reference")
    return None


def _s(v: Any) -> str | None:
    return None if v is None else str(v)
