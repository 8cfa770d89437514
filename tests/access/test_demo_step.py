from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from medkosh.store.db import session_scope

_spec = importlib.util.spec_from_file_location("access_world", Path(__file__).with_name("world.py"))
assert _spec and _spec.loader
world = sys.modules.get("access_world") or importlib.util.module_from_spec(_spec)
if "access_world" not in sys.modules:
    sys.modules["access_world"] = world
    _spec.loader.exec_module(world)


def test_demo_step_files_and_approves_a_request(sqlite_url: str, tmp_path: Path) -> None:
    from medkosh.access import demo_step, service
    from medkosh.access.types import RequestState
    from medkosh.audit.verify import verify_database
    from medkosh.demo import DemoContext

    with session_scope() as s:
        for tier in ("registered", "controlled"):
            world.publish_version(s, f"demo-{tier}", tier, {"data.parquet": tier.encode()},
                                  institution=demo_step.HOME_INSTITUTION)
    ctx = DemoContext(home=tmp_path, data_dir=tmp_path)
    ctx.state["catalog"] = {"datasets": {"demo-registered": "demo-registered@1", "demo-controlled": "demo-controlled@1"}}
    lines = demo_step.run(ctx)
    text = "\n".join(lines)
    assert "researcher@medkosh.example" in text and "approved" in text
    with session_scope() as s:
        from medkosh.access import requests

        assert requests.view(s, ctx.state["access"]["request_id"]).state == RequestState.APPROVED
        assert service.get_grant(s, ctx.state["access"]["grant_id"]).status.value == "active"
        assert verify_database(s).ok
    # a second run (same home) reuses the people and files a second request
    again = demo_step.run(ctx)
    assert any("approved" in line for line in again)
