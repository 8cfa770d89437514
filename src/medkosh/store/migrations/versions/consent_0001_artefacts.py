"""consent: artefacts, status history, trusted consent-manager keys, enforcement tasks

Revision ID: consent_0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

import medkosh.store.base

revision = "consent_0001"
down_revision = None
branch_labels = ("consent",)
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UTC = medkosh.store.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "consent_artefact",
        sa.Column("consent_id", sa.String(120), nullable=False),
        sa.Column("consent_manager_id", sa.String(120), nullable=False),
        sa.Column("patient_hash", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("hi_types", sa.Text(), nullable=False),
        sa.Column("access_mode", sa.String(16), nullable=False),
        sa.Column("hip_id", sa.String(120), nullable=True),
        sa.Column("hiu_id", sa.String(120), nullable=True),
        sa.Column("date_from", _UTC(), nullable=False),
        sa.Column("date_to", _UTC(), nullable=False),
        sa.Column("data_erase_at", _UTC(), nullable=False),
        sa.Column("created_at", _UTC(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.Column("detail_sha256", sa.String(64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("key_fingerprint", sa.String(64), nullable=False),
        sa.Column("imported_at", _UTC(), nullable=False),
        sa.Column("updated_at", _UTC(), nullable=False),
        sa.PrimaryKeyConstraint("consent_id", name="pk_consent_artefact"),
    )
    for col in ("consent_manager_id", "patient_hash", "purpose", "hip_id", "data_erase_at", "status"):
        op.create_index(f"ix_consent_artefact_{col}", "consent_artefact", [col])

    op.create_table(
        "consent_status_event",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("consent_id", sa.String(120), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("recorded_at", _UTC(), nullable=False),
        sa.Column("reported_at", _UTC(), nullable=True),
        sa.Column("request_id", sa.String(120), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["consent_id"], ["consent_artefact.consent_id"],
                                name="fk_consent_status_event_consent_id_consent_artefact"),
        sa.PrimaryKeyConstraint("id", name="pk_consent_status_event"),
        sa.UniqueConstraint("request_id", name="uq_consent_status_event_request_id"),
    )
    op.create_index("ix_consent_status_event_consent_id", "consent_status_event", ["consent_id"])
    op.create_index("ix_consent_status_event_recorded_at", "consent_status_event", ["recorded_at"])

    op.create_table(
        "consent_trusted_key",
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("consent_manager_id", sa.String(120), nullable=False),
        sa.Column("alg", sa.String(10), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("added_at", _UTC(), nullable=False),
        sa.Column("added_by", sa.String(120), nullable=False),
        sa.Column("removed_at", _UTC(), nullable=True),
        sa.PrimaryKeyConstraint("fingerprint", name="pk_consent_trusted_key"),
    )
    op.create_index("ix_consent_trusted_key_consent_manager_id", "consent_trusted_key", ["consent_manager_id"])

    op.create_table(
        "consent_enforcement_task",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("consent_id", sa.String(120), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("planned_at", _UTC(), nullable=False),
        sa.Column("done_at", _UTC(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("patient_keys", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["consent_id"], ["consent_artefact.consent_id"],
                                name="fk_consent_enforcement_task_consent_id_consent_artefact"),
        sa.PrimaryKeyConstraint("id", name="pk_consent_enforcement_task"),
        sa.UniqueConstraint("kind", "consent_id", name="uq_consent_enforcement_task_kind"),
    )
    op.create_index("ix_consent_enforcement_task_consent_id", "consent_enforcement_task", ["consent_id"])
    op.create_index("ix_consent_enforcement_task_state", "consent_enforcement_task", ["state"])


def downgrade() -> None:
    op.drop_table("consent_enforcement_task")
    op.drop_table("consent_trusted_key")
    op.drop_table("consent_status_event")
    op.drop_table("consent_artefact")
