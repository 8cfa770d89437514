"""Identity vocabulary: roles, users, institutions, trainings and the authenticated principal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from medkosh.audit import Actor


class Role(StrEnum):
    ADMIN = "admin"
    STEWARD = "steward"  # data steward: curates datasets, sets access policy, DUAs
    RESEARCHER = "researcher"
    COMMITTEE = "committee_member"  # data access committee / institutional ethics committee
    CLINICIAN = "clinician"
    AUDITOR = "auditor"


class VerificationStatus(StrEnum):
    UNVERIFIED = "unverified"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class UserStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class IdentityEvent(StrEnum):
    INSTITUTION_CREATED = "identity.institution.created"
    USER_CREATED = "identity.user.created"
    USER_ROLES_CHANGED = "identity.user.roles_changed"
    USER_STATUS_CHANGED = "identity.user.status_changed"
    USER_VERIFIED = "identity.user.verification_changed"
    PASSWORD_SET = "identity.user.password_set"  # noqa: S105
    LOGIN = "identity.session.login"
    LOGIN_FAILED = "identity.session.login_failed"
    LOGOUT = "identity.session.logout"
    TOKEN_ISSUED = "identity.token.issued"  # noqa: S105
    TOKEN_REVOKED = "identity.token.revoked"  # noqa: S105
    TOKEN_USED = "identity.token.used"  # noqa: S105
    TOKEN_REFUSED = "identity.token.refused"  # noqa: S105
    TRAINING_RECORDED = "identity.training.recorded"


# The trainings a dataset may require; free text is allowed too, these are the common ones.
KNOWN_TRAININGS = {
    "research-ethics": "Research ethics (ICMR National Ethical Guidelines / GCP)",
    "data-protection": "Data protection (DPDP Act 2023) and information security",
    "human-subjects": "Human subjects research (CITI or equivalent)",
}

# What an API token may be limited to; "*" is every action the user's roles allow.
# A scope is "<domain>" (all actions of that domain) or "<domain>:read" (its read-only actions).
SCOPE_ALL = "*"


@dataclass(frozen=True)
class Institution:
    id: str
    name: str
    kind: str
    oidc_issuer: str | None = None


@dataclass(frozen=True)
class Training:
    id: str
    user_id: str
    code: str
    title: str
    provider: str
    completed_on: dt.date
    expires_at: dt.datetime

    def valid_at(self, when: dt.datetime) -> bool:
        return when < self.expires_at


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str
    institution_id: str
    roles: frozenset[Role]
    status: UserStatus = UserStatus.ACTIVE
    verification: VerificationStatus = VerificationStatus.UNVERIFIED
    institution_name: str | None = None

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:
        return self.status == UserStatus.ACTIVE


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the user, how they proved it, and what a token limits them to."""

    user: User
    via: str  # "session" | "token" | "cli"
    token_id: str | None = None
    session_id: str | None = None
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({SCOPE_ALL}))

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def institution_id(self) -> str:
        return self.user.institution_id

    @property
    def roles(self) -> frozenset[Role]:
        return self.user.roles

    def has_role(self, *roles: Role) -> bool:
        return self.user.has_role(*roles)

    def audit_actor(self) -> Actor:
        return Actor(id=self.user.id, institution=self.user.institution_id,
                     role=",".join(sorted(self.user.roles)) or None)
