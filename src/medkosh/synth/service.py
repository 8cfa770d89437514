"""Recording a generation in the audit log (the generator itself never touches a database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from medkosh.audit import Actor, record
from medkosh.audit.types import CoreEvent


def record_generated(session: Session, summary: dict[str, Any], actor: Actor | str | None = None) -> None:
    """Append synth.data.generated for a `generate()` summary: seed and counts only, never a patient value."""
    counts = summary["counts"]
    record(session, CoreEvent.SYNTH_GENERATED, actor=actor or Actor.system(), subject_type="synth_dataset",
           subject_id=Path(summary["out"]).name,
           details={"seed": summary["seed"], "patients": summary["patients"], "years": summary["years"],
                    "hospitals": len(summary["hospitals"]), "notes": counts["notes"],
                    "dicom_instances": counts["dicom_instances"], "consents": sum(counts["consents"].values()),
                    "canaries": counts["canaries"], "outbreak": bool(summary["outbreak"])})
