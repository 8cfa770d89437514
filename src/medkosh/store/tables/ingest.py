"""Ingest tables: one row per ingest run, and the inputs each run quarantined."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from medkosh.store.base import Base, UTCDateTime


class IngestRunRow(Base):
    __tablename__ = "ingest_run"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # fhir | table | notes | dicom
    status: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    files_total: Mapped[int] = mapped_column(Integer)
    files_ingested: Mapped[int] = mapped_column(Integer)
    files_skipped: Mapped[int] = mapped_column(Integer)
    files_quarantined: Mapped[int] = mapped_column(Integer)
    rows_total: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    report: Mapped[str] = mapped_column(Text)  # the ingest report as JSON (counts; no patient data)


class IngestQuarantineRow(Base):
    __tablename__ = "ingest_quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(40), ForeignKey("ingest_run.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)
    pointer: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
