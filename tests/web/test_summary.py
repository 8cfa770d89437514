"""The home page's figures."""

from __future__ import annotations

from medkosh.audit import record
from medkosh.store.db import session_scope
from medkosh.web.summary import platform_summary


def test_audit_event_figure_follows_the_chain(db_url: str) -> None:
    before = platform_summary()[0]["value"]
    with session_scope() as s:
        for i in range(3):
            record(s, "system.test.done", actor="t", details={"i": i})
    assert platform_summary() == [{"label": "Audit events", "value": before + 3}]
