"""Vocabulary of the surveillance domain: conditions, dimensions, measures, query specs and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ProtectionMode(StrEnum):
    """How a dataset's aggregates are protected; chosen per dataset by its steward."""

    DISCLOSURE = "disclosure"  # small-cell suppression (+ secondary) and rounding
    DP = "dp"  # differential privacy with a per-user, per-dataset budget


class Mechanism(StrEnum):
    LAPLACE = "laplace"
    GAUSSIAN = "gaussian"


class Measure(StrEnum):
    COUNT = "count"
    RATE = "rate"  # per 1,000 encounters of the same cell (all conditions)
    MEAN = "mean"


class Dimension(StrEnum):
    DISTRICT = "district"
    STATE = "state"
    WEEK = "week"  # ISO week, 'YYYY-Www'
    MONTH = "month"  # 'YYYY-MM'
    ICD10 = "icd10"  # three-character ICD-10 category
    CHAPTER = "chapter"  # ICD-10 chapter, roman numeral
    CONDITION = "condition"  # a notifiable condition from CONDITIONS, or 'other'
    AGE_BAND = "age_band"
    SEX = "sex"


class SurveillanceEvent(StrEnum):
    QUERY_ANSWERED = "surveillance.query.answered"
    QUERY_REFUSED = "surveillance.query.refused"
    BUDGET_SPENT = "surveillance.budget.spent"
    SETTINGS_CHANGED = "surveillance.settings.changed"
    RUN_COMPLETED = "surveillance.run.completed"


@dataclass(frozen=True)
class Condition:
    """A notifiable condition as IDSP/IHIP report it, defined by three-character ICD-10 ranges."""

    key: str
    name: str
    ranges: tuple[tuple[str, str], ...]

    @property
    def icd10(self) -> str:
        """Display form such as 'A90-A91' or 'A00, A02-A09'."""
        return ", ".join(lo if lo == hi else f"{lo}-{hi}" for lo, hi in self.ranges)

    def matches(self, code: str) -> bool:
        c = code[:3].upper()
        return any(lo <= c <= hi for lo, hi in self.ranges)


# Conditions under weekly syndromic/lab surveillance in IDSP; ranges are three-character ICD-10 categories.
CONDITIONS: dict[str, Condition] = {c.key: c for c in (
    Condition("dengue", "Dengue", (("A90", "A91"),)),
    Condition("malaria", "Malaria", (("B50", "B54"),)),
    Condition("tuberculosis", "Tuberculosis", (("A15", "A19"),)),
    Condition("add", "Acute diarrhoeal disease", (("A00", "A00"), ("A02", "A09"))),
    Condition("typhoid", "Enteric fever (typhoid)", (("A01", "A01"),)),
    Condition("chikungunya", "Chikungunya", (("A92", "A92"),)),
    Condition("ili", "Influenza-like illness", (("J09", "J11"),)),
)}

# Age bands used by IDSP-style tables; upper bounds exclusive.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-4", 0, 5), ("5-14", 5, 15), ("15-24", 15, 25), ("25-44", 25, 45), ("45-64", 45, 65), ("65+", 65, 200),
)

# ICD-10 (WHO 2019) chapters by three-character ranges.
CHAPTERS: tuple[tuple[str, str, str], ...] = (
    ("I", "A00", "B99"), ("II", "C00", "D48"), ("III", "D50", "D89"), ("IV", "E00", "E90"),
    ("V", "F00", "F99"), ("VI", "G00", "G99"), ("VII", "H00", "H59"), ("VIII", "H60", "H95"),
    ("IX", "I00", "I99"), ("X", "J00", "J99"), ("XI", "K00", "K93"), ("XII", "L00", "L99"),
    ("XIII", "M00", "M99"), ("XIV", "N00", "N99"), ("XV", "O00", "O99"), ("XVI", "P00", "P96"),
    ("XVII", "Q00", "Q99"), ("XVIII", "R00", "R99"), ("XIX", "S00", "T98"), ("XX", "V01", "Y98"),
    ("XXI", "Z00", "Z99"), ("XXII", "U00", "U99"),
)


@dataclass(frozen=True)
class DatasetSettings:
    """Protection settings of one dataset (defaults follow OpenSAFELY: ≤7 redacted, rounded to 5)."""

    dataset_id: str
    mode: ProtectionMode = ProtectionMode.DISCLOSURE
    threshold: int = 8
    rounding_base: int = 5
    epsilon_budget: float = 1.0
    delta_budget: float = 1e-6
    max_epsilon_per_query: float = 1.0
    # Rows one privacy unit may contribute to a DP query; enforced by truncation when the data
    # have a unit column (patient pseudonym), otherwise each row is its own unit.
    max_contributions: int = 1
    unit_column: str | None = "patient_id"


@dataclass(frozen=True)
class QuerySpec:
    by: tuple[Dimension, ...]
    measure: Measure = Measure.COUNT
    mean_of: str | None = None
    conditions: tuple[str, ...] = ()  # restrict to these condition keys
    icd10_prefixes: tuple[str, ...] = ()
    week_from: str | None = None  # 'YYYY-Www' inclusive
    week_to: str | None = None
    districts: tuple[str, ...] = ()
    epsilon: float | None = None  # set → differential privacy
    mechanism: Mechanism = Mechanism.LAPLACE

    def describe(self) -> dict[str, Any]:
        return {"by": [str(d) for d in self.by], "measure": str(self.measure), "mean_of": self.mean_of,
                "conditions": list(self.conditions), "icd10": list(self.icd10_prefixes),
                "week_from": self.week_from, "week_to": self.week_to, "districts": len(self.districts),
                "epsilon": self.epsilon, "mechanism": str(self.mechanism) if self.epsilon else None}


@dataclass
class QueryResult:
    """A protected table: rows of dimension values and one published value per row.

    `value` is None where a cell is suppressed; `flag` says why ('primary', 'secondary') or is ''.
    Margin rows (dimension value '*') are included under disclosure control, because a margin the
    user could obtain from a coarser query must be part of the suppression problem.
    """

    by: list[str]
    measure: str
    mode: str
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    epsilon_spent: float = 0.0
    delta_spent: float = 0.0
    budget_left: float | None = None
    query_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"query_id": self.query_id, "by": self.by, "measure": self.measure, "mode": self.mode,
                "rows": self.rows, "notes": self.notes, "epsilon_spent": self.epsilon_spent,
                "delta_spent": self.delta_spent, "budget_left": self.budget_left}


@dataclass(frozen=True)
class Alert:
    condition: str
    condition_name: str
    icd10: str
    state: str
    district: str
    week: str
    method: str
    observed: int
    expected: float
    statistic: float
    threshold: float
    score: float  # signal strength: statistic / threshold (>1 means above threshold)
