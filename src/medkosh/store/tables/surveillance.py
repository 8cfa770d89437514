"""Surveillance tables: per-dataset protection settings, the DP budget ledger, runs and alerts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from medkosh.store.base import Base, UTCDateTime


class SurveillanceSettingsRow(Base):
    """How one dataset's aggregates are protected (disclosure control or DP); set by its steward."""

    __tablename__ = "surveillance_settings"

    dataset_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    mode: Mapped[str] = mapped_column(String(20))
    threshold: Mapped[int] = mapped_column(Integer)
    rounding_base: Mapped[int] = mapped_column(Integer)
    epsilon_budget: Mapped[float] = mapped_column(Float)
    delta_budget: Mapped[float] = mapped_column(Float)
    max_epsilon_per_query: Mapped[float] = mapped_column(Float)
    max_contributions: Mapped[int] = mapped_column(Integer)
    unit_column: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(120))


class SurveillanceBudgetRow(Base):
    """Privacy budget spent by one user on one dataset (basic composition of ε and δ)."""

    __tablename__ = "surveillance_budget"
    __table_args__ = (UniqueConstraint("user_id", "dataset_id", name="uq_surveillance_budget_user_dataset"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(120), index=True)
    dataset_id: Mapped[str] = mapped_column(String(200))
    epsilon_spent: Mapped[float] = mapped_column(Float)
    delta_spent: Mapped[float] = mapped_column(Float)
    queries: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SurveillanceSpendRow(Base):
    """One entry of the ledger: a DP query and what it cost."""

    __tablename__ = "surveillance_spend"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    budget_id: Mapped[str] = mapped_column(ForeignKey("surveillance_budget.id"), index=True)
    epsilon: Mapped[float] = mapped_column(Float)
    delta: Mapped[float] = mapped_column(Float)
    mechanism: Mapped[str] = mapped_column(String(20))
    query: Mapped[str] = mapped_column(Text)  # canonical JSON of the query spec (no patient data)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SurveillanceRunRow(Base):
    __tablename__ = "surveillance_run"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(1000))  # dataset ref or Parquet path, reused by the next run
    dataset_id: Mapped[str] = mapped_column(String(200))
    first_week: Mapped[str] = mapped_column(String(10))
    last_week: Mapped[str] = mapped_column(String(10))
    weeks: Mapped[int] = mapped_column(Integer)
    series: Mapped[int] = mapped_column(Integer)
    alerts: Mapped[int] = mapped_column(Integer)
    alpha: Mapped[float] = mapped_column(Float)
    threshold: Mapped[int] = mapped_column(Integer)  # disclosure threshold applied to what is shown
    series_object: Mapped[str] = mapped_column(String(64))  # Parquet in the object store (internal)
    seconds: Mapped[float] = mapped_column(Float)


class SurveillanceAlertRow(Base):
    __tablename__ = "surveillance_alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("surveillance_run.id"), index=True)
    condition: Mapped[str] = mapped_column(String(40))
    condition_name: Mapped[str] = mapped_column(String(120))
    icd10: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(120))
    district: Mapped[str] = mapped_column(String(200))
    week: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(20))
    methods: Mapped[str] = mapped_column(String(80))
    observed: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    upper: Mapped[float] = mapped_column(Float)
    statistic: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
