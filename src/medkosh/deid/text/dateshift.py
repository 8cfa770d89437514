"""Shift a date found in a note by a number of days and write it back in the note's own format
(12/03/2024, 12-Mar-2024, 12th March 2024, March 12, 2024, 2024-03-12, 12.03.24, March 2024, 3/14),
so intervals between a patient's dates survive de-identification."""

from __future__ import annotations

import datetime as dt
import re

from medkosh.deid.text.validators import expand_year, plausible_date

_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"]
_MONTH_YEAR = re.compile(r"^(\d{1,2})([/\-])(\d{4})$")
_NUMERIC = re.compile(r"^(\d{1,4})([/.\-])(\d{1,2})(?:\2(\d{1,4}))?(.*)$", re.DOTALL)
_WORDY = re.compile(r"[A-Za-z]+|\d+(?:st|nd|rd|th)?|'\d{2}|[^A-Za-z\d]+", re.IGNORECASE)


def _month_index(word: str) -> int | None:
    w = word.lower().rstrip(".")
    if len(w) < 3:
        return None
    for i, name in enumerate(_MONTHS):
        if name.startswith(w) or (w == "sept" and i == 8):
            return i + 1
    return None


def _style_month(month: int, like: str) -> str:
    name = _MONTHS[month - 1]
    if len(like.rstrip(".")) <= 4 and like.lower().rstrip(".") != name:
        name = name[:4] if like.lower().startswith("sept") else name[:3]
    if like.isupper():
        return name.upper()
    if like[:1].isupper():
        return name.capitalize()
    return name


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _pad(value: int, like: str, zero: bool | None = None) -> str:
    """Zero-pad like the original did: '03' stays two digits, '3' and '12th' do not gain a zero."""
    pad = like.startswith("0") and len(like) > 1 if zero is None else zero
    return f"{value:02d}" if pad else str(value)


def _year_text(year: int, like: str) -> str:
    if like.startswith("'"):
        return f"'{year % 100:02d}"
    return f"{year % 100:02d}" if len(like) == 2 else str(year)


def shift_date_text(value: str, days: int) -> str | None:
    """The same date moved by `days`, in the same writing; None when the text is not understood."""
    my = _MONTH_YEAR.match(value)
    if my:
        month, year = int(my.group(1)), int(my.group(3))
        if not 1 <= month <= 12:
            return None
        new = dt.date(year, month, 15) + dt.timedelta(days=days)
        return f"{_pad(new.month, my.group(1))}{my.group(2)}{new.year}"
    m = _NUMERIC.match(value)
    if m and m.group(1).isdigit():
        return _shift_numeric(m, days)
    return _shift_wordy(value, days)


def _shift_numeric(m: re.Match[str], days: int) -> str | None:
    a, sep, b, c, rest = m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)
    if c is None:
        # 3/14 (month/day, nursing-note style) or 14/3; or 03/2024 (month/year)
        if len(b) == 4 or (len(b) > 2):
            return None
        x, y = int(a), int(b)
        if plausible_date(y, x, None) and not plausible_date(x, y, None):
            order = "md"
        elif plausible_date(x, y, None) and not plausible_date(y, x, None):
            order = "dm"
        else:
            order = "md" if sep == "/" else "dm"
        month, day = (x, y) if order == "md" else (y, x)
        new = dt.date(2001, month, day) + dt.timedelta(days=days)
        first, second = (new.month, new.day) if order == "md" else (new.day, new.month)
        zero = a.startswith("0") or b.startswith("0")
        return f"{_pad(first, a, zero)}{sep}{_pad(second, b, zero)}{rest}"
    if len(a) == 4:  # ISO order
        year, month, day = int(a), int(b), int(c)
        if not plausible_date(day, month, year):
            return None
        new = dt.date(year, month, day) + dt.timedelta(days=days)
        zero = b.startswith("0") or c.startswith("0") or (len(b) == 2 and len(c) == 2)
        return f"{new.year:04d}{sep}{_pad(new.month, b, zero)}{sep}{_pad(new.day, c, zero)}{rest}"
    x, y, year = int(a), int(b), expand_year(int(c))
    # Indian notes write day first; month first only when the first number cannot be a day's month.
    if plausible_date(x, y, year):
        day, month, order = x, y, "dm"
    elif plausible_date(y, x, year):
        day, month, order = y, x, "md"
    else:
        return None
    new = dt.date(year, month, day) + dt.timedelta(days=days)
    first, second = (new.day, new.month) if order == "dm" else (new.month, new.day)
    zero = a.startswith("0") or b.startswith("0")
    return f"{_pad(first, a, zero)}{sep}{_pad(second, b, zero)}{sep}{_year_text(new.year, c)}{rest}"


def _shift_wordy(value: str, days: int) -> str | None:
    parts = _WORDY.findall(value)
    day_i = month_i = year_i = None
    for i, part in enumerate(parts):
        if part[:1].isalpha() and month_i is None and _month_index(part):
            month_i = i
        elif part[:1].isdigit() or part.startswith("'"):
            digits = part.lstrip("'").rstrip("stndrh")
            if part.startswith("'") or len(digits) == 4:
                year_i = i
            elif day_i is None and len(digits) <= 2:
                day_i = i
            elif len(digits) == 2:
                year_i = i
    if month_i is None:
        return None
    month = _month_index(parts[month_i]) or 1
    day = int(parts[day_i].rstrip("stndrh")) if day_i is not None else 15
    year_raw = parts[year_i].lstrip("'") if year_i is not None else None
    year = expand_year(int(year_raw)) if year_raw else 2001
    if not plausible_date(day, month, year):
        return None
    new = dt.date(year, month, day) + dt.timedelta(days=days)
    parts[month_i] = _style_month(new.month, parts[month_i])
    if day_i is not None:
        old = parts[day_i]
        suffix = old[len(old.rstrip("stndrhSTNDRH")):]
        text_day = _pad(new.day, old.rstrip("stndrhSTNDRH"))
        if suffix:
            suffix = _ordinal(new.day)
            if old[-1].isupper():
                suffix = suffix.upper()
        parts[day_i] = text_day + suffix
    if year_i is not None:
        parts[year_i] = _year_text(new.year, parts[year_i])
    return "".join(parts)
