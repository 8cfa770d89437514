"""Reading the catalog: resolve references, list and show datasets, the version facts other domains
need (`get_version`, `open_file`, `versions_containing`), cards and metadata exports."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.catalog.types import FileEntry, Tier, VersionInfo, VersionRef, VersionStatus
from medkosh.errors import InputError, NotFoundError
from medkosh.store.objects import ObjectStore
from medkosh.store.tables.catalog import (
    CatalogDatasetRow,
    CatalogVersionFileRow,
    CatalogVersionMemberRow,
    CatalogVersionRow,
)


def _ref(ref: str | VersionRef) -> VersionRef:
    return ref if isinstance(ref, VersionRef) else VersionRef.parse(ref)


def get_dataset_row(session: Session, dataset_id: str) -> CatalogDatasetRow:
    row = session.get(CatalogDatasetRow, dataset_id)
    if row is None:
        raise NotFoundError(f"no dataset {dataset_id!r} in the catalog", hint="see 'medkosh dataset list'")
    return row


def resolve(session: Session, ref: str | VersionRef) -> CatalogVersionRow:
    """The version row a reference names (number, manifest hash or prefix, or latest published)."""
    vref = _ref(ref)
    dataset = get_dataset_row(session, vref.dataset_id)
    stmt = select(CatalogVersionRow).where(CatalogVersionRow.dataset_id == dataset.id)
    if vref.number is not None:
        stmt = stmt.where(CatalogVersionRow.number == vref.number)
    elif vref.version_id is not None:
        stmt = stmt.where(CatalogVersionRow.id.startswith(vref.version_id, autoescape=True))
    else:
        stmt = stmt.where(CatalogVersionRow.status == VersionStatus.PUBLISHED.value)
    rows = session.execute(stmt.order_by(CatalogVersionRow.number.desc())).scalars().all()
    if not rows:
        raise NotFoundError(f"no version {vref} in the catalog",
                            hint=f"see 'medkosh dataset show {vref.dataset_id}' for its versions")
    if vref.version_id is not None and len(rows) > 1:
        raise InputError(f"version prefix {vref.version_id!r} is ambiguous", hint="give more hex digits")
    return rows[0]


def _files(session: Session, version_id: str) -> tuple[FileEntry, ...]:
    rows = session.execute(select(CatalogVersionFileRow).where(CatalogVersionFileRow.version_id == version_id)
                           .order_by(CatalogVersionFileRow.path)).scalars()
    return tuple(FileEntry(path=r.path, sha256=r.sha256, size=r.size, media_type=r.media_type, rows=r.rows)
                 for r in rows)


def version_info(session: Session, row: CatalogVersionRow, with_files: bool = True) -> VersionInfo:
    return VersionInfo(
        id=row.id, dataset_id=row.dataset_id, number=row.number, tier=Tier(row.tier),
        status=VersionStatus(row.status), created_at=row.created_at, manifest_object=row.manifest_object,
        card_object=row.card_md_object, consent_snapshot_id=row.consent_snapshot_id, patients=row.patients,
        rows=row.rows, files=_files(session, row.id) if with_files else (),
        superseded_by=row.superseded_by, status_reason=row.status_reason,
    )


def get_version(session: Session, ref: str | VersionRef) -> VersionInfo:
    """id, dataset_id, tier, status and files (path, sha256, size, object id) of one version."""
    return version_info(session, resolve(session, ref))


def open_file(session: Session, ref: str | VersionRef, path: str,
              store: ObjectStore | None = None) -> IO[bytes]:
    """A read-only stream of one file of a version (the access domain decides who may call this)."""
    version = get_version(session, ref)
    for entry in version.files:
        if entry.path == path:
            return (store or ObjectStore()).open(entry.sha256)
    raise NotFoundError(f"{version.ref} has no file {path!r}",
                        hint=f"see 'medkosh dataset show {version.dataset_id} --json' for its files")


def versions_containing(session: Session, patient_keys: Iterable[str], *,
                        include_withdrawn: bool = False) -> list[VersionRef]:
    """Every version whose members include any of these pseudonymous patient keys (exact: members are
    recorded per version at publish time). Versions already withdrawn for consent are left out unless
    asked for, since enforcement has nothing left to do for them."""
    keys = sorted(set(patient_keys))
    found: dict[str, VersionRef] = {}
    for start in range(0, len(keys), 500):  # bounded IN lists on every backend
        stmt = (select(CatalogVersionRow.id, CatalogVersionRow.dataset_id, CatalogVersionRow.number,
                       CatalogVersionRow.status)
                .join(CatalogVersionMemberRow, CatalogVersionMemberRow.version_id == CatalogVersionRow.id)
                .where(CatalogVersionMemberRow.patient_key.in_(keys[start:start + 500])))
        for vid, dataset_id, number, status in session.execute(stmt).all():
            if not include_withdrawn and status == VersionStatus.SUPERSEDED_CONSENT_WITHDRAWN.value:
                continue
            found[vid] = VersionRef(dataset_id, number=number, version_id=vid)
    return sorted(found.values(), key=lambda r: (r.dataset_id, r.number or 0))


def version_members(session: Session, ref: str | VersionRef) -> list[str]:
    row = resolve(session, ref)
    return list(session.execute(select(CatalogVersionMemberRow.patient_key)
                                .where(CatalogVersionMemberRow.version_id == row.id)
                                .order_by(CatalogVersionMemberRow.patient_key)).scalars())


def dataset_summary(row: CatalogDatasetRow) -> dict[str, Any]:
    meta = orjson.loads(row.metadata_json)
    return {
        "id": row.id, "name": row.name, "description": row.description, "steward": row.steward,
        "institution": row.institution, "modality": row.modality, "tier": row.tier, "licence": row.licence,
        "conditions": orjson.loads(row.conditions), "states": orjson.loads(row.states),
        "keywords": meta.get("keywords", []), "latest_version": row.latest_version,
        "latest_number": row.latest_number, "size_bytes": row.size_bytes, "rows": row.rows,
        "updated_at": row.updated_at.isoformat(),
    }


def list_datasets(session: Session, limit: int = 1000, offset: int = 0) -> list[dict[str, Any]]:
    rows = session.execute(select(CatalogDatasetRow).order_by(CatalogDatasetRow.id)
                           .limit(limit).offset(offset)).scalars()
    return [dataset_summary(r) for r in rows]


def show_dataset(session: Session, dataset_id: str) -> dict[str, Any]:
    row = get_dataset_row(session, dataset_id)
    out = dataset_summary(row)
    meta = orjson.loads(row.metadata_json)
    out["intended_uses"] = meta.get("intended_uses", [])
    out["limitations"] = meta.get("limitations", [])
    versions = session.execute(select(CatalogVersionRow).where(CatalogVersionRow.dataset_id == dataset_id)
                               .order_by(CatalogVersionRow.number.desc())).scalars().all()
    out["versions"] = [version_info(session, v).as_dict() for v in versions]
    return out


def manifest(session: Session, ref: str | VersionRef, store: ObjectStore | None = None) -> dict[str, Any]:
    from medkosh.catalog.manifest import verify_manifest

    row = resolve(session, ref)
    return verify_manifest((store or ObjectStore()).get_bytes(row.manifest_object), row.id)


def card(session: Session, ref: str | VersionRef, fmt: str = "md", store: ObjectStore | None = None) -> bytes:
    """The generated data card of a version, as Markdown ('md') or HTML ('html')."""
    row = resolve(session, ref)
    sha = row.card_md_object if fmt == "md" else row.card_html_object if fmt == "html" else None
    if fmt not in ("md", "html"):
        raise InputError(f"unknown card format {fmt!r}", hint="use md or html")
    if sha is None:
        raise NotFoundError(f"{row.dataset_id}@{row.number} has no data card")
    return (store or ObjectStore()).get_bytes(sha)
