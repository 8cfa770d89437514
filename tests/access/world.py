"""A small, real world for access tests: institutions, the six roles, and catalog versions published
through the catalog's own publish() (files in the object store), with a committee, quorum and DUA.

Imported by tests in tests/access, tests/api and tests/e2e with load_world() (importlib mode has no
package path between test folders)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

PASSWORD = "correct horse battery staple"
DUA_TEXT = ("The recipient will use the data only for the approved project, will not attempt to re-identify any "
            "person, will keep the data inside approved systems, and will report any incident within 24 hours.")


@dataclass
class World:
    inst: str = ""
    other_inst: str = ""
    users: dict[str, Any] = field(default_factory=dict)  # role name → User
    versions: dict[str, Any] = field(default_factory=dict)  # tier → VersionInfo


def publish_version(session: Session, dataset_id: str, tier: str, files: dict[str, bytes],
                    institution: str = "AIIMS Test") -> Any:
    """Publish one version of a dataset through medkosh.catalog.publish (the catalog's atomic switch)."""
    from medkosh.catalog.manifest import Manifest, code_version, members_digest
    from medkosh.catalog.publish import Publication, next_number, publish
    from medkosh.catalog.service import get_version
    from medkosh.catalog.spec import DatasetSpec
    from medkosh.catalog.types import FileEntry
    from medkosh.store.objects import ObjectStore

    store = ObjectStore()
    entries = tuple(FileEntry(path=p, sha256=store.put_bytes(b), size=len(b), media_type="application/octet-stream")
                    for p, b in sorted(files.items()))
    spec = DatasetSpec.model_validate({
        "id": dataset_id, "name": f"Test dataset {dataset_id}", "description": "A dataset built for access tests.",
        "steward": "Data Steward", "institution": institution, "modality": "tabular_ehr", "tier": tier,
        "licence": "medkosh-DUA-1.0", "consent": {"purpose": "DSRCH", "hi_types": ["OPConsultation"],
                                                  "from": "2020-01-01", "to": "2025-12-31"},
        "tables": [{"source": "patient"}]})
    members = [f"PK{i:04d}" for i in range(10)]
    manifest = Manifest(dataset_id=dataset_id, files=entries, recipes={}, consent_snapshot_id=f"snap-{dataset_id}",
                        spec_sha256="0" * 64, members_sha256=members_digest(members), patients=len(members),
                        code_version=code_version(), anonymisation={})
    pub = Publication(manifest=manifest, manifest_object=store.put_bytes(manifest.to_bytes()),
                      card_md_object=store.put_bytes(b"# card"), card_html_object=store.put_bytes(b"<h1>card</h1>"),
                      spec=spec, spec_object=store.put_bytes(dataset_id.encode()), members=members, rows=10,
                      expected_number=next_number(session, dataset_id))
    row, _ = publish(session, pub, actor="system")
    return get_version(session, f"{dataset_id}@{row.number}")


def build_world(session: Session) -> World:
    from medkosh.access import service
    from medkosh.identity import service as ids
    from medkosh.identity.types import Role

    w = World()
    inst = ids.create_institution(session, "AIIMS Test", "hospital", actor="system")
    other = ids.create_institution(session, "Other Institute", "research", actor="system")
    w.inst, w.other_inst = inst.id, other.id
    people = {
        "admin": ("admin@test.in", "Asha Admin", [Role.ADMIN]),
        "steward": ("steward@test.in", "Sunil Steward", [Role.STEWARD]),
        "researcher": ("researcher@test.in", "Ravi Researcher", [Role.RESEARCHER]),
        "committee1": ("c1@test.in", "Chitra Committee", [Role.COMMITTEE]),
        "committee2": ("c2@test.in", "Kiran Committee", [Role.COMMITTEE]),
        "committee3": ("c3@test.in", "Meera Committee", [Role.COMMITTEE]),
        "clinician": ("clinician@test.in", "Dev Clinician", [Role.CLINICIAN]),
        "auditor": ("auditor@test.in", "Anil Auditor", [Role.AUDITOR]),
    }
    for key, (email, name, roles) in people.items():
        w.users[key] = ids.create_user(session, email, name, inst.id, roles, password=PASSWORD, actor="system",
                                       verified=True)
    w.users["outsider"] = ids.create_user(session, "outsider@other.in", "Omar Outsider", other.id,
                                          [Role.RESEARCHER, Role.COMMITTEE, Role.STEWARD], password=PASSWORD,
                                          actor="system", verified=True)
    today = dt.date.today()
    for key in ("researcher", "outsider"):
        for code in ("research-ethics", "data-protection"):
            ids.record_training(session, w.users[key].id, code, completed_on=today - dt.timedelta(days=30),
                                expires_on=today + dt.timedelta(days=335), actor="system")
    committee = [w.users[k].id for k in ("committee1", "committee2", "committee3")]
    for tier in ("open", "registered", "controlled"):
        ds = f"test-{tier}"
        w.versions[tier] = publish_version(session, ds, tier, {"tables/patient.parquet": f"{tier} data".encode(),
                                                               "README.md": b"readme"})
        service.set_dataset_policy(session, ds, actor="system", quorum=2, committee=committee,
                                   required_trainings=["research-ethics", "data-protection"])
        service.publish_dua(session, ds, f"{ds} DUA", DUA_TEXT, actor="system")
    return w


# ---- a built world copied aside once and restored between cases (the API matrix tests) -----------

def snapshot(w: Any, db: Path, name: str) -> None:
    """Remember the world's SQLite file `db` in a sibling `name` (engines closed first)."""
    from medkosh.store.db import dispose_engines

    dispose_engines()
    w.db, w.snapshot = db, db.with_name(name)
    copy_sqlite(w.db, w.snapshot)


def restore(w: Any) -> None:
    """Put the world back as snapshot() saw it."""
    from medkosh.store.db import dispose_engines

    dispose_engines()
    copy_sqlite(w.snapshot, w.db)


def copy_sqlite(src: Path, dst: Path) -> None:
    # SQLite's online backup: a consistent copy whatever the WAL holds.
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
