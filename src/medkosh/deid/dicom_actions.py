"""PS3.15 Table E.1-1 (dicom_actions.csv) loaded as the effective action per attribute for
medkosh's profile: Basic Application Level Confidentiality Profile + Retain Longitudinal Temporal
Information with Modified Dates + Clean Descriptors.

Compound basic-profile codes need IOD knowledge to resolve exactly ("X unless Z is required to
keep the IOD conformant"); without it medkosh takes the variant that keeps any IOD conformant and
still removes the value: X/Z → Z, X/D / Z/D / X/Z/D → D, and X/Z/U* → U* (keep the sequence and
apply the profile to its items, which replaces the UIDs inside). An option column's C replaces the
basic action for that option (dates shifted per patient; descriptors cleaned).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

TABLE_PATH = Path(__file__).with_name("dicom_actions.csv")
REMOVE_OR_REPLACE = frozenset({"X", "Z", "D", "U"})


@dataclass(frozen=True)
class ActionRow:
    tag: str  # 8 hex digits, X wildcards, or GGGGEEEE for private attributes
    name: str
    basic: str
    retain_long_modified_dates: str
    clean_descriptors: str

    @property
    def action(self) -> str:
        """The effective action under medkosh's profile (see the module docstring)."""
        if self.retain_long_modified_dates == "C" or self.clean_descriptors == "C":
            return "C"
        return resolve_action(self.basic)


def resolve_action(code: str) -> str:
    code = code.strip()
    if code == "X/Z/U*":
        return "U*"
    if "D" in code.split("/") and "/" in code:
        return "D"
    if code == "X/Z":
        return "Z"
    return code


@functools.lru_cache(maxsize=1)
def load_rows() -> tuple[ActionRow, ...]:
    lines = [line for line in TABLE_PATH.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    reader = csv.DictReader(lines)
    return tuple(ActionRow(r["tag"], r["name"], r["basic_profile"], r["retain_long_modified_dates"],
                           r["clean_descriptors"]) for r in reader)


@dataclass(frozen=True)
class ActionTable:
    exact: dict[int, str]  # tag → effective action
    masked: tuple[tuple[int, int, str], ...]  # (mask, value, action) for repeating groups 50xx/60xx


@functools.lru_cache(maxsize=1)
def action_table() -> ActionTable:
    exact: dict[int, str] = {}
    masked: list[tuple[int, int, str]] = []
    for row in load_rows():
        if row.tag == "GGGGEEEE":
            continue  # private attributes are handled by group parity, not by tag
        if "X" in row.tag:
            mask = int("".join("0" if c == "X" else "F" for c in row.tag), 16)
            value = int(row.tag.replace("X", "0"), 16)
            masked.append((mask, value, row.action))
        else:
            exact[int(row.tag, 16)] = row.action
    return ActionTable(exact, tuple(masked))


def action_for(tag: int) -> str | None:
    table = action_table()
    found = table.exact.get(tag)
    if found is not None:
        return found
    for mask, value, action in table.masked:
        if tag & mask == value:
            return action
    return None
