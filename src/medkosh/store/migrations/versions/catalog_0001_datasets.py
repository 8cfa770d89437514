"""catalog: datasets, immutable versions, version files and members, search facets

Revision ID: catalog_0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

import medkosh.store.base

revision = "catalog_0001"
down_revision = None
branch_labels = ("catalog",)
depends_on = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UTC = medkosh.store.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "catalog_dataset",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("steward", sa.String(200), nullable=False),
        sa.Column("institution", sa.String(200), nullable=False),
        sa.Column("modality", sa.String(20), nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("licence", sa.String(120), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("states", sa.Text(), nullable=False),
        sa.Column("metadata_json", sa.Text(), nullable=False),
        sa.Column("spec_object", sa.String(64), nullable=False),
        sa.Column("created_at", _UTC(), nullable=False),
        sa.Column("updated_at", _UTC(), nullable=False),
        sa.Column("latest_version", sa.String(64), nullable=True),
        sa.Column("latest_number", sa.Integer(), nullable=False),
        sa.Column("size_bytes", _BIG, nullable=False),
        sa.Column("rows", _BIG, nullable=False),
        sa.Column("search_seq", _BIG, nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("search_tsv", TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_dataset"),
    )
    op.create_index("ix_catalog_dataset_institution", "catalog_dataset", ["institution"])
    op.create_index("ix_catalog_dataset_modality", "catalog_dataset", ["modality"])
    op.create_index("ix_catalog_dataset_tier", "catalog_dataset", ["tier"])
    op.create_index("ix_catalog_dataset_search_seq", "catalog_dataset", ["search_seq"])
    op.create_index("ix_catalog_dataset_search_tsv", "catalog_dataset", ["search_tsv"], postgresql_using="gin")
    op.create_table(
        "catalog_version",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("dataset_id", sa.String(64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("created_at", _UTC(), nullable=False),
        sa.Column("code_version", sa.String(40), nullable=False),
        sa.Column("manifest_object", sa.String(64), nullable=False),
        sa.Column("card_md_object", sa.String(64), nullable=True),
        sa.Column("card_html_object", sa.String(64), nullable=True),
        sa.Column("consent_snapshot_id", sa.String(120), nullable=False),
        sa.Column("patients", sa.Integer(), nullable=False),
        sa.Column("rows", _BIG, nullable=False),
        sa.Column("size_bytes", _BIG, nullable=False),
        sa.Column("superseded_by", sa.String(64), nullable=True),
        sa.Column("superseded_at", _UTC(), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["catalog_dataset.id"],
                                name="fk_catalog_version_dataset_id_catalog_dataset"),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_version"),
        sa.UniqueConstraint("dataset_id", "number", name="uq_catalog_version_dataset_id"),
    )
    op.create_index("ix_catalog_version_dataset_id", "catalog_version", ["dataset_id"])
    op.create_index("ix_catalog_version_status", "catalog_version", ["status"])
    op.create_index("ix_catalog_version_consent_snapshot_id", "catalog_version", ["consent_snapshot_id"])
    op.create_table(
        "catalog_version_file",
        sa.Column("version_id", sa.String(64), nullable=False),
        sa.Column("path", sa.String(400), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", _BIG, nullable=False),
        sa.Column("media_type", sa.String(80), nullable=False),
        sa.Column("rows", _BIG, nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["catalog_version.id"],
                                name="fk_catalog_version_file_version_id_catalog_version"),
        sa.PrimaryKeyConstraint("version_id", "path", name="pk_catalog_version_file"),
    )
    op.create_index("ix_catalog_version_file_sha256", "catalog_version_file", ["sha256"])
    op.create_table(
        "catalog_version_member",
        sa.Column("version_id", sa.String(64), nullable=False),
        sa.Column("patient_key", sa.String(80), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["catalog_version.id"],
                                name="fk_catalog_version_member_version_id_catalog_version"),
        sa.PrimaryKeyConstraint("version_id", "patient_key", name="pk_catalog_version_member"),
    )
    op.create_index("ix_catalog_version_member_patient_key", "catalog_version_member", ["patient_key"])
    op.create_table(
        "catalog_facet",
        sa.Column("dataset_id", sa.String(64), nullable=False),
        sa.Column("facet", sa.String(20), nullable=False),
        sa.Column("value", sa.String(120), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["catalog_dataset.id"],
                                name="fk_catalog_facet_dataset_id_catalog_dataset"),
        sa.PrimaryKeyConstraint("dataset_id", "facet", "value", name="pk_catalog_facet"),
    )
    op.create_index("ix_catalog_facet_facet_value", "catalog_facet", ["facet", "value"])


def downgrade() -> None:
    op.drop_table("catalog_facet")
    op.drop_table("catalog_version_member")
    op.drop_table("catalog_version_file")
    op.drop_table("catalog_version")
    op.drop_table("catalog_dataset")
