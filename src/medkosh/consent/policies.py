"""Pure consent checks: does an artefact cover a use? No database, no I/O.

The rules (and the regulation behind each) are written out in docs/reference/consent-policy.md;
this module is their executable form. In short, an artefact covers a record for a dataset when:
the artefact is GRANTED and its dataEraseAt is still ahead; its purpose code equals the dataset's
purpose (ABDM purposes do not nest); its accessMode lets the HIU keep the data (STORE); the
record's hiType is one the artefact lists; and the record's day lies inside permission.dateRange.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from medkosh.consent.types import (
    REASON_RANK,
    AccessMode,
    ConsentStatus,
    DateRange,
    ExclusionReason,
    HiType,
    Purpose,
    Terms,
)
from medkosh.errors import InputError, PolicyViolation

# Purposes a dataset may declare. Research datasets use DSRCH; surveillance datasets PUBHLTH. The
# other ABDM purposes (care management, payment, break-the-glass, self-request) are about one
# patient's care and never justify putting a record into a shared dataset.
DATASET_PURPOSES = frozenset({Purpose.DSRCH, Purpose.PUBHLTH})

# A dataset version is a stored copy, so the consent must let the HIU store data (ABDM accessMode
# STORE); VIEW, QUERY and STREAM consents allow looking at data, not keeping it.
DATASET_ACCESS_MODES = frozenset({AccessMode.STORE})

ALL_TIME = DateRange(dt.date.min, dt.date.max)


def consent_day(moment: dt.datetime) -> dt.date:
    """The calendar day a dateRange bound names: its date as written, in UTC (ABDM's time base).

    Raw records carry a calendar date without time or zone, so the range is compared by whole days.
    Converting the bound to IST first would move a typical "…T23:59:59Z" end onto the next Indian
    day and admit a day the patient never chose; the date as written is what the consent screen showed."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).date()


def check_dataset_purpose(purpose: str) -> Purpose:
    """The dataset's declared purpose, refused unless it is one a dataset may have."""
    try:
        code = Purpose(purpose)
    except ValueError as exc:
        raise InputError(f"unknown purpose code {purpose!r}",
                         hint=f"use {' or '.join(sorted(DATASET_PURPOSES))}") from exc
    if code not in DATASET_PURPOSES:
        raise PolicyViolation(f"a dataset cannot have purpose {code}",
                              hint=f"datasets declare {' or '.join(sorted(DATASET_PURPOSES))}")
    return code


def check_hi_types(values: Iterable[str]) -> frozenset[HiType]:
    out = set()
    for value in values:
        try:
            out.add(HiType(value))
        except ValueError as exc:
            raise InputError(f"unknown hiType {value!r}",
                             hint=f"use one of {', '.join(h.value for h in HiType)}") from exc
    if not out:
        raise InputError("a dataset must name at least one hiType")
    return frozenset(out)


def is_expired(terms: Terms, as_of: dt.datetime) -> bool:
    """ABDM's dataEraseAt is the end of the consent: on and after it the HIU may not hold the data."""
    return terms.data_erase_at <= as_of


def day_range(terms: Terms) -> DateRange:
    """permission.dateRange as inclusive calendar days (records are dated by day)."""
    return DateRange(consent_day(terms.date_from), consent_day(terms.date_to))


@dataclass(frozen=True)
class Coverage:
    """What one artefact allows for a requested use: per hiType, the covered days (already clipped
    to the dataset window), or the reason it allows nothing."""

    consent_id: str
    spans: dict[HiType, DateRange]
    reason: ExclusionReason | None

    @property
    def allows_anything(self) -> bool:
        return bool(self.spans)


def coverage(terms: Terms, status: ConsentStatus, *, purpose: Purpose, hi_types: frozenset[HiType],
             window: DateRange, as_of: dt.datetime) -> Coverage:
    """Evaluate one artefact, in its current status, against a dataset's purpose, hiTypes and window."""

    def refuse(reason: ExclusionReason) -> Coverage:
        return Coverage(terms.consent_id, {}, reason)

    if status is ConsentStatus.DENIED:
        return refuse(ExclusionReason.DENIED)
    if status is ConsentStatus.REVOKED:
        return refuse(ExclusionReason.REVOKED)
    if status is ConsentStatus.EXPIRED or (status is ConsentStatus.GRANTED and is_expired(terms, as_of)):
        return refuse(ExclusionReason.EXPIRED)
    if status is not ConsentStatus.GRANTED:  # REQUESTED: the patient has not consented (yet)
        return refuse(ExclusionReason.NO_CONSENT)
    if terms.purpose is not purpose:
        return refuse(ExclusionReason.PURPOSE_MISMATCH)
    if terms.access_mode not in DATASET_ACCESS_MODES:
        return refuse(ExclusionReason.ACCESS_MODE_MISMATCH)
    shared = terms.hi_types & hi_types
    if not shared:
        return refuse(ExclusionReason.HITYPE_MISMATCH)
    days = day_range(terms).intersect(window)
    if days is None:
        return refuse(ExclusionReason.OUTSIDE_DATE_RANGE)
    return Coverage(terms.consent_id, {hi: days for hi in sorted(shared)}, None)


def closest_reason(reasons: Iterable[ExclusionReason]) -> ExclusionReason:
    """Of several artefacts' refusals, the one that came closest to covering the use."""
    best = ExclusionReason.NO_CONSENT
    for reason in reasons:
        if REASON_RANK[reason] > REASON_RANK[best]:
            best = reason
    return best


def covers_record(terms: Terms, status: ConsentStatus, *, purpose: Purpose, hi_type: HiType,
                  day: dt.date, as_of: dt.datetime) -> ExclusionReason | None:
    """None when the artefact covers one record; else the reason it does not."""
    result = coverage(terms, status, purpose=purpose, hi_types=frozenset({hi_type}), window=ALL_TIME,
                      as_of=as_of)
    if result.reason is not None:
        return result.reason
    if not result.spans[hi_type].contains(day):
        return ExclusionReason.OUTSIDE_DATE_RANGE
    return None


def can_use_record(terms: Terms, status: ConsentStatus, *, purpose: Purpose, hi_type: HiType,
                   day: dt.date, as_of: dt.datetime) -> bool:
    return covers_record(terms, status, purpose=purpose, hi_type=hi_type, day=day, as_of=as_of) is None


def check_can_use_record(terms: Terms, status: ConsentStatus, *, purpose: Purpose, hi_type: HiType,
                         day: dt.date, as_of: dt.datetime) -> None:
    reason = covers_record(terms, status, purpose=purpose, hi_type=hi_type, day=day, as_of=as_of)
    if reason is not None:
        raise PolicyViolation(f"consent {terms.consent_id} does not cover this record: {reason}",
                              hint="only records covered by a GRANTED consent may enter a dataset")
