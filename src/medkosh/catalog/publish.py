"""The atomic switch: one transaction makes a built version visible (version, files, members, the dataset
row, search fields, the previous version's new status and the audit event), or nothing at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from medkosh.audit import Actor, record
from medkosh.catalog import search
from medkosh.catalog.manifest import Manifest
from medkosh.catalog.spec import DatasetSpec
from medkosh.catalog.transitions import check_transition
from medkosh.catalog.types import CatalogEvent, VersionStatus
from medkosh.errors import ConflictError
from medkosh.store.base import utcnow
from medkosh.store.tables.catalog import (
    CatalogDatasetRow,
    CatalogFacetRow,
    CatalogVersionFileRow,
    CatalogVersionMemberRow,
    CatalogVersionRow,
)


@dataclass(frozen=True)
class Publication:
    manifest: Manifest
    manifest_object: str
    card_md_object: str
    card_html_object: str
    spec: DatasetSpec
    spec_object: str
    members: list[str]
    rows: int
    expected_number: int
    supersede_reason: str | None = None   # set when the previous version is withdrawn for consent
    spec_dir: str = "."                   # where the spec's relative paths (recipes, canaries) resolve
    resolved_paths: dict[str, str] = field(default_factory=dict)  # ${VAR} paths as this build resolved them


def next_number(session: Session, dataset_id: str) -> int:
    current = session.execute(select(func.max(CatalogVersionRow.number))
                              .where(CatalogVersionRow.dataset_id == dataset_id)).scalar_one()
    return int(current or 0) + 1


def _upsert_dataset(session: Session, pub: Publication) -> CatalogDatasetRow:
    spec, spec_object = pub.spec, pub.spec_object
    now = utcnow()
    row = session.get(CatalogDatasetRow, spec.id)
    meta = {"keywords": spec.keywords, "intended_uses": spec.intended_uses, "limitations": spec.limitations,
            "data_sharing_agreement": spec.data_sharing_agreement, "spec_dir": pub.spec_dir,
            "resolved_paths": pub.resolved_paths}
    if row is None:
        row = CatalogDatasetRow(id=spec.id, created_at=now, latest_number=0, size_bytes=0, rows=0,
                                search_seq=0, search_text="")
        session.add(row)
    row.name, row.description, row.steward = spec.name, spec.description, spec.steward
    row.institution, row.modality, row.tier = spec.institution, spec.modality.value, spec.tier.value
    row.licence = spec.licence
    row.conditions = orjson.dumps(spec.conditions).decode()
    row.states = orjson.dumps(spec.states).decode()
    row.metadata_json = orjson.dumps(meta).decode()
    row.spec_object = spec_object
    row.updated_at = now
    return row


def publish(session: Session, pub: Publication, actor: Actor | str) -> tuple[CatalogVersionRow, str | None]:
    """Insert the version and switch the dataset to it. Returns the version row and the id of the version
    it superseded (None for a first version or an identical rebuild)."""
    vid = pub.manifest.version_id
    existing = session.get(CatalogVersionRow, vid)
    if existing is not None:  # the same inputs were built and published before: nothing to do
        return existing, None
    dataset = _upsert_dataset(session, pub)
    session.flush()
    number = next_number(session, pub.spec.id)
    if number != pub.expected_number:
        raise ConflictError(f"another build of {pub.spec.id} published version {number - 1} meanwhile",
                            hint="run the build again")
    now = utcnow()
    size = sum(f.size for f in pub.manifest.files)
    version = CatalogVersionRow(
        id=vid, dataset_id=pub.spec.id, number=number, status=VersionStatus.PUBLISHED.value, status_reason=None,
        tier=pub.spec.tier.value, created_at=now, code_version=pub.manifest.code_version,
        manifest_object=pub.manifest_object, card_md_object=pub.card_md_object,
        card_html_object=pub.card_html_object, consent_snapshot_id=pub.manifest.consent_snapshot_id,
        patients=len(pub.members), rows=pub.rows, size_bytes=size)
    session.add(version)
    session.flush()
    session.add_all(CatalogVersionFileRow(version_id=vid, path=f.path, sha256=f.sha256, size=f.size,
                                          media_type=f.media_type, rows=f.rows) for f in pub.manifest.files)
    session.add_all(CatalogVersionMemberRow(version_id=vid, patient_key=k) for k in sorted(set(pub.members)))
    previous = dataset.latest_version
    if previous is not None:
        target = (VersionStatus.SUPERSEDED_CONSENT_WITHDRAWN if pub.supersede_reason
                  else VersionStatus.SUPERSEDED)
        supersede(session, previous, target, reason=pub.supersede_reason, superseded_by=vid, actor=actor)
    dataset.latest_version, dataset.latest_number = vid, number
    dataset.size_bytes, dataset.rows = size, pub.rows
    index_dataset(session, dataset)
    record(session, CatalogEvent.VERSION_PUBLISHED.value, actor=actor, subject_type="dataset_version",
           subject_id=f"{pub.spec.id}@{number}",
           details={"version_id": vid, "files": len(pub.manifest.files), "rows": pub.rows,
                    "patients": len(pub.members), "consent_snapshot_id": pub.manifest.consent_snapshot_id,
                    "tier": pub.spec.tier.value, "supersedes": previous})
    session.flush()
    return version, previous


def supersede(session: Session, version_id: str, target: VersionStatus, *, reason: str | None,
              superseded_by: str | None, actor: Actor | str) -> CatalogVersionRow:
    row = session.get(CatalogVersionRow, version_id)
    if row is None:
        raise ConflictError(f"version {version_id[:12]} vanished during publishing", hint="run the build again")
    current = VersionStatus(row.status)
    if current == target:
        return row
    check_transition(current, target, "system")
    row.status, row.status_reason = target.value, reason
    row.superseded_by = superseded_by or row.superseded_by
    row.superseded_at = utcnow()
    record(session, CatalogEvent.VERSION_SUPERSEDED.value, actor=actor, subject_type="dataset_version",
           subject_id=f"{row.dataset_id}@{row.number}",
           details={"version_id": row.id, "status": target.value, "reason": reason,
                    "superseded_by": superseded_by})
    return row


def index_dataset(session: Session, dataset: CatalogDatasetRow) -> None:
    """Refresh the dataset's search text, facets and change counter (read by every search index)."""
    fields: dict[str, Any] = search.document_fields(dataset)
    dataset.search_text = fields["text"]
    seq = session.execute(select(func.max(CatalogDatasetRow.search_seq))).scalar_one()
    dataset.search_seq = int(seq or 0) + 1
    session.execute(delete(CatalogFacetRow).where(CatalogFacetRow.dataset_id == dataset.id))
    session.flush()
    session.add_all(CatalogFacetRow(dataset_id=dataset.id, facet=f, value=v) for f, v in sorted(fields["facets"]))
    search.update_vector(session, dataset)
