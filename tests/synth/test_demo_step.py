from __future__ import annotations

from pathlib import Path


def test_demo_step_generates_and_audits(tmp_path: Path, sqlite_url: str) -> None:
    from sqlalchemy import select

    from medkosh.demo import DemoContext
    from medkosh.store.db import session_scope
    from medkosh.store.tables.audit import AuditEventRow
    from medkosh.synth import demo_step

    ctx = DemoContext(home=tmp_path / "home", data_dir=tmp_path / "data", patients=40, hospitals=2, seed=3)
    lines = demo_step.run(ctx)
    assert ctx.state["synth_dir"] == tmp_path / "data" / "synth"
    assert (ctx.state["synth_dir"] / "manifest.json").is_file()
    assert lines and lines[0].startswith("40 patients in 2 hospitals")
    with session_scope() as session:
        events = session.execute(select(AuditEventRow).where(AuditEventRow.event_type == "synth.data.generated")
                                 ).scalars().all()
    assert [e.actor for e in events] == ["demo"]
