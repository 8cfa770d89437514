"""The demo's surveillance step: outbreak in the first synthetic hospital's district, shown on the portal."""

from __future__ import annotations

from pathlib import Path

import orjson
from fastapi.testclient import TestClient

from medkosh.demo import DemoContext


def test_demo_step_detects_and_the_portal_shows_the_alert(sqlite_url: str, medkosh_home: Path) -> None:
    from medkosh.api.app import create_app
    from medkosh.surveillance import demo_step

    synth = medkosh_home / "synth"
    synth.mkdir(parents=True)
    (synth / "manifest.json").write_bytes(orjson.dumps(
        {"hospitals": [{"id": "h1", "district": "Kozhikode", "state": "Kerala"},
                       {"id": "h2", "district": "Jaipur", "state": "Rajasthan"}]}))
    ctx = DemoContext(home=medkosh_home, data_dir=medkosh_home / "demo-data", seed=7, state={"synth_dir": synth})
    lines = demo_step.run(ctx)
    assert any(line.startswith("detected: Dengue (A90-A91) in Kozhikode, 2025-W30") for line in lines), lines
    page = TestClient(create_app()).get("/surveillance", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "Kozhikode" in page.text and "2025-W30" in page.text
