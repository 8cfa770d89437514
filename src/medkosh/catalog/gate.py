"""The release gate of a build: nothing is published unless a PHI scan of every artefact (the text
de-identifier in its high-recall profile plus the synth canary list) finds nothing.

Two kinds of released content are not free text and are checked structurally instead of by the scanner,
which would (rightly, for free text) call any opaque token an identifier:
- pseudonym columns (person_id, re-keyed resource/encounter ids, DICOM UIDs, image paths) must hold
  only values of the exact pseudonym / keyed-UID shape; any other value is a finding;
- the data card's declared catalog metadata (the steward's name, the institution, the dataset's own
  name and description, ids and hashes, ABDM vocabulary, table and column names, the census citation)
  is public by design, and the category values it lists are cells of the released tables, each already
  scanned there with its column as context; both are blanked before the rest of the card's text is
  scanned. Figures are drawn from that same text and those values.
- DICOM PatientID and PatientName hold the dataset's person pseudonym (PS3.15 dummy values), and
  DeidentificationMethod names the PS3.15 options medkosh applied; each is checked to be exactly that
  and blanked in the scan copy of each instance;
Everything else — every other Parquet column, all note text as released, every DICOM header, the rest
of the card — goes through `medkosh.deid.scan` unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from medkosh.catalog import census
from medkosh.catalog.card_stats import summarise
from medkosh.catalog.prepare import PreparedTable
from medkosh.catalog.spec import DatasetSpec
from medkosh.catalog.toolkit import Finding, Toolkit

_PSEUDONYM = re.compile(r"^P[0-9a-f]{20}$")
_KEYED_UID = re.compile(r"^2\.25\.\d{1,39}$")
_IMAGE_PATH = re.compile(r"^images/P[0-9a-f]{20}/(2\.25\.\d{1,39}|[0-9a-f]{32})\.dcm$")
STRUCTURAL: dict[str, re.Pattern[str]] = {
    "person_id": _PSEUDONYM, "resource_id": _PSEUDONYM, "encounter_id": _PSEUDONYM,
    "study_uid": _KEYED_UID, "series_uid": _KEYED_UID, "sop_uid": _KEYED_UID, "file": _IMAGE_PATH,
}
_IMAGE = re.compile(r"!\[[^\]]*\]\(data:[^)]*\)")


def structural_findings(tables: list[PreparedTable]) -> list[Finding]:
    found = []
    for table in tables:
        for col, pattern in STRUCTURAL.items():
            if col in table.frame.columns and table.frame.schema[col] == pl.String:
                bad = table.frame.filter(pl.col(col).is_not_null() & ~pl.col(col).str.contains(pattern.pattern))
                if bad.height:
                    found.append(Finding(f"{table.name}.parquet", "NOT_A_PSEUDONYM",
                                         f"column {col}, {bad.height} value(s)"))
    return found


def canary_findings(tables: list[PreparedTable], canaries: list[str], card_text: str) -> list[Finding]:
    """Exact canary search over every released string value, pseudonym columns included, and the card."""
    if not canaries:
        return []
    found = []
    for table in tables:
        for col, dtype in table.frame.schema.items():
            if dtype == pl.String and table.frame[col].str.contains_any(canaries).any():
                found.append(Finding(f"{table.name}.parquet", "CANARY", f"column {col}"))
    if any(c in card_text for c in canaries):
        found.append(Finding("card", "CANARY", "data card"))
    return found


def public_metadata(spec: DatasetSpec, column_names: list[str] | None = None) -> list[str]:
    """Text on the card that the steward declared (or the schema fixes), not drawn from patient data:
    names, ids, ABDM vocabulary (purpose, hiTypes), table and column names."""
    tables = [n for t in spec.tables for n in (t.source, t.output, *(t.columns or []))]
    values = [spec.name, spec.description, spec.steward, spec.institution, spec.licence, census.CITATION,
              spec.data_sharing_agreement or "", *spec.intended_uses, *spec.limitations, *spec.keywords,
              spec.consent.purpose, *spec.consent.hi_types, *tables, *(column_names or []), "India", "Census"]
    return sorted((v for v in values if v), key=len, reverse=True)


def card_scan_text(markdown: str, spec: DatasetSpec, column_names: list[str] | None = None) -> str:
    text = _IMAGE.sub(" ", markdown)
    text = re.sub(r"`[0-9a-f+.\-]{12,}`", " ", text)  # version id, hashes, code version
    for value in public_metadata(spec, column_names):
        text = text.replace(value, " " * len(value))
    return text


def _dicom_scan_copy(path: Path, folder: Path, gate: Path) -> tuple[Path, Finding | None]:
    """A copy of one released instance with its pseudonym elements blanked, after checking that they hold
    the person pseudonym of the folder the instance is released under (images/<person_id>/…)."""
    import pydicom

    rel = path.relative_to(folder)
    person = rel.parts[1]
    ds = pydicom.dcmread(path, force=True)
    finding = None
    for keyword in ("PatientID", "PatientName"):
        value = str(ds.get(keyword, "") or "")
        if value not in ("", person):
            finding = Finding(str(rel), "NOT_A_PSEUDONYM", f"{keyword} is not the released person id")
        element = ds.data_element(keyword) if keyword in ds else None
        if element is not None:
            element.value = ""
    if "DeidentificationMethod" in ds:
        from medkosh.deid.dicom import METHOD

        method = ds.DeidentificationMethod
        values = [str(method)] if isinstance(method, str) else [str(v) for v in method]
        if not set(values) <= {str(m) for m in METHOD}:
            finding = Finding(str(rel), "UNEXPECTED_TEXT", "DeidentificationMethod is not medkosh's profile list")
        ds.DeidentificationMethod = ""
    copy = gate / "images" / rel.relative_to("images")
    copy.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(copy)
    return copy, finding


def scan_release(folder: Path, tables: list[PreparedTable], spec: DatasetSpec, markdown: str,
                 canaries: list[str], toolkit: Toolkit) -> list[Finding]:
    """Every finding of the gate (empty means the release may be published)."""
    gate = folder / ".gate"
    gate.mkdir()
    paths: list[Path] = []
    findings_pre: list[Finding] = []
    for table in tables:
        rest = table.frame.drop([c for c in STRUCTURAL if c in table.frame.columns])
        path = gate / f"{table.name}.parquet"
        rest.write_parquet(path)
        paths.append(path)
    for image in sorted(folder.glob("images/**/*.dcm")):
        copy, finding = _dicom_scan_copy(image, folder, gate)
        paths.append(copy)
        findings_pre.extend([finding] if finding else [])
    card = gate / "card.txt"
    columns = sorted({c for t in tables for c in t.frame.columns})
    shown = sorted({value for t in tables for col in summarise(t.frame, t.select.text_column) for value, _ in col.top})
    card.write_text(card_scan_text(markdown, spec, columns + shown), encoding="utf-8")
    paths.append(card)
    findings = findings_pre + structural_findings(tables) + canary_findings(tables, canaries, markdown)
    return findings + toolkit.scan_paths(paths, canaries)
