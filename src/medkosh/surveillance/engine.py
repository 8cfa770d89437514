"""DuckDB over Parquet: grouped aggregates of an encounter table, before any protection is applied.

Nothing here leaves the service: `aggregate()` returns exact counts that `service.py` protects
(disclosure control or differential privacy) before anyone sees them. Column names of the
encounter table are resolved through aliases, so raw-zone tables and the synthetic generator's
tables work alike.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow.compute as pc

from medkosh.errors import InputError, NotFoundError
from medkosh.surveillance.types import AGE_BANDS, CHAPTERS, CONDITIONS, Dimension, Measure, QuerySpec
from medkosh.surveillance.weeks import parse_week

# Logical column → names seen in the wild (first match wins).
ALIASES: dict[str, tuple[str, ...]] = {
    "district": ("district", "patient_district", "hospital_district", "address_district"),
    "state": ("state", "patient_state", "hospital_state", "address_state"),
    "date": ("encounter_date", "date", "period_start", "admission_date", "onset_date", "recorded_date"),
    "icd10": ("icd10", "icd10_code", "condition_code", "diagnosis_code", "code"),
    "age": ("age", "age_years", "age_at_encounter"),
    "sex": ("sex", "gender"),
    "unit": ("patient_id", "patient_pseudonym", "person_id", "pseudonym"),
}
# Clamping bounds for means (DP needs them to bound a row's influence on a sum).
NUMERIC_BOUNDS: dict[str, tuple[float, float]] = {"age": (0.0, 110.0), "length_of_stay": (0.0, 90.0)}


@dataclass(frozen=True)
class Source:
    """Parquet files of one immutable dataset version (or a steward's local table)."""

    paths: tuple[str, ...]
    dataset_id: str
    label: str

    @property
    def cache_key(self) -> str:
        parts = []
        for p in self.paths:
            st = os.stat(p)
            parts.append(f"{p}:{st.st_size}:{st.st_mtime_ns}")
        return "|".join(parts)


def source_from_path(path: str | Path) -> Source:
    """A Parquet file or a folder of Parquet files, for stewards working outside the platform."""
    p = Path(path).expanduser()
    if p.is_dir():
        files = sorted(str(f) for f in p.rglob("*.parquet"))
        if not files:
            raise NotFoundError(f"no Parquet files under {p}", hint="point at a .parquet file or a folder of them")
    elif p.is_file():
        files = [str(p)]
    else:
        raise NotFoundError(f"no such file or dataset version: {path}",
                            hint="give DATASET_ID@VERSION from the catalog or a Parquet path")
    return Source(tuple(files), dataset_id=f"file:{p.resolve()}", label=str(p))


@dataclass
class Aggregate:
    """Exact grouped figures: one entry per non-empty group."""

    levels: list[list[str]]  # per dimension, the sorted level labels
    codes: list[np.ndarray]  # per dimension, level index of each group
    count: np.ndarray  # rows (or numerator rows for rates)
    denominator: np.ndarray | None = None  # all rows of the group (rates)
    total: np.ndarray | None = None  # sum of the clamped measured column (means)
    bounds: tuple[float, float] | None = None


class Engine:
    """One DuckDB connection per process; dataset versions are immutable, so their tables are cached."""

    def __init__(self, *, materialise: bool = True, cache_rows: int = 30_000_000, cache_tables: int = 2) -> None:
        self._con = duckdb.connect()
        self._materialise = materialise
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, tuple[str, dict[str, str]]] = OrderedDict()
        self._cache_rows = cache_rows
        self._cache_tables = cache_tables
        self._n = 0

    def _table(self, source: Source) -> tuple[str, dict[str, str]]:
        """A DuckDB relation over the source with the grouping keys (_mk_*) derived.

        A long-lived process (the API server) materialises the version in memory once: a version
        never changes, so warm queries become plain GROUP BYs over in-memory columns. A one-shot
        process (the CLI) queries the Parquet files directly, which is cheaper than loading them.
        """
        key = source.cache_key
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        files = ", ".join("'" + p.replace("'", "''") + "'" for p in source.paths)
        scan = f"read_parquet([{files}], union_by_name = true)"
        try:
            raw = {str(r[0]).lower(): str(r[1])
                   for r in self._con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
            rows = self._con.execute(f"SELECT count(*) FROM {scan}").fetchone() if self._materialise else None
        except duckdb.Error as exc:
            raise InputError(f"cannot read {source.label}: {str(exc).splitlines()[0]}",
                             hint="check that the files are Parquet tables") from exc
        self._n += 1
        name = f"src_{self._n}"
        derived = _derive(scan, raw)
        if rows is not None and rows[0] <= self._cache_rows:
            self._con.execute(f"CREATE TABLE {name} AS {derived}")
        else:
            self._con.execute(f"CREATE VIEW {name} AS {derived}")
        described = self._con.execute(f"DESCRIBE {name}").fetchall()
        entry = (name, {str(r[0]).lower(): str(r[1]) for r in described})
        self._cache[key] = entry
        while len(self._cache) > self._cache_tables:
            _old, (old_name, _cols) = self._cache.popitem(last=False)
            self._con.execute(f"DROP TABLE IF EXISTS {old_name}")
            self._con.execute(f"DROP VIEW IF EXISTS {old_name}")
        return entry

    def columns(self, source: Source) -> dict[str, str]:
        with self._lock:
            return dict(self._table(source)[1])

    def aggregate(self, source: Source, spec: QuerySpec, *,
                  unit_cap: tuple[str, int] | None = None) -> Aggregate:
        """`unit_cap` = (unit column, k): keep at most k rows per unit (bounds DP sensitivity)."""
        with self._lock:
            table, columns = self._table(source)
            sql, params, resolved = build_sql(table, columns, spec, unit_cap=unit_cap)
            try:
                data = self._con.sql(sql, params=params).to_arrow_table()
            except duckdb.Error as exc:
                raise InputError(f"query failed on {source.label}: {str(exc).splitlines()[0]}",
                                 hint="check the column types of the table") from exc
        return _to_aggregate(data, spec, resolved)

    def weekly_counts(self, source: Source, conditions: Sequence[str]) -> dict[str, np.ndarray]:
        """Rows per (state, district, ISO week, condition) for surveillance; exact, internal only."""
        spec = QuerySpec(by=(Dimension.STATE, Dimension.DISTRICT, Dimension.WEEK, Dimension.CONDITION),
                         conditions=tuple(conditions))
        agg = self.aggregate(source, spec)
        return {"state": np.array(agg.levels[0], dtype=object)[agg.codes[0]],
                "district": np.array(agg.levels[1], dtype=object)[agg.codes[1]],
                "week": np.array(agg.levels[2], dtype=object)[agg.codes[2]],
                "condition": np.array(agg.levels[3], dtype=object)[agg.codes[3]],
                "count": agg.count}


# Grouping keys derived once per source (a projection, or materialised in memory).
_DERIVED: dict[Dimension, str] = {
    Dimension.WEEK: "_mk_week", Dimension.MONTH: "_mk_month", Dimension.ICD10: "_mk_icd3",
    Dimension.CHAPTER: "_mk_chapter", Dimension.CONDITION: "_mk_condition", Dimension.AGE_BAND: "_mk_age_band",
    Dimension.SEX: "_mk_sex",
}


def _derive(scan: str, raw: dict[str, str]) -> str:
    """SELECT over `scan` adding the _mk_* keys its columns allow (two layers: ICD-10 code first)."""
    first: list[str] = []
    date = _col(raw, "date", required=False)
    if date:
        first.append(f"date_trunc('week', CAST({date} AS DATE)) AS _mk_week")  # Monday: the ISO week start
        first.append(f"date_trunc('month', CAST({date} AS DATE)) AS _mk_month")
    icd = _col(raw, "icd10", required=False)
    if icd:
        first.append(f"upper(left(CAST({icd} AS VARCHAR), 3)) AS _mk_icd3")
    age = _col(raw, "age", required=False)
    if age:
        arms = " ".join(f"WHEN {age} < {hi} THEN '{label}'" for label, _lo, hi in AGE_BANDS)
        first.append(f"CASE WHEN {age} IS NULL OR {age} < 0 THEN 'unknown' {arms} ELSE 'unknown' END AS _mk_age_band")
    sex = _col(raw, "sex", required=False)
    if sex:
        first.append(f"coalesce(upper(left(CAST({sex} AS VARCHAR), 1)), 'U') AS _mk_sex")
    inner = f"SELECT *{''.join(', ' + x for x in first)} FROM {scan}"
    if not icd:
        return inner
    chapter = " ".join(f"WHEN _mk_icd3 BETWEEN '{lo}' AND '{hi}' THEN '{ch}'" for ch, lo, hi in CHAPTERS)
    condition = " ".join(f"WHEN {_ranges_sql('_mk_icd3', c.ranges)} THEN '{c.key}'" for c in CONDITIONS.values())
    return (f"SELECT *, CASE {chapter} ELSE 'unknown' END AS _mk_chapter, "
            f"CASE {condition} ELSE 'other' END AS _mk_condition FROM ({inner})")


def _col(columns: dict[str, str], logical: str, *, required: bool = True) -> str | None:
    for name in ALIASES.get(logical, (logical,)):
        if name in columns:
            return '"' + name + '"'
    if required:
        raise InputError(f"the table has no {logical} column", where=", ".join(sorted(columns)[:12]),
                         hint=f"name it one of: {', '.join(ALIASES.get(logical, (logical,)))}")
    return None


def _icd3(columns: dict[str, str]) -> str:
    if "_mk_icd3" not in columns:
        raise InputError("the table has no ICD-10 column", where=", ".join(sorted(columns)[:12]),
                         hint=f"name it one of: {', '.join(ALIASES['icd10'])}")
    return "_mk_icd3"


def _ranges_sql(expr: str, ranges: Sequence[tuple[str, str]]) -> str:
    return "(" + " OR ".join(f"({expr} BETWEEN '{lo}' AND '{hi}')" for lo, hi in ranges) + ")"


def _dimension_sql(dim: Dimension, columns: dict[str, str]) -> str:
    if dim in _DERIVED:
        name = _DERIVED[dim]
        if name not in columns:
            needs = {"_mk_week": "date", "_mk_month": "date", "_mk_age_band": "age", "_mk_sex": "sex"}.get(name, "icd10")
            _col(columns, needs)  # raises the one-line error naming the missing column
        return name
    return f"coalesce(CAST({_col(columns, str(dim))} AS VARCHAR), 'unknown')"


def build_sql(table: str, columns: dict[str, str], spec: QuerySpec, *,
              unit_cap: tuple[str, int] | None = None) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The grouped SELECT for `spec`; values travel as parameters, never spliced into SQL."""
    params: dict[str, Any] = {}

    def param(value: Any) -> str:
        name = f"p{len(params)}"
        params[name] = value
        return f"${name}"

    where: list[str] = []
    case_filter: list[str] = []
    icd = _icd3(columns) if (spec.conditions or spec.icd10_prefixes) else ""
    for key in spec.conditions:
        if key not in CONDITIONS:
            raise InputError(f"unknown condition {key!r}", where="--condition",
                             hint=f"use one of {', '.join(CONDITIONS)}")
        case_filter.append(_ranges_sql(icd, CONDITIONS[key].ranges))
    for prefix in spec.icd10_prefixes:
        case_filter.append(f"starts_with({icd}, {param(prefix.strip().upper()[:3])})")
    date = _col(columns, "date") if (spec.week_from or spec.week_to) else None
    if spec.week_from:
        where.append(f"CAST({date} AS DATE) >= {param(parse_week(spec.week_from, where='--from'))}")
    if spec.week_to:
        where.append(f"CAST({date} AS DATE) < {param(parse_week(spec.week_to, where='--to'))} + INTERVAL 7 DAY")
    if spec.districts:
        where.append(f"CAST({_col(columns, 'district')} AS VARCHAR) IN ({', '.join(param(d) for d in spec.districts)})")
    resolved: dict[str, Any] = {}
    case_sql = "(" + " OR ".join(case_filter) + ")" if case_filter else ""
    if spec.measure is Measure.RATE:
        if not case_sql:
            raise InputError("a rate needs a numerator", where="--rate",
                             hint="add --condition or --icd10; the denominator is all encounters of the cell")
        measures = [f"count(*) FILTER (WHERE {case_sql}) AS n", "count(*) AS d"]
    else:
        if case_sql:
            where.append(case_sql)
        measures = ["count(*) AS n"]
        if spec.measure is Measure.MEAN:
            if not spec.mean_of:
                raise InputError("a mean needs a column", where="--mean", hint="e.g. --mean age")
            name = spec.mean_of.lower()
            if name not in columns or not any(t in columns[name] for t in ("INT", "FLOAT", "DOUBLE", "DECIMAL")):
                raise InputError(f"no numeric column {spec.mean_of!r}", where="--mean",
                                 hint="use a numeric column such as age or length_of_stay")
            lo, hi = NUMERIC_BOUNDS.get(name, (None, None))
            value = f'CAST("{name}" AS DOUBLE)'
            if lo is not None:
                value = f"least(greatest({value}, {lo}), {hi})"
                resolved["bounds"] = (lo, hi)
            where.append(f'"{name}" IS NOT NULL')
            measures.append(f"sum({value}) AS s")
    dims = [_dimension_sql(d, columns) for d in spec.by]
    select = [f"{e} AS k{i}" for i, e in enumerate(dims)]
    source = table
    if unit_cap is not None:
        unit = f'"{unit_cap[0].lower()}"' if unit_cap[0].lower() in columns else None
        if unit is not None:
            # Bound each person's contribution (DP sensitivity) by keeping at most `unit_cap` rows each.
            order = _col(columns, "date", required=False) or unit
            source = (f"(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY {unit} ORDER BY {order}) AS _rn "
                      f"FROM {table}) WHERE _rn <= {int(unit_cap[1])})")
            resolved["unit_column"] = unit.strip('"')
    sql = f"SELECT {', '.join([*select, *measures])} FROM {source}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if dims:
        sql += " GROUP BY " + ", ".join(f"k{i}" for i in range(len(dims)))
    # Labels are formatted on the (small) grouped result, not per row.
    labels = []
    for i, dim in enumerate(spec.by):
        if dim is Dimension.WEEK:
            labels.append(f"strftime(k{i}, '%G-W%V') AS k{i}")
        elif dim is Dimension.MONTH:
            labels.append(f"strftime(k{i}, '%Y-%m') AS k{i}")
        else:
            labels.append(f"CAST(k{i} AS VARCHAR) AS k{i}")
    outer = [*labels, *(m.rsplit(" AS ", 1)[1] for m in measures)]
    return f"SELECT {', '.join(outer)} FROM ({sql})", params, resolved


def _to_aggregate(data: Any, spec: QuerySpec, resolved: dict[str, Any]) -> Aggregate:
    """Factorise the grouped result (Arrow dictionary encoding, in C++) into sorted level codes."""
    levels: list[list[str]] = []
    codes: list[np.ndarray] = []
    for i in range(len(spec.by)):
        encoded = pc.dictionary_encode(data.column(f"k{i}").combine_chunks().fill_null("unknown"))
        names = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
        order = np.argsort(names.astype(str), kind="stable")
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        levels.append([str(n) for n in names[order]])
        codes.append(rank[encoded.indices.to_numpy(zero_copy_only=False)])
    count = data.column("n").to_numpy().astype(np.int64)
    denominator = data.column("d").to_numpy().astype(np.int64) if "d" in data.column_names else None
    total = (np.nan_to_num(data.column("s").to_numpy(zero_copy_only=False).astype(float))
             if "s" in data.column_names else None)
    return Aggregate(levels, codes, count, denominator, total, resolved.get("bounds"))
