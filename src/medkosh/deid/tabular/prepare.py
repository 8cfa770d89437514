"""The recipe's fixed transformations, as one lazy Polars query (nothing is read here):
identifiers dropped or replaced by keyed pseudonyms, dates parsed, shifted per patient and/or cut to
month/quarter/year, numbers top-coded and banded, codes truncated. The search then generalises the
quasi-identifiers further along their hierarchies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from medkosh.deid.tabular.encode import MISSING
from medkosh.deid.tabular.recipe import ColumnSpec, Recipe
from medkosh.errors import InputError


def scan(source: str | Path) -> pl.LazyFrame:
    """A CSV (comma or semicolon, detected from the header) or Parquet file, read lazily."""
    path = Path(source)
    if not path.exists():
        raise InputError("input table not found", where=str(path), hint="check the path")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pl.scan_parquet(path)
    if suffix in (".csv", ".txt", ".tsv"):
        with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
            header = fh.readline()
        if not header.strip():
            raise InputError("input table is empty", where=str(path), hint="give a table with a header row and rows")
        separator = max((";", ",", "\t"), key=header.count)
        # Everything is read as text: hierarchies are text, and codes such as PIN 011001 keep their zeros.
        return pl.scan_csv(path, separator=separator, infer_schema=False, encoding="utf8-lossy")
    raise InputError(f"unsupported input type {suffix or '(none)'!r}", where=str(path), hint="use .csv or .parquet")


def _unique_map(func: Any) -> Any:
    """A batch function applying `func` once per distinct value (pseudonyms and shifts are keyed
    HMACs: computing them per distinct value keeps large tables fast)."""

    def apply(series: pl.Series) -> pl.Series:
        text = series.cast(pl.Utf8)
        uniq = [v for v in text.unique().to_list() if v is not None]
        mapping = {v: func(v) for v in uniq}
        return text.replace_strict(mapping, default=None)

    return apply


def _date_expr(spec: ColumnSpec, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(spec.name)
    if dtype == pl.Date:
        return col
    if dtype == pl.Datetime:
        return col.dt.date()
    if spec.date_format:
        return col.cast(pl.Utf8).str.strip_chars().str.strptime(pl.Date, spec.date_format, strict=True)
    return col.cast(pl.Utf8).str.strip_chars().str.slice(0, 10).str.to_date("%Y-%m-%d", strict=True)


def _generalised_date(expr: pl.Expr, level: str) -> pl.Expr:
    if level == "month":
        return expr.dt.strftime("%Y-%m")
    if level == "quarter":
        return pl.concat_str([expr.dt.year().cast(pl.Utf8), pl.lit("-Q"), expr.dt.quarter().cast(pl.Utf8)])
    return expr.dt.year().cast(pl.Utf8)


def _number_expr(spec: ColumnSpec) -> pl.Expr:
    value = pl.col(spec.name).cast(pl.Utf8).str.strip_chars().cast(pl.Float64, strict=True)
    if spec.band:
        low = (value / spec.band).floor() * spec.band
        text = pl.concat_str([low.cast(pl.Int64).cast(pl.Utf8), pl.lit("-"),
                              (low + spec.band - 1).cast(pl.Int64).cast(pl.Utf8)])
    else:
        text = pl.when(value == value.floor()).then(value.cast(pl.Int64).cast(pl.Utf8)).otherwise(value.cast(pl.Utf8))
    if spec.top_code is not None:
        text = pl.when(value >= spec.top_code).then(pl.lit(f"{spec.top_code}+")).otherwise(text)
    return text


def prepare(lf: pl.LazyFrame, recipe: Recipe, secret: bytes) -> pl.LazyFrame:
    schema = lf.collect_schema()
    names = schema.names()
    for col in recipe.columns:
        if col not in names:
            raise InputError(f"column {col!r} named in the recipe is not in the table",
                             where=recipe.source, hint=f"the table has: {', '.join(names[:20])}")
    if recipe.patient_key_column and recipe.patient_key_column not in names:
        raise InputError(f"patient_key_column {recipe.patient_key_column!r} is not in the table",
                         where=recipe.source)
    exprs: list[pl.Expr] = []
    for name in names:
        spec = recipe.columns.get(name)
        if spec is None:
            if recipe.other_columns == "keep":
                exprs.append(pl.col(name))
            continue
        if spec.role == "identifier":
            if spec.transform == "pseudonym":
                # imported here: medkosh.deid.pseudonym pulls in the settings (pydantic), which a
                # recipe without pseudonyms should not pay for at start-up
                from medkosh.deid.pseudonym import pseudonym

                fn = _unique_map(lambda v, c=name: pseudonym(secret, v, system=c))
                exprs.append(pl.col(name).map_batches(fn, return_dtype=pl.Utf8))
            continue
        expr = pl.col(name)
        text = False
        if spec.date_format or spec.shift or spec.generalise:
            expr = _date_expr(spec, schema[name])
            if spec.shift:
                from medkosh.deid.dates import shift_days

                assert recipe.patient_key_column
                days = recipe.date_shift_days
                fn = _unique_map(lambda v, d=days: shift_days(secret, v, d))
                offset = pl.col(recipe.patient_key_column).map_batches(fn, return_dtype=pl.Int64)
                expr = expr + pl.duration(days=offset)
            if spec.generalise:
                expr = _generalised_date(expr, spec.generalise)
                text = True
            elif spec.role == "quasi":
                expr = expr.dt.strftime("%Y-%m-%d")
                text = True
        if spec.top_code is not None or spec.band is not None:
            expr = _number_expr(spec)
            text = True
        if spec.truncate is not None:
            expr = (expr if text else expr.cast(pl.Utf8)).str.slice(0, spec.truncate)
            text = True
        if spec.role in ("quasi", "sensitive"):
            expr = expr.cast(pl.Utf8).fill_null(MISSING)
        exprs.append(expr.alias(name))
    if not exprs:
        raise InputError("the recipe keeps no column", where=recipe.source,
                         hint="give at least one column a role other than identifier/drop")
    return lf.select(exprs)
