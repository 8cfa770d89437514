"""Generalisation hierarchies: for each original value of a quasi-identifier, one label per level.

Level 0 is the original value; the last level is normally `*` (everything). A hierarchy is held as
integer codes so that a lattice node's equivalence classes are a group-by over small ints:
`codes[level][leaf]` is the code of a leaf's label at that level, `labels[level][code]` its text.

Hierarchies come from ARX-format CSV files (one row per value: `value;level1;level2;…`, no header)
or from rules built over the values the column actually holds (`build_rule`).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from medkosh.errors import InputError

TOP = "*"


@dataclass
class Hierarchy:
    column: str
    # rows[i] = [leaf, level1 label, level2 label, …]; every row has the same length (depth).
    rows: list[list[str]]
    leaf_index: dict[str, int] = field(init=False)
    codes: list[np.ndarray] = field(init=False)  # per level: int32 code of each leaf's label
    labels: list[list[str]] = field(init=False)  # per level: label text of each code
    leaves_covered: list[np.ndarray] = field(init=False)  # per level: leaves under each code

    def __post_init__(self) -> None:
        if not self.rows:
            raise InputError(f"hierarchy for column {self.column!r} is empty",
                             hint="give one row per value: value;level1;…;*")
        depth = len(self.rows[0])
        self.leaf_index = {}
        for i, row in enumerate(self.rows):
            if len(row) != depth:
                raise InputError(
                    f"inconsistent hierarchy depth for column {self.column!r}: value {row[0]!r} has "
                    f"{len(row)} levels, the first row has {depth}",
                    where=f"hierarchy row {i + 1}", hint="give every value the same number of levels")
            if row[0] in self.leaf_index:
                raise InputError(f"value {row[0]!r} appears twice in the hierarchy for column {self.column!r}",
                                 where=f"hierarchy row {i + 1}", hint="list each value once")
            self.leaf_index[row[0]] = i
        self.codes, self.labels, self.leaves_covered = [], [], []
        for level in range(depth):
            mapping: dict[str, int] = {}
            codes = np.empty(len(self.rows), dtype=np.int32)
            for i, row in enumerate(self.rows):
                codes[i] = mapping.setdefault(row[level], len(mapping))
            self.codes.append(codes)
            self.labels.append(list(mapping))
            self.leaves_covered.append(np.bincount(codes, minlength=len(mapping)))
        self._check_tree()

    def _check_tree(self) -> None:
        """Each label must have one parent: otherwise a coarser level could split a class, and the
        lattice's monotonicity (which the search relies on) would not hold."""
        for level in range(1, self.depth - 1):
            parent = np.full(len(self.labels[level]), -1, dtype=np.int64)
            child, up = self.codes[level], self.codes[level + 1]
            parent[child] = up  # last write wins; compare below
            bad = np.nonzero(parent[child] != up)[0]
            if bad.size:
                row = self.rows[int(bad[0])]
                raise InputError(
                    f"hierarchy for column {self.column!r} is not a tree: label {row[level]!r} at level "
                    f"{level} has more than one parent at level {level + 1}", where=f"value {row[0]!r}",
                    hint="give each label a single generalisation")

    @property
    def depth(self) -> int:
        return len(self.codes)

    @property
    def size(self) -> int:
        return len(self.rows)

    def level_sizes(self) -> list[int]:
        return [len(labels) for labels in self.labels]

    def penalty(self, level: int) -> np.ndarray:
        """Generalised certainty penalty per code: (m-1)/(M-1) for a label covering m of M leaves."""
        m = self.leaves_covered[level].astype(np.float64)
        total = float(self.size)
        if total <= 1:
            return np.zeros_like(m)
        return (m - 1.0) / (total - 1.0)

    def mapping(self, level: int) -> dict[str, str]:
        """Original value → label at `level` (used to write the output table)."""
        return {row[0]: row[level] for row in self.rows}

    def restrict(self, values: Iterable[str]) -> Hierarchy:
        """The same hierarchy over the given values only (rules build over the column's domain)."""
        keep = set(values)
        return Hierarchy(self.column, [r for r in self.rows if r[0] in keep])


def load_arx_csv(path: str | Path, column: str) -> Hierarchy:
    """An ARX hierarchy file: `value;level1;…` per line, semicolon-separated, no header."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"hierarchy file not found for column {column!r}", where=str(p),
                         hint="check the path in the recipe or --hierarchies") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"hierarchy file for column {column!r} is not UTF-8", where=str(p)) from exc
    rows = [[cell.strip() for cell in row] for row in csv.reader(text.splitlines(), delimiter=";") if row]
    if not rows:
        raise InputError(f"hierarchy file for column {column!r} is empty", where=str(p),
                         hint="give one row per value: value;level1;…;*")
    try:
        return Hierarchy(column, rows)
    except InputError as exc:
        exc.where = f"{p}, {exc.where}" if exc.where else str(p)
        raise


def flat(column: str, values: Iterable[str]) -> Hierarchy:
    """Value → `*`: the hierarchy of a quasi-identifier given no other."""
    return Hierarchy(column, [[v, TOP] for v in sorted(set(values))])


# --- rules --------------------------------------------------------------------------------------

def _interval_label(lo: float, width: float) -> str:
    a = int(lo)
    return f"{a}-{a + int(width) - 1}"


def intervals(column: str, values: Iterable[str], widths: Sequence[int], top_code: int | None = None) -> Hierarchy:
    """Numbers banded by each width in turn (5 → 0-4, 5-9…); ages at or above `top_code` become `90+`.

    Widths must each divide the next so that bands nest (a tree)."""
    widths = [int(w) for w in widths]
    if not widths or any(w < 1 for w in widths) or any(b % a for a, b in itertools.pairwise(widths)):
        raise InputError(f"interval widths for column {column!r} must be positive and each divide the next",
                         where=f"widths {widths}", hint="e.g. [5, 10, 20]")
    rows = []
    for v in sorted(set(values)):
        if v.endswith("+") and v[:-1].strip().isdigit():
            # already top-coded by the recipe (e.g. "90+"): the same label at every band level
            rows.append([v] + [v] * len(widths) + [TOP])
            continue
        try:
            x = float(v)
        except ValueError as exc:
            raise InputError(f"value {v!r} of column {column!r} is not a number", where="interval hierarchy",
                             hint="use a CSV hierarchy or another rule for non-numeric values") from exc
        row = [v]
        for w in widths:
            if top_code is not None and x >= top_code:
                row.append(f"{top_code}+")
            else:
                row.append(_interval_label((x // w) * w, w))
        row.append(TOP)
        rows.append(row)
    return Hierarchy(column, rows)


def digits(column: str, values: Iterable[str], keep: Sequence[int]) -> Hierarchy:
    """Codes masked from the right: keep=[5, 3, 1] turns 560034 into 56003*, 560***, 5*****."""
    rows = []
    for v in sorted(set(values)):
        row = [v] + [v[:k] + "*" * max(len(v) - k, 0) for k in keep] + [TOP]
        rows.append(row)
    return Hierarchy(column, rows)


# ICD-10 chapters by the first three characters (WHO ICD-10 2019 chapter ranges).
_ICD10_CHAPTERS = [
    ("A00", "B99", "I"), ("C00", "D48", "II"), ("D50", "D89", "III"), ("E00", "E90", "IV"),
    ("F00", "F99", "V"), ("G00", "G99", "VI"), ("H00", "H59", "VII"), ("H60", "H95", "VIII"),
    ("I00", "I99", "IX"), ("J00", "J99", "X"), ("K00", "K93", "XI"), ("L00", "L99", "XII"),
    ("M00", "M99", "XIII"), ("N00", "N99", "XIV"), ("O00", "O99", "XV"), ("P00", "P96", "XVI"),
    ("Q00", "Q99", "XVII"), ("R00", "R99", "XVIII"), ("S00", "T98", "XIX"), ("V01", "Y98", "XX"),
    ("Z00", "Z99", "XXI"), ("U00", "U99", "XXII"),
]


def icd10_chapter(code: str) -> str:
    head = code.replace(".", "").upper()[:3]
    for lo, hi, chapter in _ICD10_CHAPTERS:
        if lo <= head <= hi:
            return f"Chapter {chapter}"
    return "Unclassified"


def icd10(column: str, values: Iterable[str]) -> Hierarchy:
    """ICD-10 code → category (3 characters) → block of ten categories → chapter → `*`."""
    rows = []
    for v in sorted(set(values)):
        category = v.replace(".", "").upper()[:3]
        block = f"{category[:2]}0-{category[:2]}9" if len(category) == 3 else category
        rows.append([v, category, block, icd10_chapter(v), TOP])
    return Hierarchy(column, rows)


_DATE_LEVELS = ("month", "quarter", "year")


def dates(column: str, values: Iterable[str], levels: Sequence[str] = _DATE_LEVELS) -> Hierarchy:
    """ISO dates (YYYY-MM-DD) → month (YYYY-MM) → quarter (YYYY-Qn) → year → `*`."""
    unknown = [lv for lv in levels if lv not in _DATE_LEVELS]
    if unknown:
        raise InputError(f"unknown date level {unknown[0]!r} for column {column!r}",
                         hint="use month, quarter and/or year")
    rows = []
    for v in sorted(set(values)):
        try:
            # a month (YYYY-MM, from a recipe's generalise: month) stands for its first day
            d = dt.date.fromisoformat(v[:10] if len(v) != 7 else v + "-01")
        except ValueError as exc:
            raise InputError(f"value {v!r} of column {column!r} is not an ISO date", where="date hierarchy",
                             hint="give 'format' for the column in the recipe so dates are parsed first") from exc
        row = [v]
        for lv in levels:
            # a month value keeps itself at the month level
            row.append(v if (len(v) == 7 and lv == "month") else date_label(d, lv))
        row.append(TOP)
        rows.append(row)
    return Hierarchy(column, rows)


def date_label(d: dt.date, level: str) -> str:
    if level == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if level == "quarter":
        return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
    return f"{d.year:04d}"


# Indian states and union territories → zone (the zonal councils of the States Reorganisation Act,
# with the north-east as its own zone).
_ZONES = {
    "North": ["Chandigarh", "Delhi", "Haryana", "Himachal Pradesh", "Jammu and Kashmir", "Ladakh", "Punjab",
              "Rajasthan"],
    "Central": ["Chhattisgarh", "Madhya Pradesh", "Uttar Pradesh", "Uttarakhand"],
    "East": ["Bihar", "Jharkhand", "Odisha", "West Bengal"],
    "West": ["Dadra and Nagar Haveli and Daman and Diu", "Goa", "Gujarat", "Maharashtra"],
    "South": ["Andhra Pradesh", "Karnataka", "Kerala", "Puducherry", "Tamil Nadu", "Telangana",
              "Andaman and Nicobar Islands", "Lakshadweep"],
    "North-East": ["Arunachal Pradesh", "Assam", "Manipur", "Meghalaya", "Mizoram", "Nagaland", "Sikkim",
                   "Tripura"],
}
STATE_ZONE = {state.lower(): zone for zone, states in _ZONES.items() for state in states}


def state_zone(column: str, values: Iterable[str]) -> Hierarchy:
    rows = []
    for v in sorted(set(values)):
        zone = STATE_ZONE.get(v.strip().lower())
        if zone is None:
            raise InputError(f"value {v!r} of column {column!r} is not an Indian state or union territory",
                             where="state-zone hierarchy", hint="fix the value or give a CSV hierarchy")
        rows.append([v, zone, TOP])
    return Hierarchy(column, rows)


RULES = ("intervals", "digits", "icd10", "dates", "state_zone", "flat")


def build_rule(column: str, spec: dict[str, object], values: Iterable[str]) -> Hierarchy:
    """A hierarchy from a recipe rule (`{"rule": "intervals", "widths": [5, 10, 20]}` …)."""
    rule = spec.get("rule")
    if rule == "intervals":
        widths = spec.get("widths", [5, 10, 20])
        top = spec.get("top_code")
        return intervals(column, values, list(widths) if isinstance(widths, list) else [int(str(widths))],
                         int(str(top)) if top is not None else None)
    if rule == "digits":
        keep = spec.get("keep", [])
        if not isinstance(keep, list) or not keep:
            raise InputError(f"digits rule for column {column!r} needs 'keep', e.g. [5, 3, 1]")
        return digits(column, values, [int(k) for k in keep])
    if rule == "icd10":
        return icd10(column, values)
    if rule == "dates":
        levels = spec.get("levels", list(_DATE_LEVELS))
        return dates(column, values, [str(x) for x in levels] if isinstance(levels, list) else [str(levels)])
    if rule == "state_zone":
        return state_zone(column, values)
    if rule == "flat":
        return flat(column, values)
    raise InputError(f"unknown hierarchy rule {rule!r} for column {column!r}", hint=f"use one of {', '.join(RULES)}")
