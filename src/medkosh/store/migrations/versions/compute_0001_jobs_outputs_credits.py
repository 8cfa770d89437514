"""compute: allocations, jobs, outputs and output reviews

Revision ID: compute_0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import medkosh.store.base

revision = "compute_0001"
down_revision = None
branch_labels = ("compute",)
depends_on = None

_T = medkosh.store.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "compute_allocation",
        sa.Column("institution_id", sa.String(40), nullable=False),
        sa.Column("quarter", sa.String(7), nullable=False),
        sa.Column("cpu_hours", sa.Float(), nullable=False),
        sa.Column("gpu_hours", sa.Float(), nullable=False),
        sa.Column("set_by", sa.String(80), nullable=True),
        sa.Column("set_at", _T(), nullable=False),
        sa.PrimaryKeyConstraint("institution_id", "quarter", name="pk_compute_allocation"),
    )
    op.create_table(
        "compute_job",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("owner_id", sa.String(40), nullable=False),
        sa.Column("institution_id", sa.String(40), nullable=False),
        sa.Column("team_json", sa.Text(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("spec_json", sa.Text(), nullable=False),
        sa.Column("datasets_json", sa.Text(), nullable=False),
        sa.Column("code_object", sa.String(64), nullable=False),
        sa.Column("executor", sa.String(20), nullable=False),
        sa.Column("cpus", sa.Float(), nullable=False),
        sa.Column("memory_mb", sa.Integer(), nullable=False),
        sa.Column("gpus", sa.Float(), nullable=False),
        sa.Column("wall_seconds", sa.Integer(), nullable=False),
        sa.Column("sandboxed", sa.Boolean(), nullable=True),
        sa.Column("quarter", sa.String(7), nullable=False),
        sa.Column("submitted_at", _T(), nullable=False),
        sa.Column("started_at", _T(), nullable=True),
        sa.Column("finished_at", _T(), nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("worker", sa.String(80), nullable=True),
        sa.Column("cpu_hours", sa.Float(), nullable=False),
        sa.Column("gpu_hours", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_compute_job"),
    )
    op.create_index("ix_compute_job_owner_id", "compute_job", ["owner_id"])
    op.create_index("ix_compute_job_institution_id", "compute_job", ["institution_id"])
    op.create_index("ix_compute_job_state", "compute_job", ["state"])
    op.create_index("ix_compute_job_submitted_at", "compute_job", ["submitted_at"])
    op.create_table(
        "compute_output",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("path", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("raw_object", sa.String(64), nullable=False),
        sa.Column("checked_object", sa.String(64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("auto_check_json", sa.Text(), nullable=False),
        sa.Column("created_at", _T(), nullable=False),
        sa.Column("released_at", _T(), nullable=True),
        sa.Column("released_by", sa.String(80), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["compute_job.id"], name="fk_compute_output_job_id_compute_job",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_compute_output"),
        sa.UniqueConstraint("job_id", "path", name="uq_compute_output_job_id"),
    )
    op.create_index("ix_compute_output_job_id", "compute_output", ["job_id"])
    op.create_index("ix_compute_output_status", "compute_output", ["status"])
    op.create_table(
        "compute_output_review",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("output_id", sa.String(40), nullable=False),
        sa.Column("reviewer_id", sa.String(40), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", _T(), nullable=False),
        sa.ForeignKeyConstraint(["output_id"], ["compute_output.id"],
                                name="fk_compute_output_review_output_id_compute_output", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_compute_output_review"),
        sa.UniqueConstraint("output_id", "reviewer_id", name="uq_compute_output_review_output_id"),
    )
    op.create_index("ix_compute_output_review_output_id", "compute_output_review", ["output_id"])


def downgrade() -> None:
    op.drop_table("compute_output_review")
    op.drop_table("compute_output")
    op.drop_table("compute_job")
    op.drop_table("compute_allocation")
