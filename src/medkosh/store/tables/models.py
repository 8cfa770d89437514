"""AI model registry tables: models, immutable versions, validations, approvals, deployments, predictions,
and the sealed-benchmark flags (keyed by catalog dataset version id).

Dataset-version, job and user ids are plain strings (other domains' branches; the audit trail outlives them).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from medkosh.store.base import Base, UTCDateTime, utcnow


class ModelRow(Base):
    __tablename__ = "model"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # a slug, e.g. 'diabetes-complication'
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[str] = mapped_column(String(80), index=True)
    developer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModelVersionRow(Base):
    """Immutable once registered, except its lifecycle state and deployment mode."""

    __tablename__ = "model_version"
    __table_args__ = (UniqueConstraint("model_id", "version", name="uq_model_version_model_id"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # '<model>@<n>'
    model_id: Mapped[str] = mapped_column(ForeignKey("model.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), index=True)
    mode: Mapped[str | None] = mapped_column(String(20))
    artefact_object: Mapped[str] = mapped_column(String(64))
    artefact_size: Mapped[int] = mapped_column(Integer)
    schema_json: Mapped[str] = mapped_column(Text)
    lineage_json: Mapped[str] = mapped_column(Text)  # {trained_on: [version ids], job_id}
    card_json: Mapped[str] = mapped_column(Text)  # the developer's parts of the model card
    registered_by: Mapped[str] = mapped_column(String(80))
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModelValidationRow(Base):
    __tablename__ = "model_validation"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("model_version.id"), index=True)
    benchmark_version_id: Mapped[str] = mapped_column(String(80), index=True)
    site: Mapped[str | None] = mapped_column(String(200))  # federated: the sites, comma-separated
    protocol_id: Mapped[str] = mapped_column(String(64))
    protocol_version: Mapped[int] = mapped_column(Integer)
    protocol_json: Mapped[str] = mapped_column(Text)
    passed: Mapped[bool] = mapped_column(Boolean)
    report_object: Mapped[str] = mapped_column(String(64))  # the full JSON report in the object store
    reference_json: Mapped[str] = mapped_column(Text)  # per-feature reference histograms for drift
    run_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModelApprovalRow(Base):
    __tablename__ = "model_approval"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("model_version.id"), index=True)
    validation_id: Mapped[str] = mapped_column(ForeignKey("model_validation.id"))
    clinician_id: Mapped[str] = mapped_column(String(80))
    registration_number: Mapped[str] = mapped_column(String(80))
    statement: Mapped[str] = mapped_column(Text)
    approved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModelDeploymentRow(Base):
    __tablename__ = "model_deployment"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("model_version.id"), index=True)
    mode: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)  # live | suspended | retired
    validation_id: Mapped[str] = mapped_column(String(40))
    approval_id: Mapped[str] = mapped_column(String(40))
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(Text)


class ModelPredictionRow(Base):
    """One logged prediction: features (never an identifier), score, explanation and the clinician's review."""

    __tablename__ = "model_prediction"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("model_deployment.id"), index=True)
    version_id: Mapped[str] = mapped_column(String(80), index=True)
    mode: Mapped[str] = mapped_column(String(20))
    features_json: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    explanation_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)  # shadow | returned | pending | accepted | overridden
    requested_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    reviewer_id: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    override_decision: Mapped[int | None] = mapped_column(Integer)
    review_note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[int | None] = mapped_column(Integer)  # the observed outcome, once it arrives


class ModelMonitorRow(Base):
    """One monitoring check: its figures and whether it tripped an alarm."""

    __tablename__ = "model_monitor"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("model_deployment.id"), index=True)
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    figures_json: Mapped[str] = mapped_column(Text)
    alarms_json: Mapped[str] = mapped_column(Text)


class SealedBenchmarkRow(Base):
    """A catalog dataset version marked as a benchmark: its files never leave medkosh."""

    __tablename__ = "model_sealed_benchmark"

    dataset_version_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    sealed_by: Mapped[str] = mapped_column(String(80))
    sealed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
