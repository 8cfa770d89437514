"""The consent demo step on real synthetic data: trust, import, tamper check, first enforcement."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest


@pytest.mark.slow  # generates and ingests a small synthetic population
def test_import_step_on_synthetic_data(sqlite_url: str, tmp_path: Path) -> None:
    from medkosh.consent import demo_step, service
    from medkosh.ingest import demo_step as ingest_step
    from medkosh.store.db import session_scope
    from medkosh.synth.generate import SynthOptions, generate

    synth = tmp_path / "synth"
    summary = generate(SynthOptions(patients=40, hospitals=2, seed=3, workers=1), synth)
    ctx = SimpleNamespace(state={"synth_dir": synth})
    ingest_step.run(ctx)
    lines = demo_step.run(ctx)
    expected = summary["counts"]["consents"]
    assert lines[0].endswith(f"{sum(expected.values()):,} imported")
    assert lines[1] == "tamper check: a copy with widened hiTypes is refused: its signature no longer verifies"
    with session_scope() as s:
        counts = service.counts_by_status(s)
    # Everything the generator wrote is stored; GRANTED ones already past dataEraseAt are now EXPIRED.
    assert sum(counts.values()) == sum(expected.values())
    assert counts.get("GRANTED", 0) <= expected.get("GRANTED", 0)
    assert "research (DSRCH) eligibility over the raw zone" in lines[4]
    # Re-run: nothing new; the files of consents enforcement expired are older copies ("stale").
    again = demo_step.run(ctx)[0]
    assert "imported" not in again
    expired_now = counts.get("EXPIRED", 0) - expected.get("EXPIRED", 0)
    assert again.endswith(f"{expired_now} stale, {sum(expected.values()) - expired_now} unchanged" if expired_now
                          else f"{sum(expected.values())} unchanged")
