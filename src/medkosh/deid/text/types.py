"""Spans, labels and modes shared by the recognizers, the transformer and the scanner."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Label(StrEnum):
    NAME = "NAME"
    AADHAAR = "AADHAAR"
    ABHA_NUMBER = "ABHA_NUMBER"
    ABHA_ADDRESS = "ABHA_ADDRESS"
    PAN = "PAN"
    VOTER_ID = "VOTER_ID"
    PASSPORT = "PASSPORT"
    DRIVING_LICENCE = "DRIVING_LICENCE"
    VEHICLE = "VEHICLE"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    URL = "URL"
    IP = "IP"
    MRN = "MRN"
    ID = "ID"
    PIN = "PIN"
    ADDRESS = "ADDRESS"
    LOCATION = "LOCATION"
    HOSPITAL = "HOSPITAL"
    DATE = "DATE"
    AGE = "AGE"


class Mode(StrEnum):
    TAG = "tag"
    SURROGATE = "surrogate"
    REDACT = "redact"


PROFILES = ("default", "scan")


class Span(NamedTuple):
    """A detected identifier: [start, end) are Python str indices (code points) into the input text.
    Immutable; a named tuple because detection builds many of them (four times cheaper to make
    than a frozen dataclass)."""

    start: int
    end: int
    label: str
    score: float
    source: str = ""  # which recognizer found it (for review and tuning; never the matched text)

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "label": self.label, "score": round(self.score, 3)}
