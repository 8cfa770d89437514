"""audit: hash-chained event log, chain head, signed checkpoints

Revision ID: audit_0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import medkosh.store.base

revision = "audit_0001"
down_revision = None
branch_labels = ("audit",)
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("seq", _BIG, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("occurred_at", medkosh.store.base.UTCDateTime(), nullable=False),
        sa.Column("event_type", sa.String(80), nullable=False),
        sa.Column("actor", sa.String(120), nullable=True),
        sa.Column("institution", sa.String(120), nullable=True),
        sa.Column("subject_type", sa.String(60), nullable=True),
        sa.Column("subject_id", sa.String(200), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_event"),
        sa.UniqueConstraint("event_id", name="uq_audit_event_event_id"),
    )
    op.create_index("ix_audit_event_occurred_at", "audit_event", ["occurred_at"])
    op.create_index("ix_audit_event_event_type", "audit_event", ["event_type"])
    op.create_index("ix_audit_event_actor", "audit_event", ["actor"])
    op.create_index("ix_audit_event_subject_id", "audit_event", ["subject_id"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", _BIG, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", _BIG, autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signed_at", medkosh.store.base.UTCDateTime(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_checkpoint"),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoint")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_event_subject_id", "audit_event")
    op.drop_index("ix_audit_event_actor", "audit_event")
    op.drop_index("ix_audit_event_event_type", "audit_event")
    op.drop_index("ix_audit_event_occurred_at", "audit_event")
    op.drop_table("audit_event")
