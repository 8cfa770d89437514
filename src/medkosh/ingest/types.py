"""Ingest vocabulary: ABDM health-information types, the ingest report and its quarantine entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# One vocabulary for the ABDM health-information types: the consent artefact's `hiTypes` (consent
# domain) are what every raw-zone row is tagged with, so ingest uses the same enum.
from medkosh.consent.types import HiType

__all__ = ["HiType"]


class IngestEvent(StrEnum):
    RUN_COMPLETED = "ingest.run.completed"
    RUN_RECOVERED = "ingest.run.recovered"  # published by a run that died before recording itself
    PATIENT_ERASED = "ingest.patient.erased"


class RunStatus(StrEnum):
    COMPLETED = "completed"
    QUARANTINED = "completed_with_quarantine"  # finished; some files were set aside
    FAILED = "failed"


@dataclass(frozen=True)
class Quarantined:
    """One input set aside: where (file + JSON pointer) and why, in one line."""

    path: str
    pointer: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "pointer": self.pointer, "reason": self.reason}


@dataclass
class IngestReport:
    run_id: str
    source_id: str
    kind: str
    destination: str
    files_total: int = 0
    files_ingested: int = 0
    files_skipped: int = 0  # already ingested into this source (same content hash)
    rows: dict[str, int] = field(default_factory=dict)
    resources: dict[str, int] = field(default_factory=dict)  # every resource seen, by type
    not_tabulated: dict[str, int] = field(default_factory=dict)  # seen but no table holds that type
    quarantined: list[Quarantined] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def status(self) -> RunStatus:
        return RunStatus.QUARANTINED if self.quarantined else RunStatus.COMPLETED

    def add_rows(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "source_id": self.source_id, "kind": self.kind,
            "destination": self.destination, "status": str(self.status),
            "files": {"total": self.files_total, "ingested": self.files_ingested,
                      "skipped": self.files_skipped, "quarantined": len(self.quarantined)},
            "rows": dict(sorted(self.rows.items())), "resources": dict(sorted(self.resources.items())),
            "not_tabulated": dict(sorted(self.not_tabulated.items())),
            "quarantined": [q.as_dict() for q in self.quarantined],
            "warnings": self.warnings, **self.extra, "seconds": round(self.seconds, 3),
        }
