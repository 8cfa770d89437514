"""`medkosh demo` runs every step of the commons end to end (small population, no server)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_runs_every_step(medkosh_home: Path) -> None:
    from medkosh.demo import STEPS

    out = subprocess.run([sys.executable, "-m", "medkosh.cli.main", "demo", "--patients", "200", "--no-serve", "--json"],
                         capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout)
    assert [s["title"] for s in report["steps"]] == [title for title, _ in STEPS]
    for step in report["steps"]:
        assert step["lines"], f"step {step['title']} reported nothing"
    assert "Traceback" not in out.stderr
