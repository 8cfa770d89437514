"""Trusted-research-environment tables: compute allocations, jobs and their outputs with reviews.

User, institution and dataset-version ids are plain strings: those domains evolve on their own
migration branches, and a job must outlive a user's removal for the audit trail.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from medkosh.store.base import Base, UTCDateTime, utcnow


class AllocationRow(Base):
    """Subsidised compute per institution and quarter (e.g. '2026Q4'), set by an admin."""

    __tablename__ = "compute_allocation"

    institution_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)
    cpu_hours: Mapped[float] = mapped_column(Float)
    gpu_hours: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str | None] = mapped_column(String(80))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JobRow(Base):
    __tablename__ = "compute_job"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    owner_id: Mapped[str] = mapped_column(String(40), index=True)
    institution_id: Mapped[str] = mapped_column(String(40), index=True)
    team_json: Mapped[str] = mapped_column(Text, default="[]")  # user ids who may see outputs
    state: Mapped[str] = mapped_column(String(20), index=True)
    spec_json: Mapped[str] = mapped_column(Text)
    datasets_json: Mapped[str] = mapped_column(Text)  # [{ref, version_id, tier}]
    code_object: Mapped[str] = mapped_column(String(64))  # tar of the submitted code in the object store
    executor: Mapped[str] = mapped_column(String(20))
    cpus: Mapped[float] = mapped_column(Float)
    memory_mb: Mapped[int] = mapped_column(Integer)
    gpus: Mapped[float] = mapped_column(Float)
    wall_seconds: Mapped[int] = mapped_column(Integer)
    sandboxed: Mapped[bool | None] = mapped_column(Boolean)
    quarter: Mapped[str] = mapped_column(String(7))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    exit_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    worker: Mapped[str | None] = mapped_column(String(80))
    cpu_hours: Mapped[float] = mapped_column(Float, default=0.0)  # charged on completion
    gpu_hours: Mapped[float] = mapped_column(Float, default=0.0)


class OutputRow(Base):
    """One file a job wrote; it stays inside until two checkers approve and it is released."""

    __tablename__ = "compute_output"
    __table_args__ = (UniqueConstraint("job_id", "path", name="uq_compute_output_job_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("compute_job.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(20))
    raw_object: Mapped[str] = mapped_column(String(64))  # as the job wrote it (never released)
    checked_object: Mapped[str | None] = mapped_column(String(64))  # after redaction/rounding
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    auto_check_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    released_by: Mapped[str | None] = mapped_column(String(80))


class OutputReviewRow(Base):
    __tablename__ = "compute_output_review"
    __table_args__ = (UniqueConstraint("output_id", "reviewer_id", name="uq_compute_output_review_output_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    output_id: Mapped[str] = mapped_column(ForeignKey("compute_output.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
