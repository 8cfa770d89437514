"""Fault-injection harness: run a medkosh command in a subprocess, SIGKILL it at a seeded random moment,
then check what a crash must never break (docs/reliability.md, section 3).

A *world* is one isolated medkosh installation: a MEDKOSH_HOME folder (raw zone, object store, keys) and
a database (a SQLite file in the home, or a PostgreSQL database). Worlds are cloned from prepared
templates so each kill starts from the same state, and the checks read a world in-process.

The checks return lists of problems (empty = fine), phrased so that a failing test says what broke:
- raw zone: every part a manifest lists exists, is readable and has the rows the manifest says; every
  run in a manifest has its ingest run record (and so its audit event) in the database;
- catalog: every visible version's manifest, files and cards are in the object store and hash to their
  ids; the dataset points at a published version; every stored object hashes to its name (nothing
  truncated is visible);
- audit: the hash chain verifies;
- consent: every revocation recorded before the kill is still there, with its enforcement pending or done.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

KILL_SIGNAL = signal.SIGKILL
PROBE_EVENT = "reliability.probe.appended"

# The audit-append workload: append events one transaction each, resuming after those already stored,
# printing each index only after its transaction committed (an acknowledged append must survive a kill).
AUDIT_APPEND_SCRIPT = """
import sys
from sqlalchemy import func, select
from medkosh.audit import record
from medkosh.store.db import session_scope
from medkosh.store.tables.audit import AuditEventRow
n, event = int(sys.argv[1]), sys.argv[2]
with session_scope() as s:
    done = s.execute(select(func.count()).select_from(AuditEventRow)
                     .where(AuditEventRow.event_type == event)).scalar_one()
for i in range(done, n):
    with session_scope() as s:
        record(s, event, actor="reliability", subject_type="probe", subject_id=str(i), details={"i": i})
    print(i, flush=True)
"""


def medkosh_argv(*args: str) -> list[str]:
    """The `medkosh` console script of this interpreter's environment (or `python -m` as a fallback)."""
    script = Path(sys.executable).parent / "medkosh"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "medkosh.cli.main", *args]


def python_argv(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def snapshot_package(dest: Path) -> dict[str, str]:
    """Copy the medkosh package as it is now and return the environment that makes subprocesses use it.

    A dataset version id includes a hash of the source (manifest.code_version), so a run and its rerun
    must execute the same code; where other work edits the tree meanwhile, the copy keeps them equal."""
    import medkosh

    package = Path(medkosh.__file__).resolve().parent
    shutil.copytree(package, dest / "medkosh", ignore=shutil.ignore_patterns("__pycache__"))
    return {"PYTHONPATH": str(dest)}


# ---------------------------------------------------------------- worlds

def pg_admin(url: str) -> str:
    """A plain libpq URL for psycopg from a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def pg_exec(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_admin(admin_url), autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@dataclass
class World:
    home: Path
    db_url: str
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def is_postgres(self) -> bool:
        return self.db_url.startswith("postgresql")

    @property
    def db_name(self) -> str:
        return self.db_url.rsplit("/", 1)[1]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEDKOSH_")}
        env.update({"MEDKOSH_HOME": str(self.home), "MEDKOSH_DATABASE_URL": self.db_url,
                    "PYTHONUNBUFFERED": "1"})
        env.update(self.extra_env)
        return env

    def medkosh_env(self) -> dict[str, str]:
        return {k: v for k, v in self.extra_env.items() if k.startswith("MEDKOSH_")}

    @contextlib.contextmanager
    def active(self) -> Iterator[World]:
        """Point this process's medkosh settings at the world (for setup and checks); restore after."""
        from medkosh.config import reset_settings
        from medkosh.store.db import dispose_engines

        saved = {k: v for k, v in os.environ.items() if k.startswith("MEDKOSH_")}
        for key in saved:
            del os.environ[key]
        os.environ.update({"MEDKOSH_HOME": str(self.home), "MEDKOSH_DATABASE_URL": self.db_url})
        os.environ.update(self.medkosh_env())  # settings only: this process keeps its own code
        reset_settings()
        dispose_engines()
        try:
            yield self
        finally:
            dispose_engines()
            for key in [k for k in os.environ if k.startswith("MEDKOSH_")]:
                del os.environ[key]
            os.environ.update(saved)
            reset_settings()


def new_world(root: Path, name: str, pg_url: str | None = None, extra_env: dict[str, str] | None = None) -> World:
    """An empty, migrated world: SQLite in the home folder, or a new database on pg_url's server."""
    from medkosh.store.migrate import upgrade

    home = root / name
    home.mkdir(parents=True)
    if pg_url:
        db = f"medkosh_k9_{uuid.uuid4().hex[:12]}"
        pg_exec(pg_url, f'CREATE DATABASE "{db}"')
        url = pg_url.rsplit("/", 1)[0] + f"/{db}"
    else:
        url = f"sqlite:///{home / 'medkosh.db'}"
    world = World(home, url, dict(extra_env or {}))
    with world.active():
        upgrade(url)
        from medkosh import keys

        for name in (keys.RAW_ZONE_KEY, keys.CONSENT_INDEX_KEY, keys.AUDIT_KEY):  # clones share them
            keys.get_or_create_key(name)
    return world


def clone_world(template: World, root: Path, name: str) -> World:
    """A copy of a template world (files copied; PostgreSQL database created from it as a template)."""
    home = root / name
    shutil.copytree(template.home, home, symlinks=True, ignore=lambda d, names: ["keys"] if Path(d) == template.home
                    else [])
    # One installation's keys: every clone uses the template's key folder, so a key a run creates (a
    # dataset's pseudonym key on its first build) is the key its rerun and every other clone use.
    keys = template.home / "keys"
    keys.mkdir(mode=0o700, exist_ok=True)
    os.symlink(keys.resolve(), home / "keys")
    if template.is_postgres:
        db = f"medkosh_k9_{uuid.uuid4().hex[:12]}"
        pg_exec(template.db_url, f'CREATE DATABASE "{db}" TEMPLATE "{template.db_name}"')
        url = template.db_url.rsplit("/", 1)[0] + f"/{db}"
    else:
        url = f"sqlite:///{home / 'medkosh.db'}"
    return World(home, url, dict(template.extra_env))


def drop_world(world: World) -> None:
    from medkosh.store.db import dispose_engines

    dispose_engines()
    if world.is_postgres:
        with contextlib.suppress(Exception):
            pg_exec(world.db_url, f'DROP DATABASE IF EXISTS "{world.db_name}" WITH (FORCE)')
    shutil.rmtree(world.home, ignore_errors=True)


# ---------------------------------------------------------------- running and killing

@dataclass
class Outcome:
    killed: bool            # True when SIGKILL ended the process (it was still running at the chosen moment)
    returncode: int
    seconds: float
    stdout: str
    stderr: str


def _spawn(argv: Sequence[str], world: World, out: Path) -> tuple[subprocess.Popen[bytes], Any, Any]:
    stdout = open(out.with_suffix(".out"), "wb")  # files, not pipes: a killed writer never blocks us
    stderr = open(out.with_suffix(".err"), "wb")
    proc = subprocess.Popen(list(argv), env=world.env(), stdout=stdout, stderr=stderr, cwd=world.home,
                            start_new_session=True)
    return proc, stdout, stderr


def _collect(proc: subprocess.Popen[bytes], handles: tuple[Any, Any], out: Path, killed: bool,
             seconds: float) -> Outcome:
    for h in handles:
        h.close()
    return Outcome(killed, proc.returncode, seconds, out.with_suffix(".out").read_text(errors="replace"),
                   out.with_suffix(".err").read_text(errors="replace"))


def run_to_end(argv: Sequence[str], world: World, log: Path, timeout: float = 600) -> Outcome:
    """Run to completion; raises AssertionError with the command's stderr when it fails."""
    started = time.perf_counter()
    proc, *handles = _spawn(argv, world, log)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, KILL_SIGNAL)
        proc.wait()
    outcome = _collect(proc, (handles[0], handles[1]), log, False, time.perf_counter() - started)
    if outcome.returncode != 0:
        raise AssertionError(f"{' '.join(argv[-4:])} exited {outcome.returncode}: {outcome.stderr[-2000:]}")
    return outcome


def run_and_kill(argv: Sequence[str], world: World, delay: float, log: Path) -> Outcome:
    """Start the command and SIGKILL its whole process group after `delay` seconds (unless it ended first)."""
    started = time.perf_counter()
    proc, *handles = _spawn(argv, world, log)
    killed = False
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, KILL_SIGNAL)
        killed = True
        proc.wait()
    return _collect(proc, (handles[0], handles[1]), log, killed and proc.returncode == -KILL_SIGNAL,
                    time.perf_counter() - started)


def startup_seconds(world: World, log: Path, runs: int = 3) -> float:
    """Median time for the CLI to load its commands and settings and exit (`medkosh config show`): kills before
    this would only interrupt imports."""
    times = []
    for i in range(runs):
        times.append(run_to_end(medkosh_argv("config", "show"), world, log.with_name(f"{log.name}-{i}")).seconds)
    return sorted(times)[len(times) // 2]


@dataclass
class KillPlan:
    """Seeded kill moments: uniform between the CLI's start-up time and an unkilled run's duration."""

    seed: int
    low: float
    high: float
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.high = max(self.high, self.low + 0.05)

    def next_delay(self) -> float:
        return self.rng.uniform(self.low, self.high)

    def describe(self) -> str:
        return f"seed {self.seed}, delays {self.low:.2f}-{self.high:.2f} s"


# ---------------------------------------------------------------- checks (run with world.active())

def raw_zone_problems(*, runs_recorded: bool = True) -> list[str]:
    """Parts listed and readable; with runs_recorded, every run in the zone also has its database record
    (right after a kill that record may still be owed: the files cannot share the database transaction)."""
    import pyarrow.parquet as pq
    from sqlalchemy import select

    from medkosh.ingest import zone
    from medkosh.store.db import session_scope
    from medkosh.store.tables.ingest import IngestRunRow

    problems = []
    run_ids: set[str] = set()
    for source in zone.list_sources():
        folder = zone.source_dir(source)
        manifest = zone.read_manifest(source)
        for table, parts in manifest["tables"].items():
            for part in parts:
                path = folder / part["path"]
                run_ids.add(str(part["run_id"]))
                if not path.exists():
                    problems.append(f"raw zone {source}/{table}: listed part {part['path']} is missing")
                    continue
                try:
                    rows = pq.ParquetFile(path).metadata.num_rows
                except Exception as exc:  # a truncated or corrupt part
                    problems.append(f"raw zone {source}/{table}: part {part['path']} unreadable ({exc})")
                    continue
                if rows != part["rows"]:
                    problems.append(f"raw zone {source}/{table}: part {part['path']} has {rows} rows, "
                                    f"manifest says {part['rows']}")
    if run_ids and runs_recorded:
        with session_scope() as s:
            recorded = set(s.execute(select(IngestRunRow.id).where(IngestRunRow.id.in_(run_ids))).scalars())
        for run_id in sorted(run_ids - recorded):
            problems.append(f"raw zone holds data of ingest run {run_id} but the database has no record "
                            "(nor audit event) of that run")
    return problems


def raw_zone_digest() -> dict[str, tuple[int, str]]:
    """Per table: (rows, sha256 of the rows sorted, run ids left out) — the content, not how it got there."""
    from medkosh.ingest import zone

    digest = {}
    tables = sorted({t for s in zone.list_sources() for t in zone.read_manifest(s)["tables"]})
    for table in tables:
        frame = zone.scan_table(table).collect()
        frame = frame.drop([c for c in frame.columns if c == "run_id"])
        frame = frame.select(sorted(frame.columns))
        frame = frame.sort([c for c in frame.columns if not frame[c].dtype.is_nested()], nulls_last=True)
        rows = frame.to_dicts()
        digest[table] = (frame.height, hashlib.sha256(orjson.dumps(rows, default=str)).hexdigest())
    return digest


def catalog_problems() -> list[str]:
    from sqlalchemy import select

    from medkosh.catalog.manifest import verify_manifest
    from medkosh.catalog.types import VersionStatus
    from medkosh.store.db import session_scope
    from medkosh.store.objects import ObjectStore
    from medkosh.store.tables.catalog import CatalogDatasetRow, CatalogVersionFileRow, CatalogVersionRow

    store = ObjectStore()
    problems = []
    statuses = {s.value for s in VersionStatus}
    with session_scope() as s:
        versions = s.execute(select(CatalogVersionRow)).scalars().all()
        files = s.execute(select(CatalogVersionFileRow)).scalars().all()
        datasets = s.execute(select(CatalogDatasetRow)).scalars().all()
    by_version: dict[str, list[Any]] = {}
    for f in files:
        by_version.setdefault(f.version_id, []).append(f)
    ids = {v.id: v for v in versions}
    for v in versions:
        ref = f"{v.dataset_id}@{v.number}"
        if v.status not in statuses:
            problems.append(f"{ref}: unknown status {v.status!r}")
        try:
            manifest = verify_manifest(store.get_bytes(v.manifest_object), v.id)
        except Exception as exc:
            problems.append(f"{ref}: manifest unreadable or not matching the version id ({exc})")
            continue
        listed = {f["path"]: f for f in manifest["files"]}
        rows = {f.path: f for f in by_version.get(v.id, [])}
        if set(listed) != set(rows):
            problems.append(f"{ref}: database lists files {sorted(rows)}, manifest {sorted(listed)}")
        for path, f in rows.items():
            if not store.exists(f.sha256):
                problems.append(f"{ref}: file {path} missing from the object store")
            elif store.size(f.sha256) != f.size:
                problems.append(f"{ref}: file {path} is {store.size(f.sha256)} bytes, expected {f.size}")
        for what, sha in (("card.md", v.card_md_object), ("card.html", v.card_html_object)):
            if not sha or not store.exists(sha):
                problems.append(f"{ref}: {what} missing from the object store")
    for d in datasets:
        latest = ids.get(d.latest_version or "")
        if d.latest_version and latest is None:
            problems.append(f"dataset {d.id}: latest version {d.latest_version[:12]} does not exist")
        elif latest is not None and latest.status != VersionStatus.PUBLISHED.value:
            problems.append(f"dataset {d.id}: latest version {latest.number} is {latest.status}, not published")
    for sha in store.iter_ids():
        data = store.get_bytes(sha, verify=False)
        if hashlib.sha256(data).hexdigest() != sha:
            problems.append(f"object {sha[:12]} is truncated or corrupt ({len(data)} bytes)")
    return problems


def catalog_digest(dataset_id: str) -> list[tuple[int, str, dict[str, Any]]]:
    """(number, status, manifest without the code version) of every version: what a rerun must reproduce."""
    from sqlalchemy import select

    from medkosh.store.db import session_scope
    from medkosh.store.objects import ObjectStore
    from medkosh.store.tables.catalog import CatalogVersionRow

    store = ObjectStore()
    with session_scope() as s:
        versions = s.execute(select(CatalogVersionRow).where(CatalogVersionRow.dataset_id == dataset_id)
                             .order_by(CatalogVersionRow.number)).scalars().all()
    out = []
    for v in versions:
        manifest = orjson.loads(store.get_bytes(v.manifest_object))
        manifest.pop("code_version", None)
        out.append((v.number, v.status, manifest))
    return out


def build_folders() -> list[Path]:
    from medkosh.config import get_settings

    return sorted(p for p in (get_settings().work_dir / "builds").glob("build-*") if p.is_dir())


def object_temp_files() -> list[Path]:
    from medkosh.config import get_settings
    from medkosh.store.objects import ObjectStore

    store = ObjectStore(get_settings().effective_object_store_url)
    if not store.is_local:
        return []
    return sorted(p for p in (Path(store.root) / ".tmp").glob("*") if p.is_file())


def age_leftovers(seconds: float = 7200.0) -> int:
    """Make what killed runs left behind (build folders, object-store temporary files) look `seconds` old:
    the rerun comes "later", when a dead writer's leftovers may be removed. Returns how many."""
    paths = build_folders() + object_temp_files()
    then = time.time() - seconds
    for path in paths:
        os.utime(path, (then, then))
    return len(paths)


def leftover_problems() -> list[str]:
    """After a run that completed: nothing a killed run left is still there (unreleased files)."""
    return ([f"build folder {p.name} of a killed build was left behind" for p in build_folders()]
            + [f"object-store temporary file {p.name} of a killed writer was left behind"
               for p in object_temp_files()])


def audit_problems() -> list[str]:
    from medkosh.audit.verify import verify_database
    from medkosh.store.db import session_scope

    with session_scope() as s:
        result = verify_database(s, workers=1)
    if result.ok:
        return []
    return [f"audit chain broken at entry {result.first_bad_seq}: {result.reason}"]


def consent_problems(revoked: Sequence[str]) -> list[str]:
    from medkosh.consent import service
    from medkosh.store.db import session_scope

    problems = []
    with session_scope() as s:
        for consent_id in revoked:
            row = service.get_row(s, consent_id)
            if row.status != "REVOKED":
                problems.append(f"consent {consent_id}: status {row.status}, the revocation was lost")
            if not any(h["to"] == "REVOKED" for h in service.history(s, consent_id)):
                problems.append(f"consent {consent_id}: the revocation is missing from its history")
            for task in service.tasks(s, consent_id):
                if task["state"] not in ("pending", "done", "failed"):
                    problems.append(f"consent {consent_id}: task {task['kind']} in state {task['state']}")
    return problems


def enforcement_states(consent_ids: Sequence[str]) -> dict[str, str]:
    from medkosh.consent import service
    from medkosh.store.db import session_scope

    with session_scope() as s:
        return {f"{cid}:{t['kind']}": t["state"] for cid in consent_ids for t in service.tasks(s, cid)}


def probe_indexes() -> list[int]:
    """subject ids of the audit-append workload's events, in chain order."""
    from sqlalchemy import select

    from medkosh.store.db import session_scope
    from medkosh.store.tables.audit import AuditEventRow

    with session_scope() as s:
        ids = s.execute(select(AuditEventRow.subject_id).where(AuditEventRow.event_type == PROBE_EVENT)
                        .order_by(AuditEventRow.seq)).scalars().all()
    return [int(i or -1) for i in ids]


def acknowledged(outcome: Outcome) -> list[int]:
    """Indexes the audit-append workload printed (each after its commit); a torn last line is ignored."""
    lines = outcome.stdout.split("\n")
    return [int(x) for x in lines[:-1] if x.strip().isdigit()]
