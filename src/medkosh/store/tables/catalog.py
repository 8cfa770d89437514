"""Catalog tables: datasets, their immutable versions, each version's files and member patients,
search facets.

A version row is written once, in the transaction that publishes it; afterwards only its status
(published → superseded…) changes. Members (pseudonymous patient keys) make
`versions_containing` exact when a consent is withdrawn.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from medkosh.store.base import Base, UTCDateTime

_BIG = BigInteger().with_variant(Integer, "sqlite")


class CatalogDatasetRow(Base):
    __tablename__ = "catalog_dataset"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    steward: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(200), index=True)
    modality: Mapped[str] = mapped_column(String(20), index=True)
    tier: Mapped[str] = mapped_column(String(20), index=True)
    licence: Mapped[str] = mapped_column(String(120))
    conditions: Mapped[str] = mapped_column(Text)   # JSON list of ICD-10 codes
    states: Mapped[str] = mapped_column(Text)       # JSON list of state codes
    metadata_json: Mapped[str] = mapped_column(Text)  # keywords, intended uses, limitations (JSON)
    spec_object: Mapped[str] = mapped_column(String(64))  # the SPEC.yaml bytes, content-addressed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    latest_version: Mapped[str | None] = mapped_column(String(64))
    latest_number: Mapped[int] = mapped_column(Integer, default=0)
    size_bytes: Mapped[int] = mapped_column(_BIG, default=0)
    rows: Mapped[int] = mapped_column(_BIG, default=0)
    # Monotonic change counter: in-process search indexes refresh rows with a higher value.
    search_seq: Mapped[int] = mapped_column(_BIG, index=True)
    search_text: Mapped[str] = mapped_column(Text)
    # PostgreSQL full-text vector (GIN-indexed); unused (NULL) on SQLite, which searches with FTS5.
    search_tsv: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))

    __table_args__ = (Index("ix_catalog_dataset_search_tsv", "search_tsv", postgresql_using="gin"),)


class CatalogVersionRow(Base):
    __tablename__ = "catalog_version"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the canonical manifest
    dataset_id: Mapped[str] = mapped_column(ForeignKey("catalog_dataset.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(40), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    tier: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    code_version: Mapped[str] = mapped_column(String(40))
    manifest_object: Mapped[str] = mapped_column(String(64))
    card_md_object: Mapped[str | None] = mapped_column(String(64))
    card_html_object: Mapped[str | None] = mapped_column(String(64))
    consent_snapshot_id: Mapped[str] = mapped_column(String(120), index=True)
    patients: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(_BIG)
    size_bytes: Mapped[int] = mapped_column(_BIG)
    superseded_by: Mapped[str | None] = mapped_column(String(64))
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("dataset_id", "number", name="uq_catalog_version_dataset_id"),)


class CatalogVersionFileRow(Base):
    __tablename__ = "catalog_version_file"

    version_id: Mapped[str] = mapped_column(ForeignKey("catalog_version.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(400), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(_BIG)
    media_type: Mapped[str] = mapped_column(String(80))
    rows: Mapped[int | None] = mapped_column(_BIG)


class CatalogVersionMemberRow(Base):
    """One row per (version, pseudonymous patient key) the version contains."""

    __tablename__ = "catalog_version_member"

    version_id: Mapped[str] = mapped_column(ForeignKey("catalog_version.id"), primary_key=True)
    patient_key: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class CatalogFacetRow(Base):
    """Facet values of a dataset (modality, ICD-10 chapter, state, tier, size band, institution)."""

    __tablename__ = "catalog_facet"

    dataset_id: Mapped[str] = mapped_column(ForeignKey("catalog_dataset.id"), primary_key=True)
    facet: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(120), primary_key=True)

    __table_args__ = (Index("ix_catalog_facet_facet_value", "facet", "value"),)
