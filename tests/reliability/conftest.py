"""Shared fixtures for tests/reliability: one full demo run (`medkosh demo --no-serve`) per test session,
shared by the xdist workers, for the tests that check what a whole run of the commons produced."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# The demo's default population: the smallest in which every step produces what it can release (the TRE
# job trains and its outputs pass the airlock; a model is validated and deployed). At 200 or 800 patients
# the job stops for too few outcomes and there is no released output to check.
DEMO_PATIENTS = 2000
# With seed 1 a canary identity's consent lets it into a release (its de-identified notes are in
# clinical-notes-opd@1), so the leak scan checks a canary that went through a build, not only the raw zone.
DEMO_SEED = 1


@dataclass(frozen=True)
class DemoRun:
    home: Path
    stdout: bytes
    stderr: bytes
    report: dict[str, Any]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The demo, run once in its own MEDKOSH_HOME; xdist workers share it (a file lock: the first builds)."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's basetemp sits in this session's own folder; without xdist it is that folder.
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "reliability-demo"
    root.mkdir(parents=True, exist_ok=True)
    home = root / "home"
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / "stdout.json").is_file():
                env = {k: v for k, v in os.environ.items()
                       if k not in ("MEDKOSH_DATABASE_URL", "MEDKOSH_OBJECT_STORE_URL", "MEDKOSH_SECRET_KEY",
                                    "MEDKOSH_AUDIT_SIGNING_KEY")}
                env["MEDKOSH_HOME"] = str(home)
                out = subprocess.run([sys.executable, "-m", "medkosh.cli.main", "demo", "--patients",
                                      str(DEMO_PATIENTS), "--seed", str(DEMO_SEED), "--no-serve", "--json"],
                                     capture_output=True, timeout=1800, check=False, env=env)
                assert out.returncode == 0, out.stderr.decode("utf-8", "replace")[-3000:]
                (root / "stderr.txt").write_bytes(out.stderr)
                (root / "stdout.json").write_bytes(out.stdout)  # last: its presence means the run finished
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    stdout = (root / "stdout.json").read_bytes()
    return DemoRun(home, stdout, (root / "stderr.txt").read_bytes(), json.loads(stdout))


@pytest.fixture
def demo_home(demo_run: DemoRun, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """MEDKOSH_HOME pointed at the shared demo run (for this test and the commands it starts)."""
    from medkosh.config import reset_settings

    monkeypatch.setenv("MEDKOSH_HOME", str(demo_run.home))
    reset_settings()
    yield demo_run.home
    reset_settings()
