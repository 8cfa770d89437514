"""The Verhoeff check digit, as used by the last digit of an Aadhaar number.

The generator plants Aadhaar-format numbers that pass this check, and the text de-identifier uses
`is_valid` to tell a real-looking Aadhaar from any other 12-digit run (a phone number, an IP number),
so both sides must agree on one implementation: this one. Verhoeff catches every single-digit
error and every swap of adjacent digits, which is why UIDAI chose it.
"""

from __future__ import annotations

# The dihedral group D5 multiplication table, the position permutation and the inverse table.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def _digits(number: str) -> list[int]:
    """Digits of `number`, ignoring spaces and dashes (Aadhaar is written 1234 5678 9012 or 1234-5678-9012)."""
    cleaned = number.replace(" ", "").replace("-", "")
    if not cleaned or not cleaned.isascii() or not cleaned.isdigit():
        raise ValueError("expected a string of ASCII digits (spaces and dashes allowed)")
    return [int(c) for c in cleaned]


def check_digit(number: str) -> int:
    """The Verhoeff digit to append to `number` (digits only, spaces/dashes ignored)."""
    c = 0
    for i, digit in enumerate(reversed(_digits(number))):
        c = _D[c][_P[(i + 1) % 8][digit]]
    return _INV[c]


def is_valid(number: str) -> bool:
    """True if the last digit of `number` is its Verhoeff check digit. Never raises on odd input."""
    try:
        digits = _digits(number)
    except ValueError:
        return False
    c = 0
    for i, digit in enumerate(reversed(digits)):
        c = _D[c][_P[i % 8][digit]]
    return c == 0


def is_aadhaar_like(number: str) -> bool:
    """A 12-digit number not starting with 0 or 1 whose last digit passes Verhoeff (UIDAI's rules)."""
    cleaned = number.replace(" ", "").replace("-", "")
    return len(cleaned) == 12 and cleaned[:1] not in ("0", "1") and is_valid(cleaned)
