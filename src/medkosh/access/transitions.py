"""The access request's state machine: every allowed change and who may make it.

Parties: 'applicant' (the researcher who filed it), 'committee' (a member of a named dataset's
committee who is not on the team), 'steward' and 'admin' (platform roles), 'system' (quorum
arithmetic and the expiry sweep, acting on someone's recorded action or the clock).
"""

from __future__ import annotations

from medkosh.access.types import RequestState as S
from medkosh.errors import ConflictError, PermissionDenied

TRANSITIONS: dict[tuple[S, S], frozenset[str]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({"applicant"}),
    (S.DRAFT, S.WITHDRAWN): frozenset({"applicant"}),
    (S.SUBMITTED, S.IN_REVIEW): frozenset({"committee", "system"}),
    (S.SUBMITTED, S.WITHDRAWN): frozenset({"applicant"}),
    (S.IN_REVIEW, S.WITHDRAWN): frozenset({"applicant"}),
    (S.IN_REVIEW, S.APPROVED): frozenset({"system"}),  # quorum of approvals reached
    (S.IN_REVIEW, S.REJECTED): frozenset({"system"}),  # quorum can no longer be reached
    (S.APPROVED, S.EXPIRED): frozenset({"system"}),
    (S.APPROVED, S.REVOKED): frozenset({"steward", "admin"}),
}

TERMINAL = frozenset({S.REJECTED, S.WITHDRAWN, S.EXPIRED, S.REVOKED})


def can_transition(current: S, target: S, party: str) -> bool:
    return party in TRANSITIONS.get((current, target), frozenset())


def check_transition(current: S, target: S, party: str) -> None:
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        raise ConflictError(f"a request that is {current.value} cannot become {target.value}",
                            hint="reload the request to see its current state")
    if party not in allowed:
        raise PermissionDenied(f"the {party} cannot move a request from {current.value} to {target.value}",
                               hint="only " + " or ".join(sorted(allowed)) + " may")
