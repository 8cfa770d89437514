"""Allowed changes of a version's status, and who may make them."""

from __future__ import annotations

from medkosh.catalog.types import VersionStatus
from medkosh.errors import ConflictError

S = VersionStatus

# (from, to) -> the roles that may make the change. 'system' covers the build and consent enforcement.
TRANSITIONS: dict[tuple[VersionStatus, VersionStatus], frozenset[str]] = {
    (S.PUBLISHED, S.SUPERSEDED): frozenset({"system", "steward"}),
    (S.PUBLISHED, S.SUPERSEDED_CONSENT_WITHDRAWN): frozenset({"system"}),
    (S.SUPERSEDED, S.SUPERSEDED_CONSENT_WITHDRAWN): frozenset({"system"}),
}


def check_transition(current: VersionStatus, target: VersionStatus, role: str = "system") -> None:
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        raise ConflictError(f"a version cannot go from {current.label} to {target.label}")
    if role not in allowed:
        raise ConflictError(f"role {role!r} may not mark a version {target.label}",
                            hint=f"this change is made by: {', '.join(sorted(allowed))}")
