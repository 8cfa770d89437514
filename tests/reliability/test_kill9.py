"""kill -9 at random moments during ingest, dataset build, consent enforcement and audit appends.

Each operation runs as a real `medkosh` subprocess (or, for audit appends, a python loop calling
medkosh.audit.record one transaction at a time) on a world cloned from a prepared template. The process
group is SIGKILLed after a delay drawn (seeded) between the CLI's start-up time and an unkilled run's
duration; after every kill the invariants of medkosh.reliability.faults must hold, and rerunning the same
command must finish the work with the same result as the unkilled run.

The short pass (3 kills per operation, SQLite) runs in `make test`; the long loop (20 kills per
operation on SQLite and on PostgreSQL) is marked `reliability` (`make reliability`).
Reproduce a failure with the seed it prints: MEDKOSH_KILL9_SEED=<seed>.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from medkosh.reliability import faults
from medkosh.reliability.faults import World

PG_URL = os.environ.get("MEDKOSH_TEST_POSTGRES_URL")
SEED = int(os.environ.get("MEDKOSH_KILL9_SEED", "20261128"))
DATASET_SPEC = Path(__file__).resolve().parents[2] / "examples" / "datasets" / "ehr-diabetes-cohort.yaml"
DATASET = "ehr-diabetes-cohort"
HOSPITAL = "hosp01"
# The dataset consent enforcement rebuilds: every consenting patient (the diabetes cohort of 150 synthetic
# patients is too small to stay 5-anonymous once two of them withdraw).
ENFORCE_DATASET = "k9-cohort"
ENFORCE_SPEC = f"""\
id: {ENFORCE_DATASET}
name: Kill -9 test cohort
description: Every consenting synthetic patient, for the kill -9 consent-enforcement test.
steward: Reliability tests
institution: medkosh
modality: tabular_ehr
tier: registered
licence: medkosh-DUA-1.0
consent: {{purpose: DSRCH, hi_types: [OPConsultation, DiagnosticReport, Prescription, DischargeSummary],
          from: 2015-01-01, to: 2026-12-31}}
tables:
  - {{source: patient, name: patients, columns: [gender, birth_date, state],
      recipe: {DATASET_SPEC.parent / "recipes" / "patients.yaml"}}}
  - {{source: condition, name: diagnoses, columns: [record_date, code, code_display]}}
canaries: ${{MEDKOSH_SYNTH_DIR}}/canaries.json
"""
APPENDS = 300
REVOKE = 2


# ---------------------------------------------------------------- templates (prepared in-process)

def _synth(root: Path) -> Path:
    out = root / "synth"
    world = World(root / "synth-home", f"sqlite:///{root / 'synth-home' / 'medkosh.db'}")
    (root / "synth-home").mkdir()
    faults.run_to_end(faults.medkosh_argv("synth", "-n", "150", "-k", "2", "--workers", "1", "-o", str(out)),
                      world, root / "synth-log")
    return out


def _import_consents(synth: Path) -> None:
    from medkosh.consent import service
    from medkosh.consent.signatures import add_trusted_key
    from medkosh.store.db import session_scope

    cm = orjson.loads((synth / "consent-manager" / "public.json").read_bytes())
    with session_scope() as s:
        add_trusted_key(s, cm["id"], cm["public_key"], alg=cm.get("alg"), actor="test")
    files = sorted((synth / "consents").glob("*.json"))
    with session_scope() as s:
        service.import_many(s, ((p.read_bytes(), str(p)) for p in files), actor="test")


def _ingest(synth: Path) -> None:
    from medkosh.ingest.fhir import ingest_fhir
    from medkosh.ingest.service import record_run
    from medkosh.store.db import session_scope

    for folder in sorted((synth / "fhir").iterdir()):
        report = ingest_fhir([folder], folder.name)
        with session_scope() as s:
            record_run(s, report, actor="test")


def _revoke_members(dataset: str, count: int) -> list[str]:
    """Revoke the research consents of `count` members of the dataset's latest version."""
    import polars as pl
    from sqlalchemy import select

    from medkosh.catalog.service import version_members
    from medkosh.consent import service
    from medkosh.consent.subjects import raw_zone_subjects
    from medkosh.consent.types import ChangeSource, ConsentStatus
    from medkosh.store.db import session_scope
    from medkosh.store.tables.consent import ConsentArtefactRow

    revoked: list[str] = []
    with session_scope() as s:
        members = version_members(s, f"{dataset}@latest")
        subjects = raw_zone_subjects().filter(pl.col("patient_key").is_in(members)
                                              & pl.col("patient_hash").is_not_null())
        for _key, source_id, phash in subjects.sort("patient_key").iter_rows():
            consent_id = s.execute(select(ConsentArtefactRow.consent_id).where(
                ConsentArtefactRow.patient_hash == phash, ConsentArtefactRow.status == "GRANTED",
                ConsentArtefactRow.purpose == "DSRCH", ConsentArtefactRow.hip_id == source_id)
                .order_by(ConsentArtefactRow.consent_id)).scalars().first()
            if consent_id is not None and consent_id not in revoked:
                service.change_status(s, consent_id, ConsentStatus.REVOKED, source=ChangeSource.CLI, actor="test",
                                      note="withdrawn (kill -9 test)")
                revoked.append(consent_id)
            if len(revoked) == count:
                break
    assert len(revoked) == count, "the synthetic cohort has too few consenting members"
    return revoked


class Templates:
    """Prepared worlds, made on first use: `empty` (migrated; for ingest and audit appends), `loaded` (raw
    zone ingested, consents imported, first enforcement done; for builds) and `built` (+ dataset version 1
    of ENFORCE_DATASET published and REVOKE members' consents revoked; for enforcement). All share one keys folder's copy,
    so every world pseudonymises alike."""

    def __init__(self, root: Path, synth: Path, pg_url: str | None, code_env: dict[str, str]) -> None:
        self.root, self.synth, self.pg_url = root, synth, pg_url
        self.env = {"MEDKOSH_SYNTH_DIR": str(synth), **code_env}
        self.revoked: list[str] = []
        self.boot: float | None = None
        self._worlds: dict[str, World] = {}

    def empty(self) -> World:
        if "empty" not in self._worlds:
            self._worlds["empty"] = faults.new_world(self.root, "tpl-empty", self.pg_url, self.env)
        return self._worlds["empty"]

    def loaded(self) -> World:
        if "loaded" not in self._worlds:
            from medkosh.consent.enforce import enforce

            world = faults.clone_world(self.empty(), self.root, "tpl-loaded")
            with world.active():
                _import_consents(self.synth)
                _ingest(self.synth)
                enforce(actor="test")  # the synthetic data's already-ended consents, before any build
            self._worlds["loaded"] = world
        return self._worlds["loaded"]

    def built(self) -> World:
        if "built" not in self._worlds:
            from medkosh.catalog.build import build

            world = faults.clone_world(self.loaded(), self.root, "tpl-built")
            spec = self.root / f"{ENFORCE_DATASET}.yaml"
            spec.write_text(ENFORCE_SPEC)
            with world.active():
                build(spec, actor="test")
                self.revoked = _revoke_members(ENFORCE_DATASET, REVOKE)
            self._worlds["built"] = world
        return self._worlds["built"]

    def drop(self) -> None:
        for world in self._worlds.values():
            faults.drop_world(world)


# ---------------------------------------------------------------- operations

@dataclass
class Op:
    name: str
    template: Callable[[Templates], World]
    argv: Callable[[Templates], list[str]]
    after_kill: Callable[[Templates, faults.Outcome], list[str]]   # problems right after a kill
    result: Callable[[Templates], Any]                              # the finished result (compared)
    rerun_builds: bool = False  # the rerun always builds (and so removes dead builds' folders)


def _ingest_after_kill(t: Templates, out: faults.Outcome) -> list[str]:
    return faults.raw_zone_problems(runs_recorded=False) + faults.audit_problems()


def _ingest_result(t: Templates) -> Any:
    problems = faults.raw_zone_problems(runs_recorded=True)
    assert not problems, problems
    return faults.raw_zone_digest()


def _build_after_kill(t: Templates, out: faults.Outcome) -> list[str]:
    return faults.catalog_problems() + faults.audit_problems()


def _build_result(t: Templates) -> Any:
    problems = faults.catalog_problems()
    assert not problems, problems
    return faults.catalog_digest(DATASET)


def _enforce_after_kill(t: Templates, out: faults.Outcome) -> list[str]:
    return (faults.consent_problems(t.revoked) + faults.catalog_problems() + faults.raw_zone_problems()
            + faults.audit_problems())


def _enforce_result(t: Templates) -> Any:
    problems = faults.consent_problems(t.revoked) + faults.catalog_problems()
    assert not problems, problems
    states = faults.enforcement_states(t.revoked)
    assert states and set(states.values()) == {"done"}, states
    return faults.catalog_digest(ENFORCE_DATASET), faults.raw_zone_digest(), states


def _audit_after_kill(t: Templates, out: faults.Outcome) -> list[str]:
    stored = faults.probe_indexes()
    problems = faults.audit_problems()
    lost = sorted(set(faults.acknowledged(out)) - set(stored))
    if lost:
        problems.append(f"{len(lost)} acknowledged audit appends lost, first {lost[0]}")
    if stored != list(range(len(stored))):
        problems.append(f"probe events out of order, duplicated or with gaps: {stored[:5]}…")
    return problems


def _audit_result(t: Templates) -> Any:
    return faults.probe_indexes()


OPS = {
    "ingest": Op("ingest", lambda t: t.empty(),
                 lambda t: faults.medkosh_argv("ingest", "fhir", str(t.synth / "fhir" / HOSPITAL), "--source", HOSPITAL),
                 _ingest_after_kill, _ingest_result),
    "dataset-build": Op("dataset-build", lambda t: t.loaded(),
                        lambda t: faults.medkosh_argv("dataset", "build", str(DATASET_SPEC)),
                        _build_after_kill, _build_result, rerun_builds=True),
    "consent-enforce": Op("consent-enforce", lambda t: t.built(),
                          lambda t: faults.medkosh_argv("consent", "enforce"),
                          _enforce_after_kill, _enforce_result),
    "audit-append": Op("audit-append", lambda t: t.empty(),
                       lambda t: faults.python_argv(faults.AUDIT_APPEND_SCRIPT, str(APPENDS), faults.PROBE_EVENT),
                       _audit_after_kill, _audit_result),
}


@dataclass
class LoopStats:
    op: str
    backend: str
    kills: int = 0
    finished_first: int = 0    # runs that ended before their kill moment (not counted as kills)
    reruns: int = 0
    dead_folders: int = 0      # build folders and object temp files killed runs left (a building rerun removes them)
    plan: str = ""

    def line(self) -> str:
        return (f"{self.op} [{self.backend}]: {self.kills} kills, {self.reruns} reruns completed the work, "
                f"{self.finished_first} runs ended before their kill moment, {self.dead_folders} leftovers of killed "
                f"builds (folders, partial objects) found before a rerun ({self.plan})")


def kill_loop(op: Op, t: Templates, backend: str, *, kills: int, per_world: int, seed: int,
              budget_s: float | None = None) -> LoopStats:
    """Kill `op` `kills` times (`per_world` kills on one world before the rerun that must finish the work);
    with `budget_s`, stop starting new worlds once that many seconds of killing have passed."""
    logs = t.root / f"logs-{op.name}"
    logs.mkdir(exist_ok=True)
    template = op.template(t)
    argv = op.argv(t)
    ref = faults.clone_world(template, t.root, f"ref-{op.name}")
    full = faults.run_to_end(argv, ref, logs / "ref").seconds
    with ref.active():
        expected = op.result(t)
    if t.boot is None:  # measured once per backend: the CLI's start-up does not depend on the operation
        t.boot = faults.startup_seconds(ref, logs / "boot")
    boot = t.boot
    faults.drop_world(ref)
    plan = faults.KillPlan(seed, low=boot * 0.8, high=full)
    stats = LoopStats(op.name, backend, plan=plan.describe())
    n = 0
    started = time.monotonic()
    while stats.kills < kills and (budget_s is None or time.monotonic() - started < budget_s):
        n += 1
        assert n <= 3 * kills, f"{op.name}: too few runs could be killed ({stats.line()})"
        world = faults.clone_world(template, t.root, f"w-{op.name}-{n}")
        try:
            for _ in range(per_world):
                if stats.kills == kills:
                    break
                delay = plan.next_delay()
                out = faults.run_and_kill(argv, world, delay, logs / f"run-{n}-{stats.kills}")
                where = (f"{op.name} [{backend}] kill {stats.kills + 1} at {delay:.2f} s ({plan.describe()}; "
                         f"reproduce with MEDKOSH_KILL9_SEED={seed})")
                if not out.killed:
                    assert out.returncode == 0, f"{where}: the run failed by itself: {out.stderr[-1500:]}"
                    stats.finished_first += 1
                    break
                stats.kills += 1
                with world.active():
                    problems = op.after_kill(t, out)
                assert not problems, f"{where}: " + "; ".join(problems)
            with world.active():
                stats.dead_folders += faults.age_leftovers()  # the rerun comes later: dead writers' leftovers go
            faults.run_to_end(argv, world, logs / f"rerun-{n}")
            stats.reruns += 1
            with world.active():
                # A rerun of enforcement builds only if a withdrawal is still owed; the folders its killed
                # runs left are then removed by the next build.
                leftovers = faults.leftover_problems() if op.rerun_builds else []
                got = op.result(t)
            assert not leftovers, f"{op.name} [{backend}] world {n}: " + "; ".join(leftovers)
            assert got == expected, f"{op.name} [{backend}] world {n}: rerun result differs from an unkilled run " \
                                    f"({plan.describe()}; MEDKOSH_KILL9_SEED={seed}): {_difference(got, expected)}"
            faults.run_to_end(faults.medkosh_argv("audit", "verify"), world, logs / f"verify-{n}")
        finally:
            faults.drop_world(world)
    return stats


def _difference(got: Any, expected: Any, where: str = "") -> str:
    """Where two results first differ (a readable pointer, not a dump of both)."""
    if isinstance(got, dict) and isinstance(expected, dict):
        for key in sorted(set(got) | set(expected), key=str):
            if got.get(key) != expected.get(key):
                return _difference(got.get(key), expected.get(key), f"{where}/{key}")
    if isinstance(got, list | tuple) and isinstance(expected, list | tuple):
        if len(got) != len(expected):
            return f"{where}: {len(got)} items, expected {len(expected)}: {str(got)[:300]} vs {str(expected)[:300]}"
        for i, (a, b) in enumerate(zip(got, expected, strict=True)):
            if a != b:
                return _difference(a, b, f"{where}/{i}")
    return f"{where}: {str(got)[:300]} != {str(expected)[:300]}"


# ---------------------------------------------------------------- fixtures and tests

@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _synth(tmp_path_factory.mktemp("k9-synth"))


@pytest.fixture(scope="module")
def code_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return faults.snapshot_package(tmp_path_factory.mktemp("k9-code"))


@pytest.fixture(scope="module")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory, synth_dir: Path,
                     code_env: dict[str, str]) -> Iterator[Templates]:
    t = Templates(tmp_path_factory.mktemp("k9-sqlite"), synth_dir, None, code_env)
    yield t
    t.drop()


@pytest.fixture(scope="module")
def pg_templates(tmp_path_factory: pytest.TempPathFactory, synth_dir: Path,
                 code_env: dict[str, str]) -> Iterator[Templates]:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set MEDKOSH_TEST_POSTGRES_URL")
    t = Templates(tmp_path_factory.mktemp("k9-pg"), synth_dir, PG_URL, code_env)
    yield t
    t.drop()


@pytest.mark.parametrize("name", list(OPS))
def test_kill9_short_pass(name: str, sqlite_templates: Templates) -> None:
    stats = kill_loop(OPS[name], sqlite_templates, "sqlite", kills=3, per_world=3, seed=SEED)
    print(stats.line())
    assert stats.kills == 3 and stats.reruns >= 1


@pytest.mark.reliability
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("name", list(OPS))
def test_kill9_long_loop(name: str, backend: str, request: pytest.FixtureRequest) -> None:
    t: Templates = request.getfixturevalue(f"{'pg' if backend == 'postgres' else 'sqlite'}_templates")
    kills = int(os.environ.get("MEDKOSH_KILL9_KILLS", "20"))
    budget = float(os.environ.get("MEDKOSH_KILL9_BUDGET_S", "20"))  # 0: no time budget
    stats = kill_loop(OPS[name], t, backend, kills=kills, per_world=5, seed=SEED + 1,
                      budget_s=budget if budget > 0 else None)
    print(stats.line())
    assert stats.kills >= min(kills, 3) and stats.reruns >= 1


def test_a_run_killed_before_recording_itself_is_recorded_by_the_next_run(db_url: str, tmp_path: Path) -> None:
    """Regression (found by the kill -9 loop): an ingest killed between publishing its files and recording
    itself left raw-zone data with no run record and no audit event, and its rerun skipped those inputs."""
    from sqlalchemy import select

    from medkosh.ingest.fhir import ingest_fhir
    from medkosh.ingest.service import record_run
    from medkosh.store.db import session_scope
    from medkosh.store.tables.audit import AuditEventRow
    from medkosh.store.tables.ingest import IngestRunRow

    bundles = tmp_path / "bundles"
    bundles.mkdir()
    for i in range(2):
        (bundles / f"b{i}.json").write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Patient", "id": f"p{i}", "gender": "female", "birthDate": "1980-01-02"}}]}))
    died = ingest_fhir([bundles], "HOSP-K")  # published; the process "died" before record_run
    assert sum(died.rows.values()) == 2
    rerun = ingest_fhir([bundles], "HOSP-K")
    assert rerun.files_skipped == 2 and not rerun.rows
    with session_scope() as s:
        record_run(s, rerun, actor="test")
    with session_scope() as s:
        runs = {r.id: r for r in s.execute(select(IngestRunRow)).scalars()}
        events = s.execute(select(AuditEventRow).where(AuditEventRow.event_type == "ingest.run.recovered")).scalars().all()
    assert runs[died.run_id].status == "recovered" and runs[died.run_id].rows_total == 2
    assert runs[died.run_id].files_ingested == 2
    assert [e.subject_id for e in events] == [died.run_id]
    with session_scope() as s:  # idempotent: nothing more to recover
        record_run(s, ingest_fhir([bundles], "HOSP-K"), actor="test")
    with session_scope() as s:
        assert len(s.execute(select(AuditEventRow).where(AuditEventRow.event_type == "ingest.run.recovered"))
                   .scalars().all()) == 1
    assert faults.raw_zone_problems(runs_recorded=True) == []


def test_dead_build_folders_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    """Regression (found by the kill -9 loop): a build killed outright left its private folder (tables
    before the PHI gate's verdict) on disk for ever; the next build now removes dead builds' folders."""
    import fcntl
    import time

    from medkosh.catalog.build import sweep_dead_builds

    root = tmp_path / "builds"
    root.mkdir()
    dead, young, live = (root / f"build-{name}" for name in ("dead", "young", "live"))
    for folder in (dead, young, live):
        folder.mkdir()
        (folder / "patients.parquet").write_bytes(b"unreleased")
    old = time.time() - 600
    for folder in (dead, live):
        os.utime(folder, (old, old))
    with open(root / "build-live.lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # a build that is still running
        assert sweep_dead_builds(root) == 1
    assert not dead.exists() and young.exists() and live.exists()
    assert not (root / "build-dead.lock").exists()


def test_dead_writers_partial_objects_are_swept_and_fresh_ones_kept(medkosh_home: Path) -> None:
    """Regression (found by the kill -9 loop): a writer killed mid-copy left its partial object under
    objects/.tmp for ever (nothing called sweep_temp); builds now sweep temporary files an hour old."""
    import time

    from medkosh.store.objects import ObjectStore

    store = ObjectStore()
    tmp = Path(store.root) / ".tmp"
    dead, fresh = tmp / "deadbeef", tmp / "cafebabe"
    for path in (dead, fresh):
        path.write_bytes(b"half an object")
    old = time.time() - 7200
    os.utime(dead, (old, old))
    assert store.sweep_temp(min_age_s=3600) == 1
    assert not dead.exists() and fresh.exists()
