"""The version manifest and its hash, which is the version's immutable id.

The manifest lists every file (path, sha256, size), the anonymisation recipe(s), the consent snapshot
id, the spec and the code version, plus a hash of the sorted member patient keys. Build time is
deliberately left out: rebuilding the same inputs with the same code yields the same id, so a build
that was killed and rerun publishes exactly one version.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from medkosh import __version__
from medkosh.catalog.types import FileEntry

SCHEMA = "medkosh.dataset-manifest/1"


def canonical_json(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """The package version plus a hash of the medkosh source, so two builds made by different code never
    share a version id even when the package version was not bumped."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def members_digest(patient_keys: list[str]) -> str:
    digest = hashlib.sha256()
    for key in sorted(set(patient_keys)):
        digest.update(key.encode() + b"\n")
    return digest.hexdigest()


@dataclass(frozen=True)
class Manifest:
    dataset_id: str
    files: tuple[FileEntry, ...]
    recipes: dict[str, Any]            # output table -> recipe (as loaded) with its content hash
    consent_snapshot_id: str
    spec_sha256: str
    members_sha256: str
    patients: int
    code_version: str
    anonymisation: dict[str, Any]      # per table: k, l, t achieved and risk before/after

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "dataset_id": self.dataset_id,
            "files": [{"path": f.path, "sha256": f.sha256, "size": f.size, "media_type": f.media_type,
                       "rows": f.rows} for f in sorted(self.files, key=lambda f: f.path)],
            "recipes": self.recipes,
            "consent_snapshot_id": self.consent_snapshot_id,
            "spec_sha256": self.spec_sha256,
            "members_sha256": self.members_sha256,
            "patients": self.patients,
            "code_version": self.code_version,
            "anonymisation": self.anonymisation,
        }

    def to_bytes(self) -> bytes:
        return canonical_json(self.as_dict())

    @property
    def version_id(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()


def verify_manifest(data: bytes, version_id: str) -> dict[str, Any]:
    """Parse stored manifest bytes and check that they hash to the version id."""
    from medkosh.errors import IntegrityError

    if hashlib.sha256(data).hexdigest() != version_id:
        raise IntegrityError(f"manifest of version {version_id[:12]} does not match its id",
                             hint="the object store was altered; restore it from backup")
    parsed: dict[str, Any] = orjson.loads(data)
    return parsed
