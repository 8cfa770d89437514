"""The seams between a dataset build and the domains it relies on: the raw zone (ingest), consent,
tabular anonymisation, note de-identification, DICOM re-keying and the PHI scanner.

`default_toolkit()` binds each seam to the real module. A missing step makes the build fail closed
with one line naming the missing module — a dataset is never published with a step skipped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from medkosh.catalog.consent_filter import ConsentView, take_snapshot
from medkosh.catalog.spec import ConsentUse
from medkosh.errors import PolicyViolation, StoreError


@dataclass(frozen=True)
class AnonymisedTable:
    frame: pl.DataFrame
    recipe: dict[str, Any]        # the recipe as applied (goes into the manifest)
    report: dict[str, Any]        # k, l, t achieved, risk before/after, suppressed rows …


@dataclass(frozen=True)
class Finding:
    path: str
    kind: str        # e.g. "canary", "PHONE", "NAME"
    detail: str      # never the matched value itself


ScanTable = Callable[[str], pl.LazyFrame]
Eligibility = Callable[[Session, ConsentUse], ConsentView]
Anonymise = Callable[[pl.DataFrame, Path, str], AnonymisedTable]   # frame, recipe path, dataset id
DeidentifyText = Callable[[list[str], list[str], str], list[str]]  # texts, patient keys, dataset id
RekeyDicom = Callable[[bytes, str, str], bytes]                     # dicom bytes, person id, dataset id
ScanPaths = Callable[[Sequence[Path], Sequence[str]], list[Finding]]


def _require(module: str, what: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and not module.startswith(exc.name) and exc.name != module:
            raise
        raise StoreError(f"{what} is not available ({module} is missing)",
                         hint="the build fails closed: no version is published without every step") from exc


def _scan_table(table: str) -> pl.LazyFrame:
    return _require("medkosh.ingest.zone", "the raw zone").scan_table(table)  # type: ignore[no-any-return]


def _anonymise(frame: pl.DataFrame, recipe_path: Path, dataset_id: str) -> AnonymisedTable:
    """The tabular engine under the dataset's secret; the manifest records the recipe as written."""
    import yaml

    tabular = _require("medkosh.deid.tabular", "tabular anonymisation")
    from medkosh.deid.pseudonym import dataset_secret

    recipe = tabular.load_recipe(recipe_path)  # checks the recipe; errors name the setting at fault
    result = tabular.anonymise(frame, recipe, secret=dataset_secret(dataset_id), dataset_id=dataset_id)
    table = result.table if isinstance(result.table, pl.DataFrame) else pl.DataFrame(result.table)
    written = yaml.safe_load(Path(recipe_path).read_text(encoding="utf-8"))
    return AnonymisedTable(table, written, dict(result.report))


def _deidentify_text(texts: list[str], patient_keys: list[str], dataset_id: str) -> list[str]:
    """Tag mode ([NAME], [PHONE] …): surrogates would look like PHI to the release scanner, and tags tell
    researchers plainly what was removed. Dates move by the patient's zone shift, like their records.
    Then a residual sweep: whatever the high-recall 'scan' profile (the release gate's) still finds is
    tagged too, so a miss of the default profile (e.g. a house number left in an address line) costs
    a little over-redaction instead of a refused release."""
    text = _require("medkosh.deid.text", "note de-identification")
    from medkosh.deid.pseudonym import dataset_secret
    from medkosh.ingest.linkage import zone_shift_days

    secret = dataset_secret(dataset_id)
    out = []
    for body, key in zip(texts, patient_keys, strict=True):
        new_text, _spans = text.deidentify(body, mode="tag", secret=secret, patient_key=key,
                                           date_shift_days=zone_shift_days(key) if key else None)
        out.append(_sweep(new_text, text.detect))
    return out


def _sweep(body: str, detect: Callable[..., Any], passes: int = 3) -> str:
    for _ in range(passes):
        # DATE is left alone: dates were shifted per patient, and the gate does not flag them either.
        spans = [s for s in detect(body, profile="scan") if s.label != "DATE"]
        if not spans:
            break
        for span in sorted(spans, key=lambda s: s.start, reverse=True):
            body = f"{body[:span.start]}[{span.label}]{body[span.end:]}"
    return body


def _rekey_dicom(data: bytes, person_id: str, dataset_id: str) -> bytes:
    dicom = _require("medkosh.deid.dicom", "DICOM de-identification")
    from medkosh.deid.pseudonym import dataset_secret

    return dicom.rekey_bytes(data, secret=dataset_secret(dataset_id), patient_id=person_id)  # type: ignore[no-any-return]


def _scan_paths(paths: Sequence[Path], canaries: Sequence[str]) -> list[Finding]:
    scan = _require("medkosh.deid.scan", "the PHI scanner")
    report = scan.scan_paths([Path(p) for p in paths], canaries=list(canaries))
    findings = getattr(report, "findings", report)
    out = []
    for f in findings:
        get = f.get if isinstance(f, dict) else (lambda k, _f=f: getattr(_f, k, None))
        out.append(Finding(path=str(get("path") or ""), kind=str(get("label") or get("kind") or "PHI"),
                           detail=str(get("where") or get("pointer") or get("detail") or "")))
    return out


@dataclass
class Toolkit:
    scan_table: ScanTable = _scan_table
    eligibility: Eligibility = take_snapshot
    anonymise: Anonymise = _anonymise
    deidentify_text: DeidentifyText = _deidentify_text
    rekey_dicom: RekeyDicom = _rekey_dicom
    scan_paths: ScanPaths = _scan_paths
    extra: dict[str, Any] = field(default_factory=dict)


def default_toolkit() -> Toolkit:
    return Toolkit()


def refuse_findings(findings: list[Finding], dataset_id: str) -> None:
    """Fail closed: any finding stops the build (the message names where, never the value)."""
    if not findings:
        return
    first = findings[0]
    kinds = sorted({f.kind for f in findings})
    raise PolicyViolation(
        f"PHI scan found {len(findings)} finding(s) ({', '.join(kinds)}) in the build of {dataset_id}; "
        "nothing was published", where=f"{first.path}{' ' + first.detail if first.detail else ''}",
        hint="tighten the spec's columns or recipe, then build again")
