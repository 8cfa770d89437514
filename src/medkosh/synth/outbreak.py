"""Parse `--outbreak CONDITION:DISTRICT:YYYY-Www[:factor]` (an outbreak to inject for surveillance tests)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from medkosh.errors import InputError
from medkosh.synth.clinical import ACUTE_ALIASES

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
DEFAULT_FACTOR = 5.0


@dataclass(frozen=True)
class OutbreakSpec:
    condition: str  # a key of clinical.ACUTE
    district: str  # as typed; resolved against the generated districts later
    year: int
    week: int
    factor: float

    @property
    def week_start(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.week, 1)

    @property
    def iso_week(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def parse_outbreak(spec: str) -> OutbreakSpec:
    """Parse the flag value; every mistake is one InputError line naming the part that is wrong."""
    where = f"--outbreak {spec!r}"
    parts = [p.strip() for p in spec.split(":")]
    if len(parts) not in (3, 4) or not all(parts):
        raise InputError("bad --outbreak value", where=where,
                         hint="write CONDITION:DISTRICT:YYYY-Www[:factor], e.g. dengue:Pune:2024-W38:5")
    condition = ACUTE_ALIASES.get(parts[0].lower())
    if condition is None:
        raise InputError(f"unknown outbreak condition {parts[0]!r}", where=where,
                         hint=f"use one of {', '.join(sorted(set(ACUTE_ALIASES.values())))}")
    match = _WEEK.match(parts[2])
    if not match:
        raise InputError(f"bad ISO week {parts[2]!r}", where=where, hint="write the week as YYYY-Www, e.g. 2024-W38")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise InputError(f"no ISO week {parts[2]}", where=where, hint="weeks run from W01 to W52 (or W53)") from exc
    factor = DEFAULT_FACTOR
    if len(parts) == 4:
        try:
            factor = float(parts[3])
        except ValueError as exc:
            raise InputError(f"bad outbreak factor {parts[3]!r}", where=where, hint="give a number above 1, e.g. 5") from exc
        if not 1.0 < factor <= 100.0:
            raise InputError(f"outbreak factor {parts[3]} out of range", where=where, hint="give a number in (1, 100]")
    return OutbreakSpec(condition, parts[1], year, week, factor)
