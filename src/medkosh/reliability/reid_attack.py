"""A linkage (prosecutor) re-identification attack on released datasets.

The attacker knows the quasi-identifiers (QIs) of some patients exactly as the hospital recorded them (read
here from the raw zone, before anonymisation) and knows they are in the release. For each target they list
the released records consistent with what they know — every QI's raw value falls inside the record's
generalised value: equal, inside an interval (1960-1999), inside a year/month/quarter of a date, inside a
zone that contains the state, matched by a masked code (4110**), or suppressed (*) — and guess one of those
records uniformly at random. The target's expected success is (records of the target among the matches) /
(matches), 0 when none of the target's records matches.

Released dates are shifted per patient by up to a year (medkosh.deid.dates). Two attackers are run: an
*exact* one who compares raw dates as they are (a shift across a boundary makes them miss), and a
*shift-aware* one who knows the bound and accepts any record within it (never misses, more candidates).

The figures are set against the dataset's own stated risk (the anonymisation report in its manifest, the
same numbers the data card shows): the highest success must not exceed the stated maximum prosecutor risk
(1/k of the smallest class) and the mean over all members must not exceed the stated average.

Ground truth (which released record belongs to whom) uses the dataset's pseudonymisation key, which the
attacker does not have; it is only used to score the guesses.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

SHIFT_DAYS = 365  # medkosh.deid.dates.shift_days default bound
DEFAULT_SOURCES = {"patients": "patient"}  # released table -> raw-zone table, as the shipped specs name them
_TOP = "*"
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_INTERVAL = re.compile(r"^(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)$")


def _date_range(label: str) -> tuple[dt.date, dt.date] | None:
    """The calendar days a date label covers (a day, month, quarter, year, or a span of years)."""
    if m := _DATE.match(label):
        d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        return d, d
    if m := _YEAR.match(label):
        return dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31)
    if (m := _MONTH.match(label)) and 1 <= int(m[2]) <= 12:
        y, mo = int(m[1]), int(m[2])
        end = dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(y, mo, 1), end
    if m := _QUARTER.match(label):
        y, q = int(m[1]), int(m[2])
        start = dt.date(y, 3 * (q - 1) + 1, 1)
        end = dt.date(y + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
        return start, end
    if (m := _INTERVAL.match(label)) and "." not in label:
        lo, hi = int(m[1]), int(m[2])
        if 1000 <= lo <= hi <= 9999:
            return dt.date(lo, 1, 1), dt.date(hi, 12, 31)
    return None


def consistent(raw: Any, label: Any, tolerance_days: int = 0) -> bool:
    """Whether a raw QI value could have become this released (generalised) value."""
    if label is None:
        return raw is None
    text = str(label).strip()
    if text == _TOP or (text and set(text) == {"*"}):
        return True
    if raw is None:
        return False
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        span = _date_range(text)
        if span is None:
            return False
        lo, hi = raw - dt.timedelta(days=tolerance_days), raw + dt.timedelta(days=tolerance_days)
        return not (hi < span[0] or lo > span[1])
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if m := _INTERVAL.match(text):
            return float(m[1]) <= float(raw) <= float(m[2])
        try:
            return float(text) == float(raw)
        except ValueError:
            return False
    value = str(raw).strip()
    if value.casefold() == text.casefold():
        return True
    from medkosh.deid.tabular.hierarchy import STATE_ZONE

    if STATE_ZONE.get(value.lower()) == text:
        return True
    if "*" in text and len(text) == len(value):  # a masked code: 4110** covers 411001
        return all(t == "*" or t == v for t, v in zip(text, value, strict=True))
    if m := _INTERVAL.match(text):
        try:
            return float(m[1]) <= float(value) <= float(m[2])
        except ValueError:
            return False
    return False


@dataclass
class AttackResult:
    dataset: str
    table: str
    attacker: str                   # "exact" | "shift-aware" | "control (un-anonymised)"
    quasi_identifiers: list[str]
    targets: int                    # patients the attacker tried
    found: int                      # targets whose own record was among their matches
    mean_success: float
    max_success: float
    mean_matches: float             # candidates per target (found or not)
    records: int = 0                # released records in the table (suppressed rows are not released)
    stated_prosecutor_max: float | None = None
    stated_prosecutor_avg: float | None = None
    k: float | None = None
    within_bound: bool | None = None
    success_histogram: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def attack(released: pl.DataFrame, targets: pl.DataFrame, truth: dict[str, str], qis: Sequence[str],
           tolerance_days: int = 0, *, id_column: str = "person_id") -> tuple[list[float], list[int], int]:
    """Expected success per target, candidates per target, and how many targets' own record matched.

    `released` holds the QI columns and `id_column`; `targets` holds `patient_key` and the QI columns with
    their raw values; `truth` maps a patient_key to the released id (scoring only)."""
    classes = (released.group_by(list(qis)).agg(pl.col(id_column).alias("_ids"), pl.len().alias("_n"))
               .to_dicts())
    successes: list[float] = []
    candidates: list[int] = []
    found = 0
    for target in targets.iter_rows(named=True):
        own = truth.get(target["patient_key"])
        matches = 0
        mine = 0
        for cls in classes:
            if all(consistent(target[q], cls[q], tolerance_days) for q in qis):
                matches += cls["_n"]
                mine += sum(1 for i in cls["_ids"] if i == own)
        candidates.append(matches)
        successes.append(mine / matches if matches else 0.0)
        found += mine > 0
    return successes, candidates, found


def _histogram(successes: Sequence[float]) -> dict[str, int]:
    bins = {"0": 0, "(0, 0.1]": 0, "(0.1, 0.2]": 0, "(0.2, 0.5]": 0, "(0.5, 1]": 0}
    for s in successes:
        key = ("0" if s == 0 else "(0, 0.1]" if s <= 0.1 else "(0.1, 0.2]" if s <= 0.2
               else "(0.2, 0.5]" if s <= 0.5 else "(0.5, 1]")
        bins[key] += 1
    return bins


def summarise(dataset: str, table: str, attacker: str, qis: Sequence[str], successes: Sequence[float],
              candidates: Sequence[int], found: int, report: dict[str, Any] | None = None) -> AttackResult:
    n = len(successes)
    result = AttackResult(dataset, table, attacker, list(qis), n, found,
                          mean_success=sum(successes) / n if n else 0.0, max_success=max(successes, default=0.0),
                          mean_matches=sum(candidates) / n if n else 0.0, success_histogram=_histogram(successes))
    after = (report or {}).get("risk_after") or {}
    if after:
        result.stated_prosecutor_max = after.get("prosecutor_max")
        result.stated_prosecutor_avg = after.get("prosecutor_avg")
        result.k = (report or {}).get("k")
        eps = 1e-9
        result.within_bound = (result.stated_prosecutor_max is not None
                               and result.max_success <= result.stated_prosecutor_max + eps)
    return result


# ---- against a published version ----------------------------------------------------------------------

def raw_quasi_identifiers(source: str, keys: Sequence[str], qis: Sequence[str]) -> pl.DataFrame:
    """What the attacker knows: each member's QI values as the raw zone holds them (first record)."""
    from medkosh.catalog.toolkit import default_toolkit
    from medkosh.errors import InputError

    lf = default_toolkit().scan_table(source)
    missing = [c for c in ("patient_key", *qis) if c not in lf.collect_schema()]
    if missing:
        raise InputError(f"raw-zone table {source!r} has no column(s) {', '.join(missing)}",
                         where=f"quasi-identifiers of {source}",
                         hint="the released table comes from another raw-zone table: pass it in `sources`")
    wanted = pl.Series(list(keys), dtype=pl.String)
    return (lf.filter(pl.col("patient_key").is_in(wanted.implode())).select(["patient_key", *qis])
            .unique(subset="patient_key", keep="first", maintain_order=True).collect())


def _sample(keys: list[str], sample: int | None, seed: int) -> list[str]:
    if sample is None or sample >= len(keys):
        return keys
    return sorted(random.Random(seed).sample(keys, sample))


def attack_version(session: Any, ref: str, *, sample: int | None = None, seed: int = 0, control: bool = True,
                   sources: dict[str, str] | None = None) -> list[AttackResult]:
    """The exact and shift-aware attackers (and, with `control`, the same attack on the un-anonymised QIs
    of the same members) against every anonymised table of one dataset version. `sources` names the raw-zone
table a released table came from where it is not DEFAULT_SOURCES (the manifest does not record it)."""
    import io

    from medkosh.catalog import service
    from medkosh.deid.pseudonym import dataset_secret, pseudonym
    from medkosh.errors import InputError
    from medkosh.store.objects import ObjectStore

    version = service.get_version(session, ref)
    manifest = service.manifest(session, ref)
    reports = manifest.get("anonymisation") or {}
    members = service.version_members(session, ref)
    keys = _sample(members, sample, seed)
    secret = dataset_secret(version.dataset_id)
    truth = {k: pseudonym(secret, k, "person") for k in keys}
    results: list[AttackResult] = []
    for table, report in sorted(reports.items()):
        qis = list(((report or {}).get("recipe") or {}).get("quasi_identifiers") or [])
        if table.startswith("_") or not qis:
            continue
        entry = next((f for f in version.files if f.path.endswith(f"/{table}.parquet") or f.path == f"{table}.parquet"),
                     None)
        if entry is None:
            raise InputError(f"{version.ref} has no released file for table {table!r}",
                             hint=f"see 'medkosh dataset show {version.dataset_id} --json' for its files")
        released = pl.read_parquet(io.BytesIO(ObjectStore().get_bytes(entry.sha256)))
        source = (sources or {}).get(table) or DEFAULT_SOURCES.get(table, table)
        known = raw_quasi_identifiers(source, keys, qis)
        name = version.ref
        for attacker, tol in (("exact", 0), ("shift-aware", SHIFT_DAYS)):
            s, c, f = attack(released, known, truth, qis, tol)
            results.append(summarise(name, table, attacker, qis, s, c, f, report))
            results[-1].records = released.height
        if control:
            plain = known.with_columns(pl.col("patient_key").replace_strict(truth, default=None).alias("person_id"))
            plain = plain.with_columns([pl.col(q).cast(pl.String) for q in qis])
            s, c, f = attack(plain.drop("patient_key"), known, truth, qis, 0)
            results.append(summarise(name, table, "control (un-anonymised)", qis, s, c, f, None))
            results[-1].records = plain.height
    return results


def attackable_versions(session: Any, tiers: Sequence[str] = ("registered",)) -> list[str]:
    """Published versions of the given tiers whose manifest has an anonymised table with quasi-identifiers."""
    from sqlalchemy import select

    from medkosh.catalog import service
    from medkosh.store.tables.catalog import CatalogVersionRow

    out = []
    rows = session.execute(select(CatalogVersionRow).where(CatalogVersionRow.status == "published")
                           .order_by(CatalogVersionRow.dataset_id, CatalogVersionRow.number)).scalars().all()
    for row in rows:
        if row.tier not in tiers:
            continue
        ref = f"{row.dataset_id}@{row.number}"
        reports = service.manifest(session, ref).get("anonymisation") or {}
        if any(((r or {}).get("recipe") or {}).get("quasi_identifiers") for k, r in reports.items()
               if not k.startswith("_")):
            out.append(ref)
    return out
