"""Consent tables: artefacts (verbatim + indexed), their status history, the consent managers'
trusted keys, and the enforcement work list that makes `medkosh consent enforce` crash-safe."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from medkosh.store.base import Base, UTCDateTime

_BIG = BigInteger().with_variant(Integer, "sqlite")


class ConsentArtefactRow(Base):
    """One ABDM consent artefact. `document` is the artefact as received; the other columns index it.

    The patient's ABHA address appears only inside `document`; lookups use `patient_hash`, a keyed
    hash (medkosh.consent.subjects.patient_hash), so an index scan never exposes the address.
    """

    __tablename__ = "consent_artefact"

    consent_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    consent_manager_id: Mapped[str] = mapped_column(String(120), index=True)
    patient_hash: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(16), index=True)
    hi_types: Mapped[str] = mapped_column(Text)  # JSON list, sorted
    access_mode: Mapped[str] = mapped_column(String(16))
    hip_id: Mapped[str | None] = mapped_column(String(120), index=True)
    hiu_id: Mapped[str | None] = mapped_column(String(120))
    date_from: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    date_to: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    data_erase_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), index=True)  # current status = last history entry
    document: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))
    detail_sha256: Mapped[str] = mapped_column(String(64))  # hash of canonical consentDetail (signed bytes)
    signature: Mapped[str] = mapped_column(Text)
    key_fingerprint: Mapped[str] = mapped_column(String(64))  # which trusted key verified the signature
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ConsentStatusEventRow(Base):
    """Every status an artefact has had, in order: history is appended, never overwritten."""

    __tablename__ = "consent_status_event"

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    consent_id: Mapped[str] = mapped_column(ForeignKey("consent_artefact.consent_id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # the consent manager's time
    # A notification's requestId: replays of the same notification are recognised and ignored.
    request_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    note: Mapped[str | None] = mapped_column(Text)


class ConsentTrustedKeyRow(Base):
    """A consent manager's public key that the admin trusts to sign artefacts and notifications."""

    __tablename__ = "consent_trusted_key"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the DER public key
    consent_manager_id: Mapped[str] = mapped_column(String(120), index=True)
    alg: Mapped[str] = mapped_column(String(10))
    public_key: Mapped[str] = mapped_column(Text)  # 64 hex digits (Ed25519) or PEM
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str] = mapped_column(String(120))
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ConsentEnforcementTaskRow(Base):
    """Work that enforcement owes: written before acting, marked done in the transaction that
    finishes it, so a run killed midway is completed by the next run and nothing is lost."""

    __tablename__ = "consent_enforcement_task"
    __table_args__ = (UniqueConstraint("kind", "consent_id"),)

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    consent_id: Mapped[str] = mapped_column(ForeignKey("consent_artefact.consent_id"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    planned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # JSON list of the principal's patient_keys, resolved from the raw zone before any action and kept,
    # because erasure removes the very rows the keys are resolved from.
    patient_keys: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)  # JSON summary, no patient identifiers
