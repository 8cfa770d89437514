"""The raw zone: per-source Parquet parts listed in a manifest that is switched atomically.

Layout and guarantees: docs/reference/raw-zone.md. Readers trust `_manifest.json`, never a
directory listing, so a run that died or an erasure in progress is never seen half-done.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from medkosh.config import get_settings
from medkosh.errors import ConflictError, InputError
from medkosh.ingest import schema as schemas
from medkosh.store.base import utcnow

MANIFEST = "_manifest.json"
_SOURCE_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TABLE_OK = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def check_source_id(source_id: str) -> str:
    if not _SOURCE_OK.match(source_id or ""):
        raise InputError(f"invalid source id {source_id!r}",
                         hint="use 1-64 letters, digits, '.', '_' or '-' (e.g. the hospital's HIP id)")
    return source_id


def check_table_name(table: str) -> str:
    if not _TABLE_OK.match(table or ""):
        raise InputError(f"invalid table name {table!r}", hint="use lowercase letters, digits and '_'")
    return table


def zone_root() -> Path:
    return get_settings().raw_zone


def source_dir(source_id: str) -> Path:
    return zone_root() / check_source_id(source_id)


# ---------------------------------------------------------------- manifest and locking

def _empty_manifest(source_id: str) -> dict[str, Any]:
    return {"version": 1, "source_id": source_id, "updated_at": None, "tables": {}, "inputs": {}}


def read_manifest(source_id: str) -> dict[str, Any]:
    path = source_dir(source_id) / MANIFEST
    if not path.exists():
        return _empty_manifest(source_id)
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


def _write_manifest(source_id: str, manifest: dict[str, Any]) -> None:
    folder = source_dir(source_id)
    manifest["updated_at"] = utcnow().isoformat()
    tmp = folder / f".{MANIFEST}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / MANIFEST)  # the one atomic switch that makes a change visible
    with contextlib.suppress(OSError):  # make the rename durable where the platform allows it
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def source_lock(source_id: str) -> Iterator[None]:
    folder = source_dir(source_id)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def list_sources() -> list[str]:
    root = zone_root()
    if not root.exists():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / MANIFEST).exists())


def ingested_inputs(source_id: str) -> dict[str, str]:
    """sha256 of every input file already in this source → the run that ingested it."""
    return dict(read_manifest(source_id).get("inputs", {}))


# ---------------------------------------------------------------- staging and publishing

@contextlib.contextmanager
def staging(run_id: str) -> Iterator[Path]:
    """A private folder for one run, on the zone's file system (so publishing is a rename).

    The folder is removed when the run ends, published or not; folders of runs that died are swept
    by the next run (their lock is free)."""
    root = zone_root() / ".staging"
    root.mkdir(parents=True, exist_ok=True)
    _sweep_dead_staging(root)
    folder = root / run_id
    folder.mkdir()
    with open(folder / ".lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _sweep_dead_staging(root: Path) -> None:
    for folder in root.iterdir():
        lock_path = folder / ".lock"
        try:
            with open(lock_path, "a+b") as lock:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder, ignore_errors=True)
        except BlockingIOError:
            continue  # a live run holds it
        except OSError:
            continue


def publish(source_id: str, run_id: str, staged: dict[str, Path], inputs: dict[str, str] | None = None) -> None:
    """Move a run's staged tables into the source and switch the manifest (all tables at once)."""
    folder = source_dir(source_id)
    with source_lock(source_id):
        manifest = read_manifest(source_id)
        # Two runs over the same files at once: the second to publish would duplicate rows.
        clash = set(inputs or {}) & set(manifest["inputs"])
        if clash:
            raise ConflictError(f"another run ingested {len(clash)} of these input(s) into {source_id} meanwhile; "
                                "nothing of this run was published", hint="run it again: ingested inputs are skipped")
        for table, path in sorted(staged.items()):
            check_table_name(table)
            rel = f"{table}/part-{run_id}.parquet"
            dest = folder / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            rows = pq.ParquetFile(path).metadata.num_rows
            os.replace(path, dest)
            manifest["tables"].setdefault(table, []).append({"path": rel, "run_id": run_id, "rows": rows})
        manifest["inputs"].update(inputs or {})
        _write_manifest(source_id, manifest)


# ---------------------------------------------------------------- reading

def table_parts(table: str, sources: list[str] | None = None) -> list[Path]:
    check_table_name(table)
    paths = []
    for source_id in sources if sources is not None else list_sources():
        folder = source_dir(source_id)
        for part in read_manifest(source_id)["tables"].get(table, []):
            paths.append(folder / part["path"])
    return paths


def empty_frame(table: str) -> pl.LazyFrame:
    try:
        arrow_schema = schemas.schema(table)
    except KeyError:
        arrow_schema = pa.schema(schemas.COMMON)
    frame = pl.from_arrow(arrow_schema.empty_table())
    assert isinstance(frame, pl.DataFrame)
    return frame.lazy()


def scan_table(table: str, sources: list[str] | None = None) -> pl.LazyFrame:
    """A lazy frame over one table across sources (all by default); empty with the schema if none."""
    paths = table_parts(table, sources)
    if not paths:
        return empty_frame(table)
    if len(paths) == 1:
        return pl.scan_parquet(paths[0])
    # Tabular extracts may gain columns between runs: diagonal concat fills the gaps with nulls.
    return pl.concat([pl.scan_parquet(p) for p in paths], how="diagonal_relaxed")


def patient_keys_for(*, abha_address: str | None = None, abha_number: str | None = None,
                     uhid: str | None = None, source_id: str | None = None) -> set[str]:
    """patient_keys of the patient named by an ABHA address/number or UHID (consent matching)."""
    from medkosh.deid.pseudonym import normalise_identifier

    lf = scan_table("patient", [source_id] if source_id else None)
    conds = []
    if abha_address:
        conds.append(pl.col("abha_address").str.to_lowercase() == abha_address.strip().lower())
    if abha_number:
        wanted = normalise_identifier(abha_number)
        conds.append(pl.col("abha_number").str.replace_all(r"[\s-]", "").str.to_uppercase() == wanted)
    if uhid:
        conds.append(pl.col("uhid") == uhid)
    if not conds:
        raise InputError("patient_keys_for needs an ABHA address, ABHA number or UHID")
    cond = conds[0]
    for extra in conds[1:]:
        cond = cond | extra
    keys = lf.filter(cond).select("patient_key").unique().collect()
    return {k for k in keys["patient_key"].to_list() if k}


# ---------------------------------------------------------------- erasure

@dataclass
class EraseResult:
    patient_key: str
    rows: dict[str, int] = field(default_factory=dict)
    parts_rewritten: int = 0
    objects_deleted: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"patient_key": self.patient_key, "rows": self.rows, "parts_rewritten": self.parts_rewritten,
                "objects_deleted": self.objects_deleted}


def erase_patient_files(patient_key: str, sources: list[str] | None = None) -> EraseResult:
    """Rewrite every part holding `patient_key` without its rows; delete its DICOM objects.

    Callers inside the platform use `medkosh.ingest.service.erase_patient`, which also records the
    audit event in the caller's transaction."""
    from medkosh.store.objects import ObjectStore

    result = EraseResult(patient_key)
    doomed_objects: list[str] = []
    for source_id in sources if sources is not None else list_sources():
        folder = source_dir(source_id)
        old_files: list[Path] = []
        with source_lock(source_id):
            manifest = read_manifest(source_id)
            changed = False
            for table, parts in manifest["tables"].items():
                kept_parts = []
                for part in parts:
                    path = folder / part["path"]
                    frame = pl.read_parquet(path)
                    hit = frame.filter(pl.col("patient_key") == patient_key)
                    if hit.height == 0:
                        kept_parts.append(part)
                        continue
                    if table == "imaging_instance":
                        doomed_objects.extend(v for v in hit["object_sha256"].to_list() if v)
                    rest = frame.filter((pl.col("patient_key") != patient_key) | pl.col("patient_key").is_null())
                    result.rows[table] = result.rows.get(table, 0) + hit.height
                    result.parts_rewritten += 1
                    old_files.append(path)
                    changed = True
                    if rest.height == 0:
                        continue
                    rel = f"{table}/part-{part['run_id']}-e{secrets.token_hex(4)}.parquet"
                    tmp = folder / f".{Path(rel).name}.tmp"
                    # Keep the original Arrow schema so readers see the same columns and types.
                    pq.write_table(rest.to_arrow().cast(pq.read_schema(path)), tmp, compression="zstd")
                    with open(tmp, "rb") as fh:
                        os.fsync(fh.fileno())
                    os.replace(tmp, folder / rel)
                    kept_parts.append({**part, "path": rel, "rows": rest.height})
                manifest["tables"][table] = kept_parts
            if changed:
                _write_manifest(source_id, manifest)
        for path in old_files:  # only after the manifest no longer lists them
            path.unlink(missing_ok=True)
    if doomed_objects:
        store = ObjectStore()
        for sha in set(doomed_objects):
            if store.exists(sha):
                store.delete(sha)
                result.objects_deleted += 1
    return result
