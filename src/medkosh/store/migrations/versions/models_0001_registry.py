"""models: registry, versions, validations, approvals, deployments, predictions, monitors, sealed benchmarks

Revision ID: models_0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import medkosh.store.base

revision = "models_0001"
down_revision = None
branch_labels = ("models",)
depends_on = None

_T = medkosh.store.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "model",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner_id", sa.String(80), nullable=False),
        sa.Column("developer", sa.String(200), nullable=False),
        sa.Column("created_at", _T(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model"),
    )
    op.create_index("ix_model_owner_id", "model", ["owner_id"])
    op.create_table(
        "model_sealed_benchmark",
        sa.Column("dataset_version_id", sa.String(80), nullable=False),
        sa.Column("sealed_by", sa.String(80), nullable=False),
        sa.Column("sealed_at", _T(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("dataset_version_id", name="pk_model_sealed_benchmark"),
    )
    op.create_table(
        "model_version",
        sa.Column("id", sa.String(80), nullable=False),
        sa.Column("model_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("mode", sa.String(20), nullable=True),
        sa.Column("artefact_object", sa.String(64), nullable=False),
        sa.Column("artefact_size", sa.Integer(), nullable=False),
        sa.Column("schema_json", sa.Text(), nullable=False),
        sa.Column("lineage_json", sa.Text(), nullable=False),
        sa.Column("card_json", sa.Text(), nullable=False),
        sa.Column("registered_by", sa.String(80), nullable=False),
        sa.Column("registered_at", _T(), nullable=False),
        sa.ForeignKeyConstraint(["model_id"], ["model.id"], name="fk_model_version_model_id_model"),
        sa.PrimaryKeyConstraint("id", name="pk_model_version"),
        sa.UniqueConstraint("model_id", "version", name="uq_model_version_model_id"),
    )
    op.create_index("ix_model_version_model_id", "model_version", ["model_id"])
    op.create_index("ix_model_version_state", "model_version", ["state"])
    op.create_table(
        "model_deployment",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("version_id", sa.String(80), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("validation_id", sa.String(40), nullable=False),
        sa.Column("approval_id", sa.String(40), nullable=False),
        sa.Column("deployed_by", sa.String(80), nullable=False),
        sa.Column("deployed_at", _T(), nullable=False),
        sa.Column("ended_at", _T(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["model_version.id"], name="fk_model_deployment_version_id_model_version"),
        sa.PrimaryKeyConstraint("id", name="pk_model_deployment"),
    )
    op.create_index("ix_model_deployment_status", "model_deployment", ["status"])
    op.create_index("ix_model_deployment_version_id", "model_deployment", ["version_id"])
    op.create_table(
        "model_validation",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("version_id", sa.String(80), nullable=False),
        sa.Column("benchmark_version_id", sa.String(80), nullable=False),
        sa.Column("site", sa.String(200), nullable=True),
        sa.Column("protocol_id", sa.String(64), nullable=False),
        sa.Column("protocol_version", sa.Integer(), nullable=False),
        sa.Column("protocol_json", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("report_object", sa.String(64), nullable=False),
        sa.Column("reference_json", sa.Text(), nullable=False),
        sa.Column("run_by", sa.String(80), nullable=False),
        sa.Column("created_at", _T(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["model_version.id"], name="fk_model_validation_version_id_model_version"),
        sa.PrimaryKeyConstraint("id", name="pk_model_validation"),
    )
    op.create_index("ix_model_validation_benchmark_version_id", "model_validation", ["benchmark_version_id"])
    op.create_index("ix_model_validation_version_id", "model_validation", ["version_id"])
    op.create_table(
        "model_approval",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("version_id", sa.String(80), nullable=False),
        sa.Column("validation_id", sa.String(40), nullable=False),
        sa.Column("clinician_id", sa.String(80), nullable=False),
        sa.Column("registration_number", sa.String(80), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("approved_at", _T(), nullable=False),
        sa.ForeignKeyConstraint(["validation_id"], ["model_validation.id"], name="fk_model_approval_validation_id_model_validation"),
        sa.ForeignKeyConstraint(["version_id"], ["model_version.id"], name="fk_model_approval_version_id_model_version"),
        sa.PrimaryKeyConstraint("id", name="pk_model_approval"),
    )
    op.create_index("ix_model_approval_version_id", "model_approval", ["version_id"])
    op.create_table(
        "model_monitor",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("deployment_id", sa.String(40), nullable=False),
        sa.Column("checked_at", _T(), nullable=False),
        sa.Column("figures_json", sa.Text(), nullable=False),
        sa.Column("alarms_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["deployment_id"], ["model_deployment.id"], name="fk_model_monitor_deployment_id_model_deployment"),
        sa.PrimaryKeyConstraint("id", name="pk_model_monitor"),
    )
    op.create_index("ix_model_monitor_deployment_id", "model_monitor", ["deployment_id"])
    op.create_table(
        "model_prediction",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("deployment_id", sa.String(40), nullable=False),
        sa.Column("version_id", sa.String(80), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("features_json", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_by", sa.String(80), nullable=False),
        sa.Column("created_at", _T(), nullable=False),
        sa.Column("reviewer_id", sa.String(80), nullable=True),
        sa.Column("reviewed_at", _T(), nullable=True),
        sa.Column("override_decision", sa.Integer(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["deployment_id"], ["model_deployment.id"], name="fk_model_prediction_deployment_id_model_deployment"),
        sa.PrimaryKeyConstraint("id", name="pk_model_prediction"),
    )
    op.create_index("ix_model_prediction_created_at", "model_prediction", ["created_at"])
    op.create_index("ix_model_prediction_deployment_id", "model_prediction", ["deployment_id"])
    op.create_index("ix_model_prediction_status", "model_prediction", ["status"])
    op.create_index("ix_model_prediction_version_id", "model_prediction", ["version_id"])


def downgrade() -> None:
    op.drop_table("model_prediction")
    op.drop_table("model_monitor")
    op.drop_table("model_approval")
    op.drop_table("model_validation")
    op.drop_table("model_deployment")
    op.drop_table("model_version")
    op.drop_table("model_sealed_benchmark")
    op.drop_table("model")
