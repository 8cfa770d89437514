"""Access vocabulary: request states, review decisions, grant states, purposes and audit event names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class RequestState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class GrantStatus(StrEnum):
    PENDING_DUA = "pending_dua"  # approved, but the grantee has not signed the current DUA yet
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


# Consent purposes a research request may state (ABDM purpose codes; research projects use DSRCH or PUBHLTH).
PURPOSES = {
    "DSRCH": "Disease-specific healthcare research",
    "PUBHLTH": "Public health",
    "CAREMGT": "Care management",
    "HPAYMT": "Healthcare payment",
}

DEFAULT_QUORUM = 2  # of a committee of (usually) three
MAX_DURATION_DAYS = 5 * 366


class AccessEvent(StrEnum):
    REQUEST_CREATED = "access.request.created"
    REQUEST_TRANSITION = "access.request.transitioned"
    REQUEST_DOCUMENT = "access.request.document_attached"
    REVIEW_RECORDED = "access.review.recorded"
    COMMENT_ADDED = "access.request.commented"
    GRANT_CREATED = "access.grant.created"
    GRANT_ACTIVATED = "access.grant.activated"
    GRANT_ENDED = "access.grant.ended"
    DUA_PUBLISHED = "access.dua.published"
    DUA_SIGNED = "access.dua.signed"
    POLICY_CHANGED = "access.policy.changed"
    DOWNLOAD_URL = "access.download.url_issued"
    DOWNLOAD_SERVED = "access.download.served"
    DOWNLOAD_REFUSED = "access.download.refused"


@dataclass(frozen=True)
class RequestView:
    """The facts about one request that authorisation needs (pure data, no session)."""

    id: str
    applicant_id: str
    institution_id: str
    state: RequestState
    member_ids: frozenset[str]
    dataset_ids: frozenset[str]
    # dataset id → committee member user ids, for the datasets this request names
    committees: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def team(self) -> frozenset[str]:
        return self.member_ids | {self.applicant_id}

    def reviewer_datasets(self, user_id: str) -> set[str]:
        return {d for d, members in self.committees.items() if user_id in members}


@dataclass(frozen=True)
class DataAccessFacts:
    """What decides whether one user may use one dataset version (gathered by service.access_facts)."""

    version_id: str
    dataset_id: str
    tier: str  # open | registered | controlled
    version_status: str  # catalog VersionStatus value
    signed_current_dua: bool
    has_dua: bool
    active_grant_id: str | None
    missing_trainings: frozenset[str]
    verified: bool


@dataclass(frozen=True)
class Grant:
    id: str
    request_id: str
    user_id: str
    dataset_id: str
    dataset_version_id: str
    tier: str
    status: GrantStatus
    created_at: dt.datetime
    expires_at: dt.datetime
    activated_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    end_reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "request_id": self.request_id, "user_id": self.user_id, "dataset_id": self.dataset_id,
                "dataset_version_id": self.dataset_version_id, "tier": self.tier, "status": self.status.value,
                "created_at": self.created_at.isoformat(), "expires_at": self.expires_at.isoformat(),
                "activated_at": self.activated_at.isoformat() if self.activated_at else None,
                "ended_at": self.ended_at.isoformat() if self.ended_at else None, "end_reason": self.end_reason}
