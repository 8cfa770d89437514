"""surveillance: dataset protection settings, DP budget ledger, runs and alerts

Revision ID: surveillance_0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import medkosh.store.base

revision = "surveillance_0001"
down_revision = None
branch_labels = ("surveillance",)
depends_on = None

_UTC = medkosh.store.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "surveillance_settings",
        sa.Column("dataset_id", sa.String(200), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("rounding_base", sa.Integer(), nullable=False),
        sa.Column("epsilon_budget", sa.Float(), nullable=False),
        sa.Column("delta_budget", sa.Float(), nullable=False),
        sa.Column("max_epsilon_per_query", sa.Float(), nullable=False),
        sa.Column("max_contributions", sa.Integer(), nullable=False),
        sa.Column("unit_column", sa.String(80), nullable=True),
        sa.Column("updated_at", _UTC(), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("dataset_id", name="pk_surveillance_settings"),
    )
    op.create_table(
        "surveillance_budget",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(120), nullable=False),
        sa.Column("dataset_id", sa.String(200), nullable=False),
        sa.Column("epsilon_spent", sa.Float(), nullable=False),
        sa.Column("delta_spent", sa.Float(), nullable=False),
        sa.Column("queries", sa.Integer(), nullable=False),
        sa.Column("updated_at", _UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_surveillance_budget"),
        sa.UniqueConstraint("user_id", "dataset_id", name="uq_surveillance_budget_user_dataset"),
    )
    op.create_index("ix_surveillance_budget_user_id", "surveillance_budget", ["user_id"])
    op.create_table(
        "surveillance_spend",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("budget_id", sa.String(40), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column("delta", sa.Float(), nullable=False),
        sa.Column("mechanism", sa.String(20), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", _UTC(), nullable=False),
        sa.ForeignKeyConstraint(["budget_id"], ["surveillance_budget.id"],
                                name="fk_surveillance_spend_budget_id_surveillance_budget"),
        sa.PrimaryKeyConstraint("id", name="pk_surveillance_spend"),
    )
    op.create_index("ix_surveillance_spend_budget_id", "surveillance_spend", ["budget_id"])
    op.create_table(
        "surveillance_run",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("created_at", _UTC(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("dataset_id", sa.String(200), nullable=False),
        sa.Column("first_week", sa.String(10), nullable=False),
        sa.Column("last_week", sa.String(10), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("series_object", sa.String(64), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_surveillance_run"),
    )
    op.create_index("ix_surveillance_run_created_at", "surveillance_run", ["created_at"])
    op.create_table(
        "surveillance_alert",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("condition", sa.String(40), nullable=False),
        sa.Column("condition_name", sa.String(120), nullable=False),
        sa.Column("icd10", sa.String(60), nullable=False),
        sa.Column("state", sa.String(120), nullable=False),
        sa.Column("district", sa.String(200), nullable=False),
        sa.Column("week", sa.String(10), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("methods", sa.String(80), nullable=False),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("upper", sa.Float(), nullable=False),
        sa.Column("statistic", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["surveillance_run.id"],
                                name="fk_surveillance_alert_run_id_surveillance_run"),
        sa.PrimaryKeyConstraint("id", name="pk_surveillance_alert"),
    )
    op.create_index("ix_surveillance_alert_run_id", "surveillance_alert", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_surveillance_alert_run_id", "surveillance_alert")
    op.drop_table("surveillance_alert")
    op.drop_index("ix_surveillance_run_created_at", "surveillance_run")
    op.drop_table("surveillance_run")
    op.drop_index("ix_surveillance_spend_budget_id", "surveillance_spend")
    op.drop_table("surveillance_spend")
    op.drop_index("ix_surveillance_budget_user_id", "surveillance_budget")
    op.drop_table("surveillance_budget")
    op.drop_table("surveillance_settings")
