"""From a table to the encoded problem: one pass groups the rows by (QIs, sensitive value) into
counted cells (streaming, so the table may be larger than memory); hierarchies then turn each
cell's values into small integer codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from medkosh.deid.tabular.hierarchy import Hierarchy, build_rule, flat
from medkosh.errors import InputError

COUNT = "__medkosh_count"
MISSING = "NULL"  # how an empty QI value is named in hierarchies


def as_text(columns: list[str]) -> list[pl.Expr]:
    """QI and sensitive values are compared as text (hierarchy files are text)."""
    return [pl.col(c).cast(pl.Utf8).fill_null(MISSING) for c in columns]


def cell_counts(lf: pl.LazyFrame, columns: list[str]) -> pl.DataFrame:
    """Distinct value combinations with their row counts, computed by Polars' streaming engine."""
    query = lf.select(as_text(columns)).group_by(columns).agg(pl.len().alias(COUNT))
    out = query.collect(engine="streaming")
    # Group-by order varies from run to run; the Problem re-orders cells by their codes so that
    # float sums over cells come out the same every time.
    return out.with_columns(pl.col(COUNT).cast(pl.Int64))


def merge_counts(parts: list[pl.DataFrame], columns: list[str]) -> pl.DataFrame:
    """Cell counts of partitions merged into the counts of the whole table (Ray engine)."""
    if not parts:
        return pl.DataFrame({**{c: [] for c in columns}, COUNT: []},
                            schema={**dict.fromkeys(columns, pl.Utf8), COUNT: pl.Int64})
    return pl.concat(parts).group_by(columns).agg(pl.col(COUNT).sum())


HierarchySource = Hierarchy | dict[str, Any] | None


def resolve_hierarchies(base: pl.DataFrame, qis: list[str],
                        sources: dict[str, HierarchySource],
                        loader: Callable[[str, str], Hierarchy]) -> list[Hierarchy]:
    """Each QI's hierarchy: a loaded one, one built from a rule over the column's values, or `*`."""
    out = []
    for col in qis:
        src = sources.get(col)
        values = base.get_column(col).unique().to_list()
        if isinstance(src, Hierarchy):
            out.append(src)
        elif isinstance(src, dict) and "file" in src:
            out.append(loader(str(src["file"]), col))
        elif isinstance(src, dict):
            out.append(build_rule(col, src, values))
        else:
            out.append(flat(col, values))
    return out


def leaf_codes(base: pl.DataFrame, column: str, hierarchy: Hierarchy) -> np.ndarray:
    """The hierarchy row of each cell's value; a value missing from the hierarchy is an error."""
    values = base.get_column(column)
    index = hierarchy.leaf_index
    uniq = values.unique().to_list()
    missing = sorted(v for v in uniq if v not in index)
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise InputError(f"value {missing[0]!r}{more} of column {column!r} is missing from its hierarchy",
                         hint="add a row for it to the hierarchy file, or fix the data")
    # An Enum over the hierarchy's leaves (in hierarchy order): its physical codes are the rows.
    leaves = pl.Enum([row[0] for row in hierarchy.rows])
    return values.cast(leaves).to_physical().to_numpy().astype(np.int64)


def sensitive_codes(base: pl.DataFrame, column: str, order: list[str] | None,
                    ordered: bool) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Codes of the sensitive values, their texts, and each code's rank for ordered distance
    (numeric order when every value is a number, else the recipe's order, else text order)."""
    values = sorted(base.get_column(column).unique().to_list())
    if ordered:
        if order:
            unknown = [v for v in values if v not in order]
            if unknown:
                raise InputError(f"sensitive value {unknown[0]!r} of column {column!r} is not in 'order'",
                                 hint="list every value in the recipe's order for the column")
            rank_of = {v: order.index(v) for v in values}
            ranked = sorted(values, key=rank_of.__getitem__)
        else:
            try:
                ranked = sorted(values, key=float)
            except ValueError:
                ranked = values
        position = {v: i for i, v in enumerate(ranked)}
        ranks = np.array([position[v] for v in values], dtype=np.int64)
    else:
        ranks = np.arange(len(values), dtype=np.int64)
    codes = base.get_column(column).cast(pl.Enum(values)).to_physical().to_numpy().astype(np.int64)
    return codes, values, ranks
