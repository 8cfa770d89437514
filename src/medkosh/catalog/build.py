"""`medkosh dataset build SPEC.yaml`: select → consent filter → anonymise → write → PHI scan → card →
content-addressed objects → one publishing transaction.

Everything before the final transaction happens in a private temporary folder and in the object store
(whose objects are immutable and invisible until a version names them), so a build killed at any point
leaves no visible version and can simply be run again; identical inputs give the identical version id.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy.orm import Session

from medkosh.audit import Actor, record
from medkosh.catalog import card as card_mod
from medkosh.catalog.card_stats import stable_report
from medkosh.catalog.consent_filter import ConsentView
from medkosh.catalog.gate import scan_release
from medkosh.catalog.manifest import Manifest, canonical_json, code_version, members_digest
from medkosh.catalog.policies import check_tier_fits
from medkosh.catalog.prepare import Prepared, prepare
from medkosh.catalog.publish import Publication, next_number, publish
from medkosh.catalog.spec import DatasetSpec, load_spec, parse_spec, resolve_path
from medkosh.catalog.toolkit import Toolkit, default_toolkit, refuse_findings
from medkosh.catalog.types import CatalogEvent, FileEntry, SupersedeResult, VersionInfo
from medkosh.config import get_settings
from medkosh.errors import InputError, MedkoshError
from medkosh.store.db import session_scope
from medkosh.store.objects import ObjectStore

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    version: VersionInfo
    created: bool                 # False when an identical version already existed
    superseded: str | None        # the version id this one replaced
    excluded: dict[str, int]      # consent exclusions by reason (patients)
    eligible: int

    def as_dict(self) -> dict[str, object]:
        return {"version": self.version.as_dict(), "created": self.created, "superseded": self.superseded,
                "consent": {"eligible": self.eligible, "excluded": self.excluded}}


@contextlib.contextmanager
def _session(session: Session | None) -> Iterator[Session]:
    if session is not None:
        yield session
    else:
        with session_scope() as own:
            yield own


DEAD_AFTER_S = 60.0  # a build folder untouched this long whose lock is free belongs to a dead build
# An object-store temporary file has no lock (uploads write there too, and a slow client may pause):
# only one untouched for an hour is taken for a dead writer's.
OBJECT_TEMP_DEAD_AFTER_S = 3600.0


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    """A private build folder, locked while the build lives. A build killed outright (kill -9, power loss)
    cannot remove its folder — which may hold files the PHI gate would have refused — so each build first
    removes the folders of dead builds (lock free, older than a minute) and the object store's temporary
    files untouched for an hour (a writer killed mid-copy)."""
    root = get_settings().work_dir / "builds"
    root.mkdir(parents=True, exist_ok=True)
    sweep_dead_builds(root)
    ObjectStore().sweep_temp(min_age_s=OBJECT_TEMP_DEAD_AFTER_S)  # partial objects of writers that died
    folder = Path(tempfile.mkdtemp(prefix="build-", dir=root))
    lock_path = folder.with_name(folder.name + ".lock")
    with open(lock_path, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            lock_path.unlink(missing_ok=True)


def sweep_dead_builds(root: Path, min_age_s: float | None = None) -> int:
    """Remove build folders whose build died; returns how many. A live build holds its lock, and the age
    check covers the instant between a new build creating its folder and locking it."""
    min_age_s = DEAD_AFTER_S if min_age_s is None else min_age_s
    removed = 0
    for folder in sorted(root.glob("build-*")):
        if not folder.is_dir():
            continue
        try:
            if time.time() - folder.stat().st_mtime < min_age_s:
                continue
            with open(folder.with_name(folder.name + ".lock"), "a+b") as lock:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder, ignore_errors=True)
                folder.with_name(folder.name + ".lock").unlink(missing_ok=True)
                removed += 1
        except (BlockingIOError, OSError):
            continue  # a live build holds it, or it vanished meanwhile
    return removed


def _canary_path(spec: DatasetSpec, spec_dir: Path, fallback: dict[str, str]) -> Path | None:
    """Where the canary list is: the spec's path, or — when it names a ${VARIABLE} that this process does
    not have (a rebuild started by consent enforcement) — the path the first build resolved."""
    if not spec.canaries:
        return None
    try:
        return resolve_path(spec_dir, spec.canaries)
    except InputError:
        if "canaries" in fallback:
            return Path(fallback["canaries"])
        raise


def canaries_for(spec: DatasetSpec, spec_dir: Path, fallback: dict[str, str]) -> tuple[list[str], str | None]:
    return _canaries(_canary_path(spec, spec_dir, fallback))


def _canaries(path: Path | None) -> tuple[list[str], str | None]:
    """Canary values (kept in memory only) and the sha256 of the file they came from (for the manifest)."""
    if path is None:
        return [], None
    try:
        data = path.read_bytes()
        values = [str(c["value"]) for c in orjson.loads(data) if c.get("value")]
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise InputError(f"cannot read the canary list {path}", where="canaries",
                         hint="point 'canaries' at the canaries.json that medkosh synth wrote") from exc
    return values, hashlib.sha256(data).hexdigest()


def _write_files(prepared: Prepared, folder: Path) -> list[FileEntry]:
    entries = []
    for table in prepared.tables:
        kind = "notes" if table.select.text_column else "tables"
        rel = f"{kind}/{table.name}.parquet"
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        table.frame.write_parquet(path, compression="zstd", statistics=True)
        entries.append(_entry(folder, rel, "application/vnd.apache.parquet", table.frame.height))
        for rel_img, data in sorted(table.images.items()):
            img = folder / rel_img
            img.parent.mkdir(parents=True, exist_ok=True)
            img.write_bytes(data)
            entries.append(_entry(folder, rel_img, "application/dicom", None))
    return entries


def _entry(folder: Path, rel: str, media_type: str, rows: int | None) -> FileEntry:
    data = (folder / rel).read_bytes()
    return FileEntry(rel, hashlib.sha256(data).hexdigest(), len(data), media_type, rows)


def build(spec_path: str | Path, *, session: Session | None = None, actor: Actor | str = "system",
          toolkit: Toolkit | None = None, progress: Progress | None = None) -> BuildResult:
    spec, raw = load_spec(spec_path)
    return build_spec(spec, raw, Path(spec_path).resolve().parent, session=session, actor=actor,
                      toolkit=toolkit, progress=progress)


def build_spec(spec: DatasetSpec, spec_bytes: bytes, spec_dir: Path, *, session: Session | None = None,
               actor: Actor | str = "system", toolkit: Toolkit | None = None, progress: Progress | None = None,
               supersede_reason: str | None = None, fallback_paths: dict[str, str] | None = None) -> BuildResult:
    say = progress or (lambda _m: None)
    tk = toolkit or default_toolkit()
    check_tier_fits(spec.modality, spec.tier)
    canary_path = _canary_path(spec, spec_dir, fallback_paths or {})
    canaries, canary_sha = _canaries(canary_path)
    try:
        with _session(session) as s:
            say("taking the consent snapshot")
            view = tk.eligibility(s, spec.consent)
            number = next_number(s, spec.id)
        say(f"selecting rows for {len(view.eligible)} eligible patients")
        prepared = prepare(spec, spec_dir, view, tk, as_of_year=dt.date.today().year)
        store = ObjectStore()
        with _workdir() as folder:
            entries = _write_files(prepared, folder)
            manifest = _manifest(spec, spec_bytes, prepared, view, entries, canary_sha)
            vid = manifest.version_id
            say(f"version {vid[:12]}: writing the data card")
            md, html = card_mod.render(card_mod.CardInput(
                spec=spec, version_id=vid, number=number, built_at=dt.datetime.now(dt.UTC), prepared=prepared,
                view=view, manifest=manifest))
            (folder / "card.md").write_text(md, encoding="utf-8")
            (folder / "card.html").write_text(html, encoding="utf-8")
            say("scanning every artefact for PHI and canaries")
            refuse_findings(scan_release(folder, prepared.tables, spec, md, canaries, tk), spec.id)
            for entry in entries:
                store.put_file(folder / entry.path)
            pub = Publication(manifest=manifest, manifest_object=store.put_bytes(manifest.to_bytes()),
                              card_md_object=store.put_file(folder / "card.md"),
                              card_html_object=store.put_file(folder / "card.html"), spec=spec,
                              spec_object=store.put_bytes(spec_bytes), members=sorted(prepared.members),
                              rows=sum(t.frame.height for t in prepared.tables), expected_number=number,
                              supersede_reason=supersede_reason, spec_dir=str(spec_dir),
                              resolved_paths={"canaries": str(canary_path)} if canary_path else {})
        say("publishing")
        with _session(session) as s:
            row, previous = publish(s, pub, actor)
            created = row.number == number  # an identical earlier version keeps its own number
            from medkosh.catalog.service import version_info

            info = version_info(s, row)
    except MedkoshError as exc:
        _record_failure(spec.id, actor, exc, session)
        raise
    return BuildResult(info, created, previous, prepared.cohort_excluded, prepared.cohort_eligible)


def _manifest(spec: DatasetSpec, spec_bytes: bytes, prepared: Prepared, view: ConsentView,
              entries: list[FileEntry], canary_sha: str | None) -> Manifest:
    recipes = {t.name: {"recipe": t.recipe, "sha256": hashlib.sha256(canonical_json(t.recipe)).hexdigest()}
               for t in prepared.tables if t.recipe is not None}
    anonymisation = {t.name: stable_report(t.report) for t in prepared.tables if t.report}
    if canary_sha:
        anonymisation["_phi_gate"] = {"canary_list_sha256": canary_sha}
    return Manifest(dataset_id=spec.id, files=tuple(entries), recipes=recipes,
                    consent_snapshot_id=view.snapshot_id, spec_sha256=hashlib.sha256(spec_bytes).hexdigest(),
                    members_sha256=members_digest(list(prepared.members)), patients=len(prepared.members),
                    code_version=code_version(), anonymisation=anonymisation)


def _record_failure(dataset_id: str, actor: Actor | str, exc: MedkoshError, session: Session | None) -> None:
    """A refused build is a security-relevant event: record it (in its own transaction when ours failed)."""
    if session is not None:
        return  # the caller's transaction is being rolled back; the caller reports the failure
    with contextlib.suppress(MedkoshError), session_scope() as s:
        record(s, CatalogEvent.BUILD_FAILED.value, actor=actor, subject_type="dataset", subject_id=dataset_id,
               outcome="failure", details={"error": exc.user_line()[:300]})


def rebuild(session: Session | None, dataset_id: str, *, actor: Actor | str = "system",
            toolkit: Toolkit | None = None, supersede_reason: str | None = None,
            progress: Progress | None = None) -> BuildResult:
    """Build the next version of a dataset from the spec stored with it."""
    from medkosh.catalog.service import get_dataset_row

    with _session(session) as s:
        row = get_dataset_row(s, dataset_id)
        spec_bytes = ObjectStore().get_bytes(row.spec_object)
    spec = parse_spec(spec_bytes, f"{dataset_id} (stored spec)")
    meta = orjson.loads(row.metadata_json)
    return build_spec(spec, spec_bytes, Path(meta.get("spec_dir") or "."), session=session, actor=actor,
                      toolkit=toolkit, progress=progress, supersede_reason=supersede_reason,
                      fallback_paths=meta.get("resolved_paths") or {})


def rebuild_after_withdrawal(session: Session | None, dataset_id: str, reason: str = "consent withdrawn", *,
                             actor: Actor | str = "system", toolkit: Toolkit | None = None) -> SupersedeResult:
    """Point 5: build the next version without the withdrawn patients (the consent filter now excludes them),
    mark the old version 'superseded — consent withdrawn', and list the grants that still point at it."""
    from medkosh.catalog.grants import grants_pointing_at
    from medkosh.catalog.service import get_dataset_row

    with _session(session) as s:
        old = get_dataset_row(s, dataset_id).latest_version
    if old is None:
        raise InputError(f"dataset {dataset_id} has no published version to withdraw")
    result = rebuild(session, dataset_id, actor=actor, toolkit=toolkit, supersede_reason=reason)
    with _session(session) as s:
        grants = grants_pointing_at(s, old)
        if result.version.id == old:  # nothing changed: no one left, but the old one must still go
            from medkosh.catalog.publish import supersede
            from medkosh.catalog.types import VersionStatus

            supersede(s, old, VersionStatus.SUPERSEDED_CONSENT_WITHDRAWN, reason=reason, superseded_by=None,
                      actor=actor)
    excluded = sum(result.excluded.values())
    return SupersedeResult(dataset_id, old, result.version, grants, excluded)
