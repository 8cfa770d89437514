"""ingest: ingest runs and quarantined inputs

Revision ID: ingest_0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import medkosh.store.base

revision = "ingest_0001"
down_revision = None
branch_labels = ("ingest",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_run",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(120), nullable=True),
        sa.Column("started_at", medkosh.store.base.UTCDateTime(), nullable=False),
        sa.Column("finished_at", medkosh.store.base.UTCDateTime(), nullable=False),
        sa.Column("files_total", sa.Integer(), nullable=False),
        sa.Column("files_ingested", sa.Integer(), nullable=False),
        sa.Column("files_skipped", sa.Integer(), nullable=False),
        sa.Column("files_quarantined", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_run"),
    )
    op.create_index("ix_ingest_run_source_id", "ingest_run", ["source_id"])
    op.create_index("ix_ingest_run_started_at", "ingest_run", ["started_at"])
    op.create_table(
        "ingest_quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("pointer", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["ingest_run.id"], name="fk_ingest_quarantine_run_id_ingest_run",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_quarantine"),
    )
    op.create_index("ix_ingest_quarantine_run_id", "ingest_quarantine", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_ingest_quarantine_run_id", table_name="ingest_quarantine")
    op.drop_table("ingest_quarantine")
    op.drop_index("ix_ingest_run_started_at", table_name="ingest_run")
    op.drop_index("ix_ingest_run_source_id", table_name="ingest_run")
    op.drop_table("ingest_run")
