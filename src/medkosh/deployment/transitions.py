"""The model lifecycle: every allowed state change and who may make it. Anything not listed is refused.

registered → validated needs a passing validation report (checked by the service, the actor is whoever ran
it: a steward or admin, since benchmarks are sealed); validated → approved needs a clinician's signature;
approved → deployed needs both (the service re-checks); suspension is automatic (system) or by a steward,
admin or clinician; retirement by the model's owner, a steward or an admin.
"""

from __future__ import annotations

from medkosh.identity.types import Role
from medkosh.models.types import State

SYSTEM = "system"

TRANSITIONS: dict[tuple[State, State], frozenset[str]] = {
    (State.REGISTERED, State.VALIDATED): frozenset({Role.STEWARD, Role.ADMIN}),
    (State.VALIDATED, State.VALIDATED): frozenset({Role.STEWARD, Role.ADMIN}),  # a newer report
    (State.VALIDATED, State.APPROVED): frozenset({Role.CLINICIAN}),
    (State.APPROVED, State.DEPLOYED): frozenset({Role.STEWARD, Role.ADMIN}),
    (State.DEPLOYED, State.DEPLOYED): frozenset({Role.STEWARD, Role.ADMIN}),  # change of mode
    (State.DEPLOYED, State.SUSPENDED): frozenset({Role.STEWARD, Role.ADMIN, Role.CLINICIAN, SYSTEM}),
    (State.SUSPENDED, State.DEPLOYED): frozenset({Role.STEWARD, Role.ADMIN}),
    **{(s, State.RETIRED): frozenset({Role.STEWARD, Role.ADMIN, "owner"})
       for s in (State.REGISTERED, State.VALIDATED, State.APPROVED, State.DEPLOYED, State.SUSPENDED)},
}


def allowed(src: State, dst: State) -> frozenset[str]:
    return TRANSITIONS.get((src, dst), frozenset())
