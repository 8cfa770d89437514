"""Automatic disclosure checks on a job's output files (the first half of the airlock).

Rules, after OpenSAFELY's and the UK SDC handbook's practice:
- Tables of counts: a count cell at or below the threshold (default 7) is redacted; other counts are
  rounded to the nearest base (default 5). Count columns are recognised by name (n, count, *_count,
  cases, total, freq, patients, …) and hold non-negative integers.
- Row-level data is blocked: a table with an identifier-like column (patient keys, UUIDs, pseudonyms,
  names), or a table without count columns whose rows are nearly all distinct and numerous, looks like
  records rather than aggregates.
- Every text-like file (and every table cell) is scanned for identifiers and canary values by the PHI
  scanner; any finding blocks the file.
  Place names at district/state level and hospital names are expected in aggregate outputs (counts by
  district are the point of most analyses), so LOCATION, HOSPITAL and DATE findings do not block;
  names, addresses, PIN codes, phone numbers, health and national IDs and canaries do.
Binary models and figures pass to the human checkers with a note: they cannot be checked automatically.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medkosh.compute.types import OutputKind, OutputStatus

COUNT_NAME = re.compile(r"^(n|num|count|counts|cases|deaths|events|total|freq|frequency|patients|people|"
                        r"admissions|encounters)$|(_n|_count|_cases|_total|_freq|_patients)$|^(n_|count_|num_)",
                        re.IGNORECASE)
IDENTIFIER_NAME = re.compile(r"(patient|person|subject|member)_?(key|id)|^(id|uhid|mrn|abha.*|aadhaar|name|"
                             r"pseudonym|encounter_id|study_uid|sop_uid)$", re.IGNORECASE)
IDENTIFIER_VALUE = re.compile(r"^(P[0-9a-f]{20}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|"
                              r"\d{2}-\d{4}-\d{4}-\d{4}|[\w.]+@(abdm|sbx))$", re.IGNORECASE)
TEXT_SUFFIXES = {".txt", ".md", ".json", ".log", ".yaml", ".yml", ".html", ".htm", ".tex"}
TABLE_SUFFIXES = {".csv", ".tsv"}
IMAGE_SUFFIXES = {".png", ".svg", ".jpg", ".jpeg", ".pdf"}
MODEL_SUFFIXES = {".onnx"}
AGGREGATE_OK_LABELS = frozenset({"DATE", "LOCATION", "HOSPITAL"})


@dataclass(frozen=True)
class CheckRules:
    threshold: int = 7
    rounding: int = 5
    row_level_min_rows: int = 50
    row_level_distinct_share: float = 0.9


@dataclass
class CheckResult:
    kind: OutputKind
    status: OutputStatus
    reasons: list[str] = field(default_factory=list)
    redacted_cells: int = 0
    rounded_cells: int = 0
    findings: int = 0
    checked_bytes: bytes | None = None  # the releasable version (redacted/rounded) when it differs

    def as_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "status": str(self.status), "reasons": self.reasons,
                "redacted_cells": self.redacted_cells, "rounded_cells": self.rounded_cells,
                "findings": self.findings}


def kind_of(path: Path) -> OutputKind:
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return OutputKind.TABLE
    if suffix in TEXT_SUFFIXES:
        return OutputKind.TEXT
    if suffix in IMAGE_SUFFIXES:
        return OutputKind.IMAGE
    if suffix in MODEL_SUFFIXES:
        return OutputKind.MODEL
    return OutputKind.OTHER


def _is_count(values: list[str]) -> bool:
    present = [v for v in values if v.strip() != ""]
    return bool(present) and all(re.fullmatch(r"\d+", v.strip()) for v in present)


def round_to(value: int, base: int) -> int:
    return int(base * round(value / base)) if base > 1 else value


def check_table(data: bytes, rules: CheckRules, delimiter: str = ",") -> CheckResult:
    text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    result = CheckResult(OutputKind.TABLE, OutputStatus.PENDING_REVIEW)
    if not rows:
        return result
    header, body = rows[0], rows[1:]
    columns = [[r[i] if i < len(r) else "" for r in body] for i in range(len(header))]
    id_cols = [h for h, col in zip(header, columns, strict=True)
               if IDENTIFIER_NAME.search(h.strip()) or (col and sum(bool(IDENTIFIER_VALUE.match(v.strip()))
                                                             for v in col) > len(col) / 2)]
    if id_cols:
        result.status = OutputStatus.BLOCKED
        result.reasons.append(f"row-level data: identifier-like column(s) {', '.join(id_cols)}")
        return result
    count_idx = [i for i, h in enumerate(header) if COUNT_NAME.search(h.strip()) and _is_count(columns[i])]
    if not count_idx and len(body) >= rules.row_level_min_rows:
        distinct = len({tuple(r) for r in body}) / len(body)
        if distinct >= rules.row_level_distinct_share:
            result.status = OutputStatus.BLOCKED
            result.reasons.append(f"row-level data: {len(body)} rows, {distinct:.0%} distinct, no count column "
                                  "(publish aggregates, not records)")
            return result
    for row in body:
        for i in count_idx:
            if i >= len(row) or not row[i].strip():
                continue
            value = int(row[i])
            if value <= rules.threshold:
                row[i] = "[REDACTED]"
                result.redacted_cells += 1
            else:
                rounded = round_to(value, rules.rounding)
                if rounded != value:
                    result.rounded_cells += 1
                row[i] = str(rounded)
    if result.redacted_cells or result.rounded_cells:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
        result.checked_bytes = out.getvalue().encode("utf-8")
        result.reasons.append(f"{result.redacted_cells} count cell(s) ≤ {rules.threshold} redacted, "
                              f"{result.rounded_cells} rounded to the nearest {rules.rounding}")
    if count_idx:
        result.reasons.append(f"count columns: {', '.join(header[i] for i in count_idx)}")
    return result


def check_file(path: Path, rules: CheckRules, canaries: list[str] | None) -> CheckResult:
    """Check one output file; the PHI scan runs on the releasable bytes."""
    from medkosh.deid.scan import scan_file, scan_text

    kind = kind_of(path)
    data = path.read_bytes()
    if kind is OutputKind.TABLE:
        result = check_table(data, rules, "\t" if path.suffix.lower() == ".tsv" else ",")
        if result.status is OutputStatus.BLOCKED:
            return result
        body = (result.checked_bytes or data).decode("utf-8", errors="replace")
        findings = scan_text(body, canaries=canaries, name=path.name, ignore_labels=AGGREGATE_OK_LABELS)
    elif kind is OutputKind.TEXT:
        result = CheckResult(kind, OutputStatus.PENDING_REVIEW)
        findings = scan_text(data.decode("utf-8", errors="replace"), canaries=canaries, name=path.name,
                             ignore_labels=AGGREGATE_OK_LABELS)
    else:
        result = CheckResult(kind, OutputStatus.PENDING_REVIEW,
                             [f"{kind} file: cannot be checked automatically; checkers must inspect it"])
        findings = scan_file(path, canaries=canaries, ignore_labels=AGGREGATE_OK_LABELS)
    if findings:
        result.status = OutputStatus.BLOCKED
        result.findings = len(findings)
        labels = sorted({f.label for f in findings})
        result.reasons.append(f"identifiers found by the PHI scanner: {', '.join(labels)} ({len(findings)} finding(s))")
        result.checked_bytes = None
    return result
