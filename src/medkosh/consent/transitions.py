"""The allowed consent status changes, and who may make each.

ABDM's consent lifecycle: a request is REQUESTED, then GRANTED or DENIED by the patient; a granted
consent ends by REVOKED (the patient withdraws it) or EXPIRED (its dataEraseAt passes, or the
consent manager says so). DENIED, REVOKED and EXPIRED are final: a new consent is a new artefact
with a new consentId, never a resurrection of the old one (DPDP Act 2023 s.6(4): withdrawal must
be as easy as giving consent, and it sticks).
"""

from __future__ import annotations

from medkosh.consent.types import ChangeSource, ConsentStatus
from medkosh.errors import ConflictError

S = ConsentStatus
C = ChangeSource

# (from, to) -> the sources that may make that change.
ALLOWED: dict[tuple[ConsentStatus, ConsentStatus], frozenset[ChangeSource]] = {
    (S.REQUESTED, S.GRANTED): frozenset({C.NOTIFICATION, C.IMPORT}),
    (S.REQUESTED, S.DENIED): frozenset({C.NOTIFICATION, C.IMPORT}),
    (S.REQUESTED, S.EXPIRED): frozenset({C.NOTIFICATION, C.IMPORT, C.CLI, C.ENFORCEMENT}),
    # Revocation is the patient's act, relayed by the consent manager or recorded by an operator
    # who received it out of band (e.g. a written withdrawal at the hospital).
    (S.GRANTED, S.REVOKED): frozenset({C.NOTIFICATION, C.IMPORT, C.CLI}),
    (S.GRANTED, S.EXPIRED): frozenset({C.NOTIFICATION, C.IMPORT, C.CLI, C.ENFORCEMENT}),
}

FINAL = frozenset({S.DENIED, S.REVOKED, S.EXPIRED})

# Lifecycle stage of each status: an artefact copy at an earlier stage than the stored one is stale.
STAGE: dict[ConsentStatus, int] = {S.REQUESTED: 0, S.GRANTED: 1, S.DENIED: 2, S.REVOKED: 2, S.EXPIRED: 2}


def can_change(current: ConsentStatus, target: ConsentStatus, source: ChangeSource) -> bool:
    return source in ALLOWED.get((current, target), frozenset())


def check_can_change(consent_id: str, current: ConsentStatus, target: ConsentStatus,
                     source: ChangeSource) -> None:
    if can_change(current, target, source):
        return
    if current in FINAL:
        hint = f"{current} is final; a new consent needs a new artefact"
    elif (current, target) in ALLOWED:
        hint = f"only {', '.join(sorted(ALLOWED[(current, target)]))} may make this change"
    else:
        hint = "see docs/reference/consent-policy.md for the allowed changes"
    raise ConflictError(f"consent {consent_id} cannot go from {current} to {target}", hint=hint)
