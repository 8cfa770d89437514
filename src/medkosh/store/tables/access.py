"""Access tables: per-dataset access policy and committee, DUA texts and signatures, access requests
(datasets, team, documents, reviews, comments) and grants.

Dataset and dataset-version ids point into the catalog; they are plain strings (no foreign key) so the
catalog's schema can evolve on its own migration branch.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from medkosh.store.base import Base, UTCDateTime, utcnow


class DatasetPolicyRow(Base):
    """How a dataset's access requests are decided: n-of-m quorum and the trainings it requires."""

    __tablename__ = "access_dataset_policy"

    dataset_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    quorum: Mapped[int] = mapped_column(Integer)
    required_trainings: Mapped[str] = mapped_column(Text)  # JSON list of training codes
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(40))


class CommitteeMemberRow(Base):
    __tablename__ = "access_committee_member"

    dataset_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("identity_user.id", ondelete="CASCADE"), primary_key=True)


class DuaRow(Base):
    __tablename__ = "access_dua"
    __table_args__ = (UniqueConstraint("dataset_id", "version", name="uq_access_dua_dataset_version"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(40))


class DuaSignatureRow(Base):
    __tablename__ = "access_dua_signature"
    __table_args__ = (UniqueConstraint("user_id", "dua_id", name="uq_access_dua_signature_user_dua"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("identity_user.id", ondelete="CASCADE"), index=True)
    dua_id: Mapped[str] = mapped_column(ForeignKey("access_dua.id"))
    dataset_id: Mapped[str] = mapped_column(String(64), index=True)
    dua_sha256: Mapped[str] = mapped_column(String(64))
    typed_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AccessRequestRow(Base):
    __tablename__ = "access_request"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    applicant_id: Mapped[str] = mapped_column(ForeignKey("identity_user.id"), index=True)
    institution_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    lay_summary: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(20))
    duration_days: Mapped[int] = mapped_column(Integer)
    ethics_committee: Mapped[str] = mapped_column(String(300))
    ethics_approval_number: Mapped[str] = mapped_column(String(120))
    ethics_document_sha256: Mapped[str | None] = mapped_column(String(64))
    ethics_document_name: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(20), index=True)
    conditions: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, set on approval
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class RequestDatasetRow(Base):
    __tablename__ = "access_request_dataset"

    request_id: Mapped[str] = mapped_column(ForeignKey("access_request.id", ondelete="CASCADE"), primary_key=True)
    dataset_version_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(String(64), index=True)


class RequestMemberRow(Base):
    """Team members other than the applicant (each gets a grant and must sign the DUA)."""

    __tablename__ = "access_request_member"

    request_id: Mapped[str] = mapped_column(ForeignKey("access_request.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("identity_user.id"), primary_key=True)


class ReviewRow(Base):
    __tablename__ = "access_review"
    __table_args__ = (UniqueConstraint("request_id", "reviewer_id", name="uq_access_review_request_reviewer"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("access_request.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("identity_user.id"))
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str] = mapped_column(Text)  # JSON list
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CommentRow(Base):
    __tablename__ = "access_comment"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("access_request.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("identity_user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GrantRow(Base):
    __tablename__ = "access_grant"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("access_request.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("identity_user.id"), index=True)
    dataset_id: Mapped[str] = mapped_column(String(64), index=True)
    dataset_version_id: Mapped[str] = mapped_column(String(64), index=True)
    tier: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(300))
