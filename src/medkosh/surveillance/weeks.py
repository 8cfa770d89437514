"""ISO-week labels ('2025-W07'), the unit of IDSP/IHIP weekly reporting."""

from __future__ import annotations

import datetime as dt
import re

from medkosh.errors import InputError

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(label: str, *, where: str = "week") -> dt.date:
    """The Monday that starts ISO week `label`."""
    m = _WEEK.match(label.strip())
    if not m:
        raise InputError(f"not an ISO week: {label!r}", where=where, hint="write weeks as YYYY-Www, e.g. 2025-W07")
    try:
        return dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError as exc:
        raise InputError(f"no such ISO week: {label!r}", where=where,
                         hint="ISO years have 52 or 53 weeks") from exc


def week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_range(start: dt.date, weeks: int) -> list[dt.date]:
    """`weeks` consecutive Mondays from the Monday of `start`'s week."""
    monday = start - dt.timedelta(days=start.weekday())
    return [monday + dt.timedelta(weeks=i) for i in range(weeks)]
