from __future__ import annotations

import datetime as dt

import polars as pl

from medkosh.catalog.consent_filter import from_snapshot
from medkosh.store.db import session_scope


def test_real_snapshot_adapts_and_filters(db_url: str) -> None:
    """The consent domain's own snapshot type goes through the adapter: ids, reasons and its row filter."""
    from medkosh.consent.service import eligibility

    subjects = pl.DataFrame({"patient_key": ["PA", "PB"], "source_id": ["HOSP-A", "HOSP-A"],
                             "patient_hash": ["ha", "hb"]})
    with session_scope() as s:
        snapshot = eligibility(s, "DSRCH", ["OPConsultation"], (dt.date(2020, 1, 1), dt.date(2024, 12, 31)),
                               subjects=subjects)
    view = from_snapshot(snapshot)
    assert view.snapshot_id == snapshot.snapshot_id and view.row_filter is not None
    assert view.eligible == {} and view.excluded == {"PA": "no_consent", "PB": "no_consent"}
    rows = pl.DataFrame({"patient_key": ["PA", "PB"], "hi_type": ["OPConsultation", None],
                         "record_date": [dt.date(2022, 1, 1), None]}).lazy()
    assert view.apply(rows).collect().height == 0  # nobody consented: nothing, not even demographics
