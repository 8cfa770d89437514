"""Consent vocabulary: the ABDM code lists, exclusion reasons, audit event types and the parsed
artefact. The code lists are those of the ABDM HIE-CM (HIU API v0.5 and later)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class ConsentStatus(StrEnum):
    REQUESTED = "REQUESTED"
    GRANTED = "GRANTED"
    DENIED = "DENIED"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"


class Purpose(StrEnum):
    CAREMGT = "CAREMGT"  # care management
    BTG = "BTG"  # break the glass
    PUBHLTH = "PUBHLTH"  # public health
    HPAYMT = "HPAYMT"  # healthcare payment
    DSRCH = "DSRCH"  # disease-specific healthcare research
    PATRQT = "PATRQT"  # self requested


class HiType(StrEnum):
    OP_CONSULTATION = "OPConsultation"
    PRESCRIPTION = "Prescription"
    DISCHARGE_SUMMARY = "DischargeSummary"
    DIAGNOSTIC_REPORT = "DiagnosticReport"
    IMMUNIZATION_RECORD = "ImmunizationRecord"
    HEALTH_DOCUMENT_RECORD = "HealthDocumentRecord"
    WELLNESS_RECORD = "WellnessRecord"


class AccessMode(StrEnum):
    VIEW = "VIEW"
    STORE = "STORE"
    QUERY = "QUERY"
    STREAM = "STREAM"


class SignatureAlg(StrEnum):
    EDDSA = "EdDSA"
    RS256 = "RS256"


class ExclusionReason(StrEnum):
    """Why a patient (or a raw row) is kept out of a dataset. Order = precedence when a patient has
    several artefacts: the reason of the artefact that came closest to covering the use is reported."""

    NO_CONSENT = "no_consent"
    DENIED = "denied"
    REVOKED = "revoked"
    EXPIRED = "expired"
    PURPOSE_MISMATCH = "purpose_mismatch"
    ACCESS_MODE_MISMATCH = "access_mode_mismatch"
    HITYPE_MISMATCH = "hitype_mismatch"
    OUTSIDE_DATE_RANGE = "outside_date_range"
    # Row level only: the row lies outside the dataset's own window (not a consent decision).
    OUTSIDE_WINDOW = "outside_window"


# Closeness rank: a later reason means the artefact matched more of the requested use.
REASON_RANK: dict[ExclusionReason, int] = {reason: rank for rank, reason in enumerate(ExclusionReason)}


class ChangeSource(StrEnum):
    """Where a status change came from (kept in the history)."""

    IMPORT = "import"
    CLI = "cli"
    NOTIFICATION = "notification"
    ENFORCEMENT = "enforcement"  # dataEraseAt passed: medkosh itself marks the artefact EXPIRED


class ConsentEvent(StrEnum):
    ARTEFACT_IMPORTED = "consent.artefact.imported"
    ARTEFACT_REJECTED = "consent.artefact.rejected"
    STATUS_CHANGED = "consent.status.changed"
    NOTIFICATION_REJECTED = "consent.notification.rejected"
    TRUST_ADDED = "consent.trust.added"
    TRUST_REMOVED = "consent.trust.removed"
    RAW_ERASED = "consent.raw.erased"
    DATASET_WITHDRAWN = "consent.dataset.withdrawn"
    TASK_PLANNED = "consent.enforcement.planned"
    TASK_DONE = "consent.enforcement.done"
    INDEX_REBUILT = "consent.index.rebuilt"


class TaskKind(StrEnum):
    ERASE = "erase"  # erase the principal's rows from the raw zone
    WITHDRAW = "withdraw"  # rebuild every dataset version containing the principal without them


class TaskState(StrEnum):
    PENDING = "pending"
    DONE = "done"


@dataclass(frozen=True)
class DateRange:
    """Inclusive calendar-day range (see docs/reference/consent-policy.md)."""

    start: dt.date
    end: dt.date

    def intersect(self, other: DateRange) -> DateRange | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return DateRange(start, end) if start <= end else None

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class CareContext:
    patient_reference: str
    care_context_reference: str


@dataclass(frozen=True)
class Artefact:
    """The fields of an ABDM consent artefact that medkosh indexes and checks.

    `patient_id` (the ABHA address) is identifying: it stays inside this object and the stored
    verbatim artefact; logs and audit details use `patient_hash` and the consent id instead.
    """

    consent_id: str
    schema_version: str | None
    created_at: dt.datetime
    patient_id: str
    care_contexts: tuple[CareContext, ...]
    purpose: Purpose
    hip_id: str | None
    hiu_id: str | None
    consent_manager_id: str
    requester_name: str | None
    hi_types: frozenset[HiType]
    access_mode: AccessMode
    date_from: dt.datetime
    date_to: dt.datetime
    data_erase_at: dt.datetime
    status: ConsentStatus
    signature: str
    detail_json: bytes  # canonical JSON of consentDetail, the signed payload

    @property
    def terms(self) -> Terms:
        return Terms(self.consent_id, self.purpose, self.access_mode, self.hi_types, self.date_from,
                     self.date_to, self.data_erase_at)


@dataclass(frozen=True)
class Terms:
    """What an artefact permits: the part of it the policy checks (also built from index columns)."""

    consent_id: str
    purpose: Purpose
    access_mode: AccessMode
    hi_types: frozenset[HiType]
    date_from: dt.datetime
    date_to: dt.datetime
    data_erase_at: dt.datetime
