"""Per-patient date shifting, shared by the tabular, text and DICOM steps so intervals survive and
the same patient gets the same shift everywhere in a dataset."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac


def shift_days(secret: bytes, patient_key: str, max_days: int = 365) -> int:
    """A shift in [-max_days, +max_days] excluding 0, fixed for (secret, patient)."""
    if max_days < 1:
        raise ValueError("max_days must be at least 1")
    digest = hmac.new(secret, f"dateshift|{patient_key}".encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:8], "big") % (2 * max_days)
    return value - max_days if value < max_days else value - max_days + 1


def shift_date(value: dt.date, days: int) -> dt.date:
    return value + dt.timedelta(days=days)


def shift_datetime(value: dt.datetime, days: int) -> dt.datetime:
    return value + dt.timedelta(days=days)
