"""The consent step of a build: a snapshot of who may be used, and the row filter it implies.

The snapshot comes from the consent domain (`medkosh.consent.service.eligibility`); this module turns it
into a `ConsentView` — per eligible patient key, the covered days per hiType — and applies it to raw
rows: a row stays when its patient is eligible and its (hi_type, record_date) is covered; rows without a
hi_type (demographics) stay for every eligible patient.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from medkosh.catalog.spec import ConsentUse
from medkosh.errors import StoreError

Span = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class ConsentView:
    snapshot_id: str
    eligible: dict[str, dict[str, Span]]      # patient_key -> hi_type -> covered days (inclusive)
    excluded: dict[str, str] = field(default_factory=dict)  # patient_key -> reason
    # The consent domain's exact row filter (every allowed span, not one per hiType), when it has one.
    row_filter: Callable[[pl.LazyFrame], pl.LazyFrame] | None = None

    @property
    def excluded_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(self.excluded.values()).items()))

    def coverage_frame(self) -> pl.DataFrame:
        rows = [(key, hi, start, end) for key, spans in self.eligible.items() for hi, (start, end) in spans.items()]
        return pl.DataFrame(rows, schema={"patient_key": pl.String, "hi_type": pl.String,
                                          "_from": pl.Date, "_to": pl.Date}, orient="row")

    def apply(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        """Rows of `lf` that the snapshot covers (row-level: hiType and record date)."""
        schema = lf.collect_schema()
        keys = pl.Series("patient_key", sorted(self.eligible), dtype=pl.String)
        lf = lf.filter(pl.col("patient_key").is_in(keys.implode()))
        if "hi_type" not in schema or "record_date" not in schema:
            return lf
        typed = lf.filter(pl.col("hi_type").is_not_null())
        if self.row_filter is not None:
            typed = self.row_filter(typed)
        else:
            typed = (typed.join(self.coverage_frame().lazy(), on=["patient_key", "hi_type"], how="inner")
                     .filter(pl.col("record_date").is_between(pl.col("_from"), pl.col("_to")))
                     .drop("_from", "_to"))
        # Demographic rows (no hiType) belong to every record type: they go with an eligible patient.
        untyped = lf.filter(pl.col("hi_type").is_null())
        return pl.concat([untyped, typed], how="vertical_relaxed")


def _reason_text(value: Any) -> str:
    return str(getattr(value, "value", value))


def from_snapshot(snapshot: Any) -> ConsentView:
    """Adapt the consent domain's snapshot object to a ConsentView.

    Accepted shapes: `snapshot.id` (or `snapshot_id`); per-patient decisions in `snapshot.patients`
    (mapping patient_key -> decision with `.eligible`, `.reason`, `.spans` {hi_type: (from, to)} or
    DateRange objects), or `snapshot.eligible` / `snapshot.excluded` mappings.
    """
    sid = getattr(snapshot, "id", None) or getattr(snapshot, "snapshot_id", None)
    if not sid:
        raise StoreError("the consent snapshot has no id", hint="report this: the consent domain changed shape")
    eligible: dict[str, dict[str, Span]] = {}
    excluded: dict[str, str] = {}

    def spans_of(raw: Any) -> dict[str, Span]:
        out: dict[str, Span] = {}
        for hi, span in dict(raw or {}).items():
            start = getattr(span, "start", None) if not isinstance(span, tuple) else span[0]
            end = getattr(span, "end", None) if not isinstance(span, tuple) else span[1]
            if start is not None and end is not None:
                out[_reason_text(hi)] = (start, end)
        return out

    patients = getattr(snapshot, "patients", None)
    if patients is not None:
        for key, decision in dict(patients).items():
            spans = spans_of(getattr(decision, "spans", None))
            if getattr(decision, "eligible", bool(spans)) and spans:
                eligible[key] = spans
            else:
                excluded[key] = _reason_text(getattr(decision, "reason", None) or "no_consent")
    else:
        for key, raw in dict(getattr(snapshot, "eligible", {}) or {}).items():
            eligible[key] = spans_of(raw)
        for key, reason in dict(getattr(snapshot, "excluded", {}) or {}).items():
            excluded[key] = _reason_text(reason)
    row_filter = None
    if patients is not None and hasattr(snapshot, "spans_frame"):
        from medkosh.consent.eligibility import filter_rows

        def row_filter(lf: pl.LazyFrame) -> pl.LazyFrame:
            return filter_rows(snapshot, lf).eligible

    return ConsentView(str(sid), eligible, excluded, row_filter)


def take_snapshot(session: Session, use: ConsentUse) -> ConsentView:
    """Ask the consent domain who may be used for this dataset's purpose, hiTypes and window."""
    try:
        from medkosh.consent import service as consent_service
    except ModuleNotFoundError as exc:
        raise StoreError("consent checking is not available (medkosh.consent.service is missing)",
                         hint="no dataset can be built without a consent snapshot") from exc
    snapshot = consent_service.eligibility(session, use.purpose, list(use.hi_types),
                                           (use.window_from, use.window_to))
    return from_snapshot(snapshot)
