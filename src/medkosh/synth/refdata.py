"""Reference data the generator draws from: Indian geography (states, districts, PIN prefixes) and
name lists in Latin and Devanagari script. Loaded once per process from the package's data files,
so the lists can be reviewed and extended without touching code."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

REGIONS = ("north", "west", "south", "east")
COMMUNITIES = (*REGIONS, "muslim")  # name pools; Muslim names are used across all regions


@dataclass(frozen=True)
class District:
    state_code: str
    state: str
    region: str
    name: str
    city: str
    pin_prefix: str
    pin_max_suffix: int
    devanagari_state: bool  # Hindi/Marathi-speaking: some records carry Devanagari names

    def pin(self, draw: int) -> str:
        """A 6-digit PIN in this district's real range; `draw` is any non-negative integer."""
        return f"{self.pin_prefix}{draw % self.pin_max_suffix + 1:03d}"


@dataclass(frozen=True)
class Name:
    latin: str
    devanagari: str | None


@dataclass(frozen=True)
class NameLists:
    given: dict[tuple[str, str], tuple[Name, ...]]  # (sex "M"/"F", region) -> names
    surnames: dict[str, tuple[Name, ...]]  # region -> names


def _rows(filename: str) -> list[list[str]]:
    text = resources.files("medkosh.synth.data").joinpath(filename).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.cache
def districts() -> tuple[District, ...]:
    out = []
    for code, state, region, name, city, prefix, max_suffix, script in _rows("geography.tsv"):
        if region not in REGIONS or len(prefix) != 3 or not prefix.isdigit():
            raise ValueError(f"bad geography row for {name}")
        out.append(District(code, state, region, name, city, prefix, int(max_suffix), script.strip() == "deva"))
    return tuple(out)


@functools.cache
def states() -> tuple[str, ...]:
    """State codes in file order (a fixed order keeps generation deterministic)."""
    seen: dict[str, None] = {}
    for d in districts():
        seen.setdefault(d.state_code, None)
    return tuple(seen)


@functools.cache
def names() -> NameLists:
    given: dict[tuple[str, str], list[Name]] = {(s, r): [] for s in "MF" for r in COMMUNITIES}
    for row in _rows("given_names.tsv"):
        latin, sex, region = row[0], row[1], row[2]
        name = Name(latin, row[3].strip() if len(row) > 3 and row[3].strip() else None)
        for r in REGIONS if region == "any" else (region,):
            given[(sex, r)].append(name)
    surnames: dict[str, list[Name]] = {r: [] for r in COMMUNITIES}
    for row in _rows("surnames.tsv"):
        name = Name(row[0], row[2].strip() if len(row) > 2 and row[2].strip() else None)
        for r in REGIONS if row[1] == "any" else (row[1],):
            surnames[r].append(name)
    return NameLists({k: tuple(v) for k, v in given.items()}, {k: tuple(v) for k, v in surnames.items()})


@functools.cache
def localities() -> tuple[str, ...]:
    return tuple(row[0] for row in _rows("localities.txt"))


HOSPITAL_PATTERNS = (
    "Government Medical College Hospital, {city}",
    "District Hospital {district}",
    "{brand} Multispeciality Hospital, {city}",
    "{brand} Hospital and Research Centre, {city}",
    "{brand} Institute of Medical Sciences, {city}",
    "St. Martha's Hospital, {city}",
    "{brand} Nursing Home, {city}",
)
HOSPITAL_BRANDS = ("Sanjeevani", "Arogya", "Jeevan Jyoti", "Sushrut", "Dhanvantari", "Sparsh", "Lifeline",
                   "Navjeevan", "Charak", "Seva Sadan", "Amrita Kripa", "Shree Sai")
