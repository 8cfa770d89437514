"""Checksums and plausibility checks that turn a digit pattern into an identifier (pure functions)."""

from __future__ import annotations

import datetime as dt

# Verhoeff (dihedral group D5) tables: the Aadhaar check digit. A one-digit error or an adjacent
# transposition always fails, which is why a mistyped number or a lab accession number with the
# same shape does not pass.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


_ASCII_NON_DIGITS = {i: None for i in range(128) if not chr(i).isdigit()}


def digits_only(value: str) -> str:
    if value.isascii():
        return value.translate(_ASCII_NON_DIGITS)  # one C call
    return "".join(ch for ch in value if ch.isdigit())


def verhoeff_valid(number: str) -> bool:
    """True if the digit string (separators ignored) carries a correct Verhoeff check digit."""
    digits = digits_only(number)
    if not digits:
        return False
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][int(ch)]]
    return check == 0


def verhoeff_check_digit(number: str) -> str:
    """The digit to append to `number` so that the result is Verhoeff-valid."""
    check = 0
    for i, ch in enumerate(reversed(digits_only(number))):
        check = _D[check][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[check])


def aadhaar_valid(value: str) -> bool:
    """12 digits, first digit 2-9 (UIDAI never issues 0 or 1), Verhoeff-valid, consistent separators."""
    digits = digits_only(value)
    if len(digits) != 12 or digits[0] in "01":
        return False
    seps = {ch for ch in value if not ch.isdigit()}
    if len(seps) > 1:
        return False
    return verhoeff_valid(digits)


# PAN's 4th character says who holds it: P person, C company, H HUF, F firm, A AOP, T trust,
# B BOI, L local authority, J artificial juridical person, G government, K Krishi (rare).
PAN_ENTITY_CODES = frozenset("PCHFATBLJGK")


def pan_valid(value: str) -> bool:
    v = value.upper()
    return (len(v) == 10 and v[:5].isalpha() and v[5:9].isdigit() and v[9].isalpha()
            and v[3] in PAN_ENTITY_CODES)


# State/UT codes used on vehicle registrations and driving licences.
INDIAN_STATE_CODES = frozenset(
    "AN AP AR AS BR CG CH DD DL DN GA GJ HP HR JH JK KA KL LA LD MH ML MN MP MZ NL OD OR PB PY RJ SK "
    "TN TR TS UK UA UP WB BH".split()
)


def state_code_valid(value: str) -> bool:
    return value[:2].upper() in INDIAN_STATE_CODES


def ipv4_valid(value: str) -> bool:
    parts = value.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 and (p == "0" or not p.startswith("0"))
                                   for p in parts)


def plausible_date(day: int, month: int, year: int | None) -> bool:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return False
    try:
        dt.date(year if year is not None else 2000, month, day)  # 2000 is a leap year: 29 Feb passes
    except ValueError:
        return False
    return True


def expand_year(year: int) -> int:
    """Two-digit years as Indian notes mean them: 00-49 → 2000s, 50-99 → 1900s."""
    if year >= 100:
        return year
    return 2000 + year if year < 50 else 1900 + year


def pin_plausible(value: str) -> bool:
    """India Post PIN: 6 digits, first digit 1-9 names the zone; 2-digit sub-zone prefixes run 11-99."""
    return len(value) == 6 and value.isdigit() and value[0] != "0" and int(value[:2]) >= 11
