"""Re-run the release gate over a published version, from the object store: the same PHI scan
(text de-identifier + canary list) and structural checks a build ran before publishing, so anyone can
check at any time that a version's artefacts — every file and its data card — hold nothing identifying."""

from __future__ import annotations

import hashlib
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import polars as pl
from sqlalchemy.orm import Session

from medkosh.catalog.gate import scan_release
from medkosh.catalog.prepare import PreparedTable
from medkosh.catalog.service import card, get_dataset_row, get_version
from medkosh.catalog.spec import parse_spec
from medkosh.catalog.toolkit import Finding, Toolkit, default_toolkit
from medkosh.config import get_settings
from medkosh.errors import IntegrityError
from medkosh.store.objects import ObjectStore


@dataclass(frozen=True)
class RescanResult:
    ref: str
    version_id: str
    files: int
    canaries: int
    findings: list[Finding]

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "version_id": self.version_id, "files_scanned": self.files,
                "canary_values": self.canaries, "findings": [f.__dict__ for f in self.findings],
                "clean": not self.findings}


def rescan_version(session: Session, ref: str, toolkit: Toolkit | None = None) -> RescanResult:
    from medkosh.catalog.build import canaries_for

    version = get_version(session, ref)
    row = get_dataset_row(session, version.dataset_id)
    store = ObjectStore()
    spec = parse_spec(store.get_bytes(row.spec_object), f"{version.dataset_id} (stored spec)")
    meta = orjson.loads(row.metadata_json)
    canaries, _ = canaries_for(spec, Path(meta.get("spec_dir") or "."), meta.get("resolved_paths") or {})
    selects = {t.output: t for t in spec.tables}
    markdown = card(session, version.ref, "md").decode("utf-8")
    root = get_settings().work_dir / "rescans"
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        folder = Path(tmp)
        tables: list[PreparedTable] = []
        for f in version.files:
            data = store.get_bytes(f.sha256)
            if hashlib.sha256(data).hexdigest() != f.sha256:
                raise IntegrityError(f"{version.ref}: {f.path} does not match its manifest hash")
            path = folder / f.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            name = Path(f.path).stem
            if f.path.endswith(".parquet") and name in selects:
                tables.append(PreparedTable(name, selects[name], pl.read_parquet(io.BytesIO(data))))
        findings = scan_release(folder, tables, spec, markdown, canaries, toolkit or default_toolkit())
    return RescanResult(version.ref, version.id, len(version.files) + 1, len(canaries), findings)
