"""The demo step on a small synthetic dataset: recall against the generator's gold spans."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


@dataclass
class _Ctx:
    data_dir: Path
    state: dict[str, Any] = field(default_factory=dict)


def test_demo_step_reports_recall_and_a_clean_gate(tmp_path: Path) -> None:
    synth = pytest.importorskip("medkosh.synth.generate")
    out = tmp_path / "synth"
    synth.generate(synth.SynthOptions(patients=20, hospitals=2, seed=3), out)
    from medkosh.deid.text import demo_step

    ctx = _Ctx(tmp_path / "demo", {"synth_dir": out})
    lines = demo_step.run(ctx)
    recall = float(re.search(r"token recall ([0-9.]+)", lines[1]).group(1))
    precision = float(re.search(r"precision ([0-9.]+)", lines[1]).group(1))
    assert recall >= 0.95 and precision >= 0.9, lines
    assert "0 canary hit(s)" in lines[3]
    assert ctx.state["notes_deid"].exists()
