"""Catalog vocabulary: modalities, access tiers, version states, version references and the audit
event names this domain writes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from medkosh.errors import InputError

DATASET_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
VERSION_HASH = re.compile(r"^[0-9a-f]{64}$")


class Modality(StrEnum):
    TABULAR_EHR = "tabular_ehr"
    NOTES = "notes"
    IMAGING = "imaging"


class Tier(StrEnum):
    """Who may use a version (enforced by the access domain; set and shown here).

    open: aggregate or synthetic data, anyone; registered: anonymised, download after a signed data use
    agreement; controlled: only inside the trusted research environment after committee approval.
    """

    OPEN = "open"
    REGISTERED = "registered"
    CONTROLLED = "controlled"


class VersionStatus(StrEnum):
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    SUPERSEDED_CONSENT_WITHDRAWN = "superseded_consent_withdrawn"

    @property
    def label(self) -> str:
        return {
            VersionStatus.PUBLISHED: "published",
            VersionStatus.SUPERSEDED: "superseded",
            VersionStatus.SUPERSEDED_CONSENT_WITHDRAWN: "superseded — consent withdrawn",
        }[self]


class CatalogEvent(StrEnum):
    DATASET_REGISTERED = "catalog.dataset.registered"
    DATASET_UPDATED = "catalog.dataset.updated"
    VERSION_PUBLISHED = "catalog.version.published"
    VERSION_SUPERSEDED = "catalog.version.superseded"
    BUILD_FAILED = "catalog.build.failed"


@dataclass(frozen=True)
class VersionRef:
    """`DATASET_ID@VERSION`: VERSION is the short number (1, 2, …) or the manifest hash (or a prefix
    of at least 12 hex digits of it); a bare DATASET_ID means the latest published version."""

    dataset_id: str
    number: int | None = None
    version_id: str | None = None

    @classmethod
    def parse(cls, text: str) -> VersionRef:
        raw = text.strip()
        dataset_id, _, version = raw.partition("@")
        if not DATASET_ID.match(dataset_id):
            raise InputError(f"not a dataset reference: {text!r}",
                             hint="write DATASET_ID@VERSION, e.g. ehr-diabetes@2 or ehr-diabetes@<manifest hash>")
        if not version or version == "latest":
            return cls(dataset_id)
        if version.isdigit() and len(version) < 12:
            return cls(dataset_id, number=int(version))
        if re.fullmatch(r"[0-9a-f]{12,64}", version):
            return cls(dataset_id, version_id=version)
        raise InputError(f"not a version: {version!r} in {text!r}",
                         hint="a version is a number (1, 2, …) or the manifest hash")

    def __str__(self) -> str:
        if self.number is not None:
            return f"{self.dataset_id}@{self.number}"
        if self.version_id is not None:
            return f"{self.dataset_id}@{self.version_id}"
        return self.dataset_id


@dataclass(frozen=True)
class FileEntry:
    path: str          # path inside the version, e.g. "tables/patients.parquet"
    sha256: str        # = object id in the content-addressed store
    size: int
    media_type: str
    rows: int | None = None

    @property
    def object_id(self) -> str:
        return self.sha256

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size, "media_type": self.media_type,
                "rows": self.rows, "object_id": self.sha256}


@dataclass(frozen=True)
class VersionInfo:
    """What other domains (access, compute, consent) need to know about one version."""

    id: str                       # the manifest hash
    dataset_id: str
    number: int
    tier: Tier
    status: VersionStatus
    created_at: dt.datetime
    manifest_object: str
    card_object: str | None
    consent_snapshot_id: str
    patients: int
    rows: int
    files: tuple[FileEntry, ...] = field(default_factory=tuple)
    superseded_by: str | None = None
    status_reason: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.dataset_id}@{self.number}"

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "ref": self.ref, "dataset_id": self.dataset_id, "number": self.number,
            "tier": str(self.tier), "status": str(self.status), "status_label": self.status.label,
            "status_reason": self.status_reason, "created_at": self.created_at.isoformat(),
            "manifest_object": self.manifest_object, "card_object": self.card_object,
            "consent_snapshot_id": self.consent_snapshot_id, "patients": self.patients, "rows": self.rows,
            "size": self.size, "superseded_by": self.superseded_by,
            "files": [f.as_dict() for f in self.files],
        }


@dataclass(frozen=True)
class SupersedeResult:
    """What `rebuild_after_withdrawal` did: the new version, the old one, and the grants that still point
    at the old one (for notification); `grants` is None when the access domain cannot be asked."""

    dataset_id: str
    old_version: str
    new_version: VersionInfo
    grants: list[str] | None
    excluded_patients: int

    def as_dict(self) -> dict[str, Any]:
        return {"dataset_id": self.dataset_id, "old_version": self.old_version,
                "new_version": self.new_version.as_dict(),
                "grants": self.grants if self.grants is not None else "unknown",
                "excluded_patients": self.excluded_patients}
