"""Which raw records a dataset may use: a snapshot of consent decisions per patient_key, and a
vectorised filter of raw rows against it.

Eligibility is decided per patient + hiType + record day (not per care context; see
docs/reference/consent-policy.md for why). A consent at hospital H (hip.id) governs only the
patient_keys of source H; an artefact without hip.id governs the patient at every source.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.consent.jws import canonical_json
from medkosh.consent.policies import check_dataset_purpose, check_hi_types, closest_reason, coverage
from medkosh.consent.types import (
    AccessMode,
    ConsentStatus,
    DateRange,
    ExclusionReason,
    HiType,
    Purpose,
    Terms,
)
from medkosh.errors import InputError
from medkosh.store.base import utcnow
from medkosh.store.tables.consent import ConsentArtefactRow

_CHUNK = 500  # bounded IN lists on every backend


@dataclass(frozen=True)
class AllowedSpan:
    hi_type: HiType
    start: dt.date
    end: dt.date
    consent_id: str


@dataclass(frozen=True)
class PatientDecision:
    patient_key: str
    allowed: tuple[AllowedSpan, ...]
    reason: ExclusionReason | None  # None exactly when something is allowed
    consent_ids: tuple[str, ...]  # every artefact considered for this patient

    @property
    def eligible(self) -> bool:
        return self.reason is None

    @property
    def spans(self) -> dict[str, DateRange]:
        """One covered day range per hiType, for callers that want a single span each.

        When several artefacts cover one hiType, overlapping or adjacent ranges are merged; if they
        leave a gap, the longest merged range is returned, never the hull, so this view can only
        under-include. `allowed` (and EligibilitySnapshot.filter) is the exact answer."""
        by_type: dict[str, list[DateRange]] = defaultdict(list)
        for span in self.allowed:
            by_type[span.hi_type.value].append(DateRange(span.start, span.end))
        out: dict[str, DateRange] = {}
        for hi, ranges in sorted(by_type.items()):
            merged = merge_ranges(ranges)
            out[hi] = max(merged, key=lambda r: (r.end - r.start, r.start))
        return out


@dataclass(frozen=True)
class FilterResult:
    eligible: pl.LazyFrame  # the eligible rows, original columns, original order
    excluded: dict[str, int]  # rows kept out, per reason code
    eligible_rows: int


@dataclass(frozen=True)
class EligibilitySnapshot:
    """Consent decisions for one dataset use at one moment. `snapshot_id` is the sha256 of the
    decisions themselves (purpose, hiTypes, window, per patient: allowed spans with their consent ids
    or the reason), so identical decisions give an identical id whenever they are computed."""

    snapshot_id: str
    purpose: Purpose
    hi_types: frozenset[HiType]
    window: DateRange
    as_of: dt.datetime
    patients: Mapping[str, PatientDecision] = field(repr=False)

    def eligible_keys(self) -> frozenset[str]:
        return frozenset(k for k, d in self.patients.items() if d.reason is None)

    def excluded(self) -> dict[str, ExclusionReason]:
        return {k: d.reason for k, d in self.patients.items() if d.reason is not None}

    def reason_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for decision in self.patients.values():
            counts[decision.reason.value if decision.reason else "eligible"] += 1
        return dict(sorted(counts.items()))

    def spans_frame(self) -> pl.DataFrame:
        rows = [(k, s.hi_type.value, s.start, s.end, s.consent_id)
                for k, d in sorted(self.patients.items()) for s in d.allowed]
        return pl.DataFrame(rows, schema={"patient_key": pl.String, "hi_type": pl.String, "start": pl.Date,
                                          "end": pl.Date, "consent_id": pl.String}, orient="row")

    def decisions_frame(self) -> pl.DataFrame:
        rows = [(k, d.reason.value if d.reason else None) for k, d in sorted(self.patients.items())]
        return pl.DataFrame(rows, schema={"patient_key": pl.String, "reason": pl.String}, orient="row")

    def as_dict(self, *, with_patients: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "snapshot_id": self.snapshot_id, "purpose": self.purpose.value,
            "hi_types": sorted(h.value for h in self.hi_types),
            "window": {"from": self.window.start.isoformat(), "to": self.window.end.isoformat()},
            "as_of": self.as_of.isoformat(), "patients": self.reason_counts(),
        }
        if with_patients:
            out["decisions"] = {k: {"reason": d.reason.value if d.reason else None,
                                    "allowed": [[s.hi_type.value, s.start.isoformat(), s.end.isoformat(),
                                                 s.consent_id] for s in d.allowed]}
                                for k, d in sorted(self.patients.items())}
        return out

    def filter(self, rows: pl.LazyFrame, *, patient_key: str = "patient_key", hi_type: str = "hi_type",
               date: str = "record_date") -> FilterResult:
        return filter_rows(self, rows, patient_key=patient_key, hi_type=hi_type, date=date)


def merge_ranges(ranges: Iterable[DateRange]) -> list[DateRange]:
    """Union of inclusive day ranges as disjoint, sorted ranges (adjacent days join)."""
    merged: list[DateRange] = []
    for r in sorted(ranges, key=lambda r: (r.start, r.end)):
        # date.max + 1 day would overflow; a range ending at date.max touches everything after it.
        if merged and (merged[-1].end == dt.date.max or r.start <= merged[-1].end + dt.timedelta(days=1)):
            merged[-1] = DateRange(merged[-1].start, max(merged[-1].end, r.end))
        else:
            merged.append(r)
    return merged


def terms_of(row: ConsentArtefactRow) -> Terms:
    """Policy terms from the index columns (no need to re-parse the verbatim document)."""
    return Terms(row.consent_id, Purpose(row.purpose), AccessMode(row.access_mode),
                 frozenset(HiType(h) for h in orjson.loads(row.hi_types)), row.date_from, row.date_to,
                 row.data_erase_at)


def as_window(window: DateRange | tuple[dt.date, dt.date] | None) -> DateRange:
    if window is None:
        return DateRange(dt.date.min, dt.date.max)
    if isinstance(window, DateRange):
        return window
    start, end = window
    if start > end:
        raise InputError(f"dataset window starts after it ends ({start} > {end})", hint="swap 'from' and 'to'")
    return DateRange(start, end)


def _artefacts_by_hash(session: Session, hashes: Iterable[str]) -> dict[str, list[ConsentArtefactRow]]:
    wanted = sorted(set(hashes))
    found: dict[str, list[ConsentArtefactRow]] = defaultdict(list)
    for start in range(0, len(wanted), _CHUNK):
        stmt = (select(ConsentArtefactRow).where(ConsentArtefactRow.patient_hash.in_(wanted[start:start + _CHUNK]))
                .order_by(ConsentArtefactRow.consent_id))
        for row in session.execute(stmt).scalars():
            found[row.patient_hash].append(row)
    return found


def decide(patient_key: str, artefacts: Iterable[tuple[Terms, ConsentStatus]], *, purpose: Purpose,
           hi_types: frozenset[HiType], window: DateRange, as_of: dt.datetime) -> PatientDecision:
    """Combine every artefact of one patient: the union of what they allow, else the closest refusal."""
    allowed: list[AllowedSpan] = []
    reasons: list[ExclusionReason] = []
    ids: list[str] = []
    for terms, status in artefacts:
        ids.append(terms.consent_id)
        cov = coverage(terms, status, purpose=purpose, hi_types=hi_types, window=window, as_of=as_of)
        if cov.reason is not None:
            reasons.append(cov.reason)
        for hi, days in cov.spans.items():
            allowed.append(AllowedSpan(hi, days.start, days.end, terms.consent_id))
    allowed.sort(key=lambda s: (s.hi_type.value, s.start, s.end, s.consent_id))
    reason = None if allowed else closest_reason(reasons)
    return PatientDecision(patient_key, tuple(allowed), reason, tuple(sorted(set(ids))))


def _snapshot_id(purpose: Purpose, hi_types: frozenset[HiType], window: DateRange,
                 patients: Mapping[str, PatientDecision]) -> str:
    content = {
        "purpose": purpose.value, "hi_types": sorted(h.value for h in hi_types),
        "window": [window.start.isoformat(), window.end.isoformat()],
        "patients": [[k, d.reason.value if d.reason else None,
                      [[s.hi_type.value, s.start.isoformat(), s.end.isoformat(), s.consent_id] for s in d.allowed]]
                     for k, d in sorted(patients.items())],
    }
    return hashlib.sha256(b"medkosh-consent-snapshot:v1\n" + canonical_json(content)).hexdigest()


def eligibility(session: Session, purpose: str | Purpose = Purpose.DSRCH,
                hi_types: Iterable[str | HiType] = (), window: DateRange | tuple[dt.date, dt.date] | None = None,
                as_of: dt.datetime | None = None, *, subjects: pl.DataFrame | None = None) -> EligibilitySnapshot:
    """Decide, for every patient_key of the raw zone, what this dataset use may include.

    `subjects` (patient_key, source_id, patient_hash) defaults to the raw zone's patient table
    (medkosh.consent.subjects.raw_zone_subjects); tests and previews may pass their own.
    """
    code = check_dataset_purpose(str(purpose))
    types = check_hi_types(str(h) for h in hi_types)
    span = as_window(window)
    moment = as_of or utcnow()
    if moment.tzinfo is None:
        raise InputError("as_of must carry a time zone", hint="use medkosh.store.base.utcnow()")
    if subjects is None:
        from medkosh.consent.subjects import raw_zone_subjects

        subjects = raw_zone_subjects()
    by_key: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
    for key, source_id, phash in subjects.select("patient_key", "source_id", "patient_hash").iter_rows():
        if key:  # a patient without an ABHA address (null hash) is listed, with no artefact: no_consent
            by_key[key].add((source_id, phash))
    by_hash = _artefacts_by_hash(session, (h for pairs in by_key.values() for _, h in pairs if h))
    patients: dict[str, PatientDecision] = {}
    for key, pairs in by_key.items():
        seen: dict[str, tuple[Terms, ConsentStatus]] = {}
        for source_id, phash in pairs:
            for row in by_hash.get(phash, []) if phash else []:
                # A consent given at one hospital (hip) speaks for that hospital's records only.
                if row.hip_id is None or row.hip_id == source_id:
                    seen[row.consent_id] = (terms_of(row), ConsentStatus(row.status))
        patients[key] = decide(key, seen.values(), purpose=code, hi_types=types, window=span, as_of=moment)
    return EligibilitySnapshot(_snapshot_id(code, types, span, patients), code, types, span, moment, patients)


def filter_rows(snapshot: EligibilitySnapshot, rows: pl.LazyFrame, *, patient_key: str = "patient_key",
                hi_type: str = "hi_type", date: str = "record_date") -> FilterResult:
    """Keep the rows the snapshot allows (patient, hiType and day inside an allowed span) and count the
    rest per reason: the patient's own reason, else outside_window, hitype_mismatch or
    outside_date_range (a row without a date cannot be shown to be covered)."""
    columns = rows.collect_schema().names()
    missing = [c for c in (patient_key, hi_type, date) if c not in columns]
    if missing:
        raise InputError(f"raw rows lack column(s) {', '.join(missing)}",
                         hint="eligibility needs patient_key, hi_type and record_date")
    idx, day = "__mk_row", "__mk_day"
    base = rows.with_row_index(idx).with_columns(pl.col(date).cast(pl.Date).alias(day))
    spans = snapshot.spans_frame().lazy().rename({"patient_key": patient_key, "hi_type": hi_type})
    matched = (base.select(idx, patient_key, hi_type, day)
               .join(spans, on=[patient_key, hi_type], how="inner")
               .filter(pl.col(day).is_between(pl.col("start"), pl.col("end")))
               .select(idx).unique().with_columns(pl.lit(True).alias("__mk_in_span")))
    typed = spans.select(patient_key, hi_type).unique().with_columns(pl.lit(True).alias("__mk_typed"))
    decisions = (snapshot.decisions_frame().lazy()
                 .rename({"patient_key": patient_key, "reason": "__mk_preason"})
                 .with_columns(pl.lit(True).alias("__mk_known")))
    win = snapshot.window
    in_window = pl.col(day).is_between(pl.lit(win.start), pl.lit(win.end)).fill_null(True)
    R = ExclusionReason
    reason = (pl.when(pl.col("__mk_known").is_null()).then(pl.lit(R.NO_CONSENT.value))
              .when(pl.col("__mk_preason").is_not_null()).then(pl.col("__mk_preason"))
              .when(~in_window).then(pl.lit(R.OUTSIDE_WINDOW.value))
              .when(pl.col("__mk_typed").is_null()).then(pl.lit(R.HITYPE_MISMATCH.value))
              .when(pl.col("__mk_in_span").is_null()).then(pl.lit(R.OUTSIDE_DATE_RANGE.value))
              .otherwise(pl.lit(None, dtype=pl.String)).alias("__mk_reason"))
    labelled = (base.join(decisions, on=patient_key, how="left")
                .join(typed, on=[patient_key, hi_type], how="left")
                .join(matched, on=idx, how="left")
                .with_columns(reason))
    counts = labelled.group_by("__mk_reason").len().collect()
    excluded = {r: int(n) for r, n in counts.iter_rows() if r is not None}
    eligible_rows = sum(int(n) for r, n in counts.iter_rows() if r is None)
    eligible = labelled.filter(pl.col("__mk_reason").is_null()).sort(idx).select(columns)
    return FilterResult(eligible, dict(sorted(excluded.items())), eligible_rows)
