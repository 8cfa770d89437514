"""Audit event vocabulary. Event types are dotted lowercase names: '<domain>.<thing>.<what happened>'."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class Outcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"


class CoreEvent(StrEnum):
    """Events the foundation itself writes; domains define their own in their types.py."""

    SYSTEM_INITIALISED = "system.store.initialised"
    KEY_ROTATED = "system.key.rotated"
    SYNTH_GENERATED = "synth.data.generated"
    AUDIT_EXPORTED = "audit.log.exported"
    AUDIT_VERIFIED = "audit.log.verified"


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    event_id: str
    occurred_at: str  # ISO 8601, UTC, microseconds
    event_type: str
    actor: str | None
    institution: str | None
    subject_type: str | None
    subject_id: str | None
    outcome: str
    details: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = ""
    hash: str = ""


@dataclass
class VerifyResult:
    ok: bool
    events: int
    checkpoints: int
    first_bad_seq: int | None = None
    first_bad_event_id: str | None = None
    reason: str | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "events": self.events, "checkpoints": self.checkpoints,
            "first_bad_seq": self.first_bad_seq, "first_bad_event_id": self.first_bad_event_id,
            "reason": self.reason, "seconds": round(self.seconds, 3),
        }
