"""Supply chain: scripts/pip-audit.sh judges pip-audit's JSON report (fails only on a vulnerability with a
fix available, one line per finding, a clear SKIPPED line when the service answers for nothing), and
requirements/lock.txt pins the versions this virtualenv really has."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pip-audit.sh"
LOCK = ROOT / "requirements" / "lock.txt"


def _judge(tmp_path: Path, report: dict, **env: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    return subprocess.run(["bash", str(SCRIPT), "--from-json", str(path)], capture_output=True, text=True,
                          timeout=60, env=os.environ | env, cwd=ROOT)


def _dep(name: str, version: str, *vulns: tuple[str, list[str]]) -> dict:
    return {"name": name, "version": version,
            "vulns": [{"id": i, "fix_versions": f, "aliases": [], "description": "x"} for i, f in vulns]}


def test_fixable_vulnerability_fails_with_one_line_each(tmp_path: Path) -> None:
    report = {"dependencies": [_dep("jinja2", "2.10", ("PYSEC-2019-217", ["2.10.1"]), ("GHSA-x", [])),
                               _dep("fastapi", "0.115.0"), _dep("urllib3", "1.26.0", ("PYSEC-2021-59", ["1.26.5"]))],
              "fixes": []}
    out = _judge(tmp_path, report)
    assert out.returncode == 1, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    vulnerable = [line for line in lines if line.startswith("VULNERABLE")]
    assert vulnerable == [
        "VULNERABLE jinja2==2.10: PYSEC-2019-217; fixed in 2.10.1 - raise the pin in pyproject.toml and regenerate "
        "requirements/lock.txt",
        "VULNERABLE urllib3==1.26.0: PYSEC-2021-59; fixed in 1.26.5 - raise the pin in pyproject.toml and regenerate "
        "requirements/lock.txt"]
    assert any(line.startswith("known, no fix yet jinja2==2.10: GHSA-x") for line in lines)
    assert lines[-1].startswith("pip-audit: 3 locked packages audited, 0 not found by the service, 2 fixable")


def test_vulnerability_without_fix_does_not_fail(tmp_path: Path) -> None:
    out = _judge(tmp_path, {"dependencies": [_dep("ecdsa", "0.19.0", ("GHSA-wj6h", []))], "fixes": []})
    assert out.returncode == 0, out.stdout
    assert "known, no fix yet ecdsa==0.19.0: GHSA-wj6h" in out.stdout


def test_unreachable_service_says_so_and_is_configurable(tmp_path: Path) -> None:
    skipped = {"dependencies": [{"name": "absl-py", "skip_reason": "Dependency not found on PyPI and could not be "
                                 "audited: absl-py (2.5.1)"}], "fixes": []}
    out = _judge(tmp_path, skipped)
    assert out.returncode == 0
    assert out.stdout.startswith("pip-audit: SKIPPED - the vulnerability service answered for none of 1 locked")
    strict = _judge(tmp_path, skipped, MEDKOSH_PIP_AUDIT_REQUIRE_SERVICE="1")
    assert strict.returncode == 3 and "SKIPPED" in strict.stdout
    broken = _judge(tmp_path, {"dependencies": [], "error": "pip-audit exited 1: ConnectionError"})
    assert broken.returncode == 0 and "ConnectionError" in broken.stdout


def test_unpinned_lock_file_is_refused(tmp_path: Path) -> None:
    lock = tmp_path / "lock.txt"
    lock.write_text("fastapi==0.115.0\nrequests>=2\n")
    out = subprocess.run(["bash", str(SCRIPT), "--lock", str(lock)], capture_output=True, text=True, timeout=60,
                         cwd=ROOT)
    assert out.returncode == 2
    assert "without an exact '==' pin: requests>=2" in out.stderr


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_lock_pins_the_installed_versions_of_every_runtime_dependency() -> None:
    pins = {}
    for line in LOCK.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements/lock.txt: {line!r} is not pinned with =="
            pins[_norm(name)] = version.strip()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0] for d in project["dependencies"]]
    assert len(wanted) > 10
    for name in wanted:
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            pytest.fail(f"{name} (a runtime dependency) is not installed in this environment")
        assert pins.get(_norm(name)) == installed, (
            f"requirements/lock.txt pins {name}=={pins.get(_norm(name))} but {installed} is installed; regenerate the "
            "lock (see its header)")
