"""From raw-zone tables to release-ready frames: select, consent filter, shift dates, pseudonymise,
anonymise (tabular), de-identify (notes), re-key (imaging). No file is written here."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from medkosh.catalog.consent_filter import ConsentView
from medkosh.catalog.spec import DatasetSpec, TableSelect, resolve_path
from medkosh.catalog.toolkit import Toolkit
from medkosh.deid.pseudonym import dataset_secret, keyed_uid, pseudonym
from medkosh.errors import InputError

# Raw-zone bookkeeping never released; ids that link back to hospital systems are re-keyed.
_DROP = ("run_id",)
_REKEY = ("resource_id", "encounter_id")
_ALREADY_SHIFTED = frozenset({"imaging_instance"})  # the zone stores DICOM dates shifted


@dataclass
class PreparedTable:
    name: str
    select: TableSelect
    frame: pl.DataFrame
    recipe: dict[str, Any] | None = None
    report: dict[str, Any] = field(default_factory=dict)
    images: dict[str, bytes] = field(default_factory=dict)  # version path -> DICOM bytes


@dataclass
class Prepared:
    tables: list[PreparedTable]
    members: set[str]                    # raw-zone patient keys present in the release
    demographics: pl.DataFrame           # patient_key, sex, age, state (card only; never released)
    cohort_size: int
    cohort_eligible: int                 # consent decisions counted within the cohort only
    cohort_excluded: dict[str, int]


def _from_sources(scan: Callable[[str], pl.LazyFrame], sources: list[str]) -> Callable[[str], pl.LazyFrame]:
    def scan_only(table: str) -> pl.LazyFrame:
        lf = scan(table)
        return lf.filter(pl.col("source_id").is_in(sources)) if "source_id" in lf.collect_schema() else lf

    return scan_only


def _cohort(toolkit: Toolkit, codes: list[str]) -> pl.Series | None:
    if not codes:
        return None
    cond = toolkit.scan_table("condition")
    match = pl.any_horizontal([pl.col("code").str.starts_with(c) for c in codes])
    keys = cond.filter(match).select("patient_key").unique().collect()["patient_key"]
    return keys.drop_nulls()


def _shift_dates(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Shift every date by the patient's zone shift, the same one the zone applied to their images."""
    if table in _ALREADY_SHIFTED or "patient_key" not in frame.columns or frame.is_empty():
        return frame
    from medkosh.ingest.linkage import zone_shift_days

    keys = frame["patient_key"].unique().drop_nulls().to_list()
    shifts = pl.DataFrame({"patient_key": keys, "_shift": [zone_shift_days(k) for k in keys]},
                          schema={"patient_key": pl.String, "_shift": pl.Int64})
    frame = frame.join(shifts, on="patient_key", how="left")
    exprs = [(pl.col(c) + pl.duration(days=pl.col("_shift").fill_null(0))).alias(c)
             for c, dtype in frame.schema.items() if dtype == pl.Date or isinstance(dtype, pl.Datetime)]
    return frame.with_columns(exprs).drop("_shift") if exprs else frame.drop("_shift")


def _pseudonymise(frame: pl.DataFrame, secret: bytes) -> pl.DataFrame:
    """Patient keys become person ids, and hospital resource ids keyed ids, under the dataset's secret
    (one HMAC per distinct value, then a vectorised replace)."""

    def keyed(source: str, system: str) -> pl.Expr:
        values = [v for v in frame[source].unique().to_list() if v is not None]
        mapping = {v: pseudonym(secret, v, system) for v in values}
        return pl.col(source).replace_strict(mapping, default=None, return_dtype=pl.String)

    exprs = []
    if "patient_key" in frame.columns:
        exprs.append(keyed("patient_key", "person").alias("person_id"))
    exprs += [keyed(col, col).alias(col) for col in _REKEY if col in frame.columns]
    frame = frame.with_columns(exprs)
    return frame.drop([c for c in (*_DROP, "patient_key") if c in frame.columns])


def _stable_order(frame: pl.DataFrame) -> pl.DataFrame:
    """A total, content-defined row order, so the same rows always give the same Parquet bytes."""
    keys = [c for c, t in frame.schema.items() if not isinstance(t, pl.List | pl.Struct | pl.Array)]
    return frame.sort(keys, nulls_last=True) if keys else frame


def _select(toolkit: Toolkit, sel: TableSelect, view: ConsentView, cohort: pl.Series | None) -> pl.DataFrame:
    lf = toolkit.scan_table(sel.source)
    schema = lf.collect_schema()
    if sel.columns:
        missing = [c for c in sel.columns if c not in schema]
        if missing:
            raise InputError(f"table {sel.source!r} has no column(s) {', '.join(missing)}",
                             where=f"tables/{sel.output}/columns", hint=f"columns: {', '.join(schema.names())}")
    if cohort is not None:
        lf = lf.filter(pl.col("patient_key").is_in(cohort.implode()))
    lf = view.apply(lf)
    if sel.columns:  # hi_type and record_date served the consent filter; only the key stays besides
        lf = lf.select([*sel.columns, *(["patient_key"] if "patient_key" not in sel.columns else [])])
    return lf.collect()


def _demographics(toolkit: Toolkit, members: set[str], as_of_year: int) -> pl.DataFrame:
    patients = toolkit.scan_table("patient").collect_schema()
    wanted = [c for c in ("patient_key", "gender", "birth_date", "state") if c in patients]
    if "patient_key" not in wanted:
        return pl.DataFrame(schema={"patient_key": pl.String})
    keys = pl.Series(sorted(members), dtype=pl.String)
    frame = (toolkit.scan_table("patient").select(wanted).filter(pl.col("patient_key").is_in(keys.implode()))
             .unique(subset="patient_key", keep="first").collect())
    if "birth_date" in frame.columns:
        frame = frame.with_columns((pl.lit(as_of_year) - pl.col("birth_date").dt.year()).alias("age"))
    return frame


def prepare(spec: DatasetSpec, spec_dir: Path, view: ConsentView, toolkit: Toolkit,
            as_of_year: int) -> Prepared:
    secret = dataset_secret(spec.id)
    if spec.sources:  # a release from some hospitals only (e.g. a sealed benchmark from one hospital)
        toolkit = dataclasses.replace(toolkit, scan_table=_from_sources(toolkit.scan_table, spec.sources))
    cohort = _cohort(toolkit, spec.cohort_codes)
    tables: list[PreparedTable] = []
    members: set[str] = set()
    for sel in spec.tables:
        raw = _select(toolkit, sel, view, cohort)
        frame = _shift_dates(raw, sel.source)
        prepared = PreparedTable(sel.output, sel, frame)
        if sel.text_column:
            texts = frame[sel.text_column].fill_null("").to_list()
            clean = toolkit.deidentify_text(texts, frame["patient_key"].to_list(), spec.id)
            frame = frame.with_columns(pl.Series(sel.text_column, clean, dtype=pl.String))
        if sel.object_column:
            frame, prepared.images = _release_images(frame, sel, toolkit, spec.id, secret)
        if "patient_key" in frame.columns:  # who is in the release (before recipe suppression: a superset)
            members.update(k for k in frame["patient_key"].unique().to_list() if k)
        frame = _pseudonymise(frame, secret)
        if sel.recipe:
            result = toolkit.anonymise(frame, resolve_path(spec_dir, sel.recipe), spec.id)
            frame, prepared.recipe, prepared.report = result.frame, result.recipe, result.report
        prepared.frame = _stable_order(frame)
        tables.append(prepared)
    in_cohort = set(cohort.to_list()) if cohort is not None else set(view.eligible) | set(view.excluded)
    excluded: dict[str, int] = {}
    for key, reason in view.excluded.items():
        if key in in_cohort:
            excluded[reason] = excluded.get(reason, 0) + 1
    return Prepared(tables, members, _demographics(toolkit, members, as_of_year), len(in_cohort),
                    sum(1 for k in view.eligible if k in in_cohort), dict(sorted(excluded.items())))


def _release_images(frame: pl.DataFrame, sel: TableSelect, toolkit: Toolkit, dataset_id: str,
                    secret: bytes) -> tuple[pl.DataFrame, dict[str, bytes]]:
    """Images awaiting burned-in-text review never leave; the rest are re-keyed under the dataset secret."""
    from medkosh.store.objects import ObjectStore

    assert sel.object_column is not None
    if "flagged_for_review" in frame.columns:
        frame = frame.filter(~pl.col("flagged_for_review").fill_null(True))
    store = ObjectStore()
    images: dict[str, bytes] = {}
    paths: list[str] = []
    uid_cols = [c for c in ("study_uid", "series_uid", "sop_uid") if c in frame.columns]
    rekeyed = {c: [keyed_uid(secret, u) if u else None for u in frame[c].to_list()] for c in uid_cols}
    for i, (sha, key) in enumerate(zip(frame[sel.object_column].to_list(), frame["patient_key"].to_list(),
                                       strict=True)):
        person = pseudonym(secret, key, "person")
        data = toolkit.rekey_dicom(store.get_bytes(sha), person, dataset_id)
        sop = rekeyed["sop_uid"][i] if "sop_uid" in rekeyed else hashlib.sha256(data).hexdigest()[:32]
        path = f"images/{person}/{sop}.dcm"
        images[path] = data
        paths.append(path)
    frame = frame.with_columns([pl.Series(c, v, dtype=pl.String) for c, v in rekeyed.items()])
    frame = frame.with_columns(pl.Series("file", paths, dtype=pl.String)).drop(
        [c for c in (sel.object_column, "object_size", "flagged_for_review", "review_reason") if c in frame.columns])
    return frame, images
