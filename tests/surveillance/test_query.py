"""The aggregate query service: disclosure control, DP ledger, audit, one-line errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from medkosh.audit.service import Actor
from medkosh.errors import InputError, PolicyViolation
from medkosh.store.db import session_scope
from medkosh.store.tables.audit import AuditEventRow
from medkosh.surveillance import service
from medkosh.surveillance.types import DatasetSettings, Dimension, Measure, ProtectionMode, QuerySpec

ALICE = Actor("usr_alice")


def _events(kind: str) -> int:
    with session_scope() as s:
        return s.execute(select(func.count()).select_from(AuditEventRow)
                         .where(AuditEventRow.event_type == kind)).scalar_one()


def test_disclosure_controlled_counts(db_url: str, encounters: Path) -> None:
    spec = QuerySpec(by=(Dimension.DISTRICT, Dimension.CONDITION))
    with session_scope() as s:
        result = service.query(s, str(encounters), spec, ALICE)
    assert result.mode == "disclosure"
    published = [r for r in result.rows if r["value"] is not None]
    assert published and all(r["value"] % 5 == 0 for r in published)
    # Nothing below the threshold leaves the service, margins included.
    assert all(r["value"] == 0 or r["value"] >= 5 for r in published)
    suppressed = [r for r in result.rows if r["value"] is None]
    assert {r["flag"] for r in suppressed} <= {"primary", "secondary"}
    grand = [r for r in result.rows if r["district"] == "*" and r["condition"] == "*"]
    assert len(grand) == 1 and grand[0]["value"] > 250_000
    assert _events("surveillance.query.answered") == 1


def test_rates_and_means(db_url: str, encounters: Path) -> None:
    with session_scope() as s:
        rate = service.query(s, str(encounters), QuerySpec(by=(Dimension.DISTRICT,), measure=Measure.RATE,
                                                           conditions=("dengue",)), ALICE)
        mean = service.query(s, str(encounters), QuerySpec(by=(Dimension.SEX,), measure=Measure.MEAN,
                                                           mean_of="age"), ALICE)
    pune = next(r for r in rate.rows if r["district"] == "Pune")
    assert 0 < pune["value"] < 1000
    ages = [r["value"] for r in mean.rows if r["sex"] in ("M", "F")]
    assert all(20 < a < 50 for a in ages)


def test_dp_ledger_refuses_over_budget(db_url: str, encounters: Path) -> None:
    with session_scope() as s:
        source, _ = service.resolve_source(s, str(encounters))
        service.set_dataset_settings(s, DatasetSettings(dataset_id=source.dataset_id, mode=ProtectionMode.DP,
                                                        epsilon_budget=1.0, max_epsilon_per_query=0.6), ALICE)
    spec = QuerySpec(by=(Dimension.STATE,), epsilon=0.5)
    for _ in range(2):
        with session_scope() as s:
            result = service.query(s, str(encounters), spec, ALICE)
    assert result.mode == "dp" and result.budget_left == pytest.approx(0.0)
    with pytest.raises(PolicyViolation, match="privacy budget exhausted"), session_scope() as s:
        service.query(s, str(encounters), QuerySpec(by=(Dimension.STATE,), epsilon=0.01), ALICE)
    assert _events("surveillance.query.refused") == 1  # the refusal survived the rollback
    # The budget is per user: another user still has theirs.
    with session_scope() as s:
        other = service.query(s, str(encounters), spec, Actor("usr_bob"))
    assert other.budget_left == pytest.approx(0.5)
    # A DP-only dataset refuses a plain query; too large an ε is refused.
    with pytest.raises(PolicyViolation, match="only differentially private"), session_scope() as s:
        service.query(s, str(encounters), QuerySpec(by=(Dimension.STATE,)), ALICE)
    with pytest.raises(PolicyViolation, match="per-query limit"), session_scope() as s:
        service.query(s, str(encounters), QuerySpec(by=(Dimension.STATE,), epsilon=0.9), Actor("usr_carol"))
    assert _events("surveillance.budget.spent") == 3


def test_dp_counts_are_close_and_cover_the_key_set(db_url: str, encounters: Path) -> None:
    spec_true = QuerySpec(by=(Dimension.STATE,))
    with session_scope() as s:
        source, _ = service.resolve_source(s, str(encounters))
        # Each row its own privacy unit, so the noisy counts estimate the plain counts.
        service.set_dataset_settings(s, DatasetSettings(dataset_id=source.dataset_id, unit_column=None), ALICE)
    with session_scope() as s:
        exact = service.query(s, str(encounters), spec_true, ALICE, margins=False)
        noisy = service.query(s, str(encounters), QuerySpec(by=(Dimension.STATE,), epsilon=1.0), ALICE)
    truth = {r["state"]: r["value"] for r in exact.rows}
    for r in noisy.rows:
        assert abs(r["value"] - truth[r["state"]]) < 50  # rounding ±2 plus Laplace(1) noise
    assert len(noisy.rows) == len(truth)
    # With a unit column, each patient keeps at most max_contributions rows: counts shrink.
    with session_scope() as s:
        service.set_dataset_settings(s, DatasetSettings(dataset_id=source.dataset_id), ALICE)
        capped = service.query(s, str(encounters), QuerySpec(by=(Dimension.STATE,), epsilon=1.0), Actor("usr_dan"))
    assert sum(r["value"] for r in capped.rows) < 0.8 * sum(truth.values())


def test_bad_input_is_one_line(db_url: str, encounters: Path) -> None:
    with pytest.raises(InputError, match="unknown condition"), session_scope() as s:
        service.query(s, str(encounters), QuerySpec(by=(Dimension.STATE,), conditions=("plague",)), ALICE)
    with pytest.raises(InputError, match="no numeric column"), session_scope() as s:
        service.query(s, str(encounters), QuerySpec(by=(Dimension.STATE,), measure=Measure.MEAN,
                                                    mean_of="district"), ALICE)
    with pytest.raises(Exception, match="no such file"), session_scope() as s:
        service.query(s, "/nope/x.parquet", QuerySpec(by=(Dimension.STATE,)), ALICE)


def test_mostly_small_tables_are_refused(db_url: str, encounters: Path) -> None:
    spec = QuerySpec(by=(Dimension.DISTRICT, Dimension.WEEK, Dimension.ICD10), conditions=("chikungunya",))
    with pytest.raises(PolicyViolation, match="below the disclosure threshold"), session_scope() as s:
        service.query(s, str(encounters), spec, ALICE)
    np.testing.assert_equal(_events("surveillance.query.answered"), 0)
