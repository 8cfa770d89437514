"""Small, fast readers for FHIR datatypes (plain dicts from orjson): dates, codings, quantities."""

from __future__ import annotations

import datetime as dt
from typing import Any

# A dateTime with a time but no offset is not valid FHIR; Indian systems that send one mean IST.
IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
_PREFERRED = ("snomed", "loinc", "icd-10", "icd10", "rxnorm", "cvx", "who.int", "nrces", "ucum")


# Records of one encounter share its timestamps, so most values repeat (about three in four on the
# Synthea bundles): parsed once, they are looked up after. datetime and date objects are immutable,
# so sharing them is safe; the caches are cleared when they grow past _CACHE_MAX values.
_CACHE_MAX = 50_000
_INSTANTS: dict[str, dt.datetime | None] = {}
_DATES: dict[str, dt.date | None] = {}


def parse_instant(value: Any) -> dt.datetime | None:
    """A FHIR date/dateTime/instant as an aware UTC datetime; partial dates take their first day.

    Date-only values are midnight UTC (a date has no time zone); naive times are read as IST."""
    if type(value) is not str:
        return _parse_instant(value)
    try:
        return _INSTANTS[value]
    except KeyError:
        pass
    if len(_INSTANTS) >= _CACHE_MAX:
        _INSTANTS.clear()
    parsed = _INSTANTS[value] = _parse_instant(value)
    return parsed


def local_date(value: Any) -> dt.date | None:
    """The calendar date as written (no zone conversion): what consent dateRange checks compare."""
    if type(value) is not str:
        return _local_date(value)
    try:
        return _DATES[value]
    except KeyError:
        pass
    if len(_DATES) >= _CACHE_MAX:
        _DATES.clear()
    parsed = _DATES[value] = _local_date(value)
    return parsed


def _parse_instant(value: Any) -> dt.datetime | None:
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


def _local_date(value: Any) -> dt.date | None:
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


_CHOICE_KEYS: dict[str, tuple[tuple[str, ...], str]] = {}


def period_or_value(res: dict[str, Any], prefix: str) -> tuple[Any, Any]:
    """(start, end) raw strings of a choice element such as effective[x] / performed[x] / onset[x]."""
    keys = _CHOICE_KEYS.get(prefix)
    if keys is None:  # the element names of each prefix, built once
        keys = _CHOICE_KEYS[prefix] = (tuple(prefix + s for s in ("DateTime", "Instant", "Date", "String")),
                                       prefix + "Period")
    for key in keys[0]:
        v = res.get(key)
        if v is not None:
            return v, None
    period = res.get(keys[1])
    if isinstance(period, dict):
        return period.get("start"), period.get("end")
    return None, None


def codings(cc: Any) -> list[dict[str, Any]]:
    if not isinstance(cc, dict):
        return []
    raw = cc.get("coding")
    if not raw:
        return []
    return [{"system": c.get("system"), "code": None if (code := c.get("code")) is None else str(code),
             "display": c.get("display")}
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


def primary_coding(cc: Any) -> dict[str, Any] | None:
    """The raw coding that primary(codings(cc)) is made from, found without converting the others
    (for columns that keep only the main code)."""
    if not isinstance(cc, dict):
        return None
    raw = cc.get("coding")
    if not raw:
        return None
    fallback = None
    for c in raw:
        if isinstance(c, dict):
            if _preferred(c.get("system") or ""):
                return c
            if fallback is None:
                fallback = c
    return fallback


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
    main = primary_coding(cc)
    if main is None:
        return {f"{prefix}_system": None, f"{prefix}_code": None,
                f"{prefix}_display": cc.get("text") if isinstance(cc, dict) else None}
    code = main.get("code")
    return {f"{prefix}_system": main.get("system"), f"{prefix}_code": None if code is None else str(code),
            f"{prefix}_display": main.get("display") or cc.get("text")}


def first(items: Any) -> Any:
    if isinstance(items, list):
        return items[0] if items else None
    return items


def first_code(cc_list: Any) -> str | None:
    """The code (or text) of the first CodeableConcept in a list, for status-like columns."""
    cc = first(cc_list)
    if not isinstance(cc, dict):
        return None
    main = primary_coding(cc)
    code = None if main is None else main.get("code")
    return (None if code is None else str(code)) or cc.get("text")


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
