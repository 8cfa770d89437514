"""Authorisation: the ONE place where medkosh decides who may do what.

Every API route and every portal page is checked here, centrally (medkosh.api.deps.enforce runs
before every route's handler): the matched route's (method, path template) is looked up in ROUTES to
find its action, and the action's Rule in ACTIONS decides. A route missing from ROUTES is refused
(fail-closed) and tests/api/test_authz_matrix.py fails, because it enumerates app.routes.

Adding your routes (catalog, consent, compute, models, surveillance …) — either edit the literals below
or, from your own module, call:

    from medkosh.access.policies import register, public, signed_in, roles
    from medkosh.identity.types import Role
    register("GET",  "/api/datasets",               "catalog.dataset.list",   public())
    register("POST", "/api/jobs",                   "compute.job.submit",     roles(Role.RESEARCHER))
    register("GET",  "/api/jobs/{job_id}",          "compute.job.read",       signed_in())

An action is '<domain>.<thing>.<verb>'; the domain is what an API token's scopes name ('compute',
'compute:read'). Route-level rules look only at the principal (signed in? which roles? token scopes?).
Object-level rules (is this my request? am I on this dataset's committee?) are pure functions here too,
called by services and handlers through check()/can() with the object's facts, or the named helpers
(check_can_download, check_can_use_in_tre, …).

Anonymous callers get 401; signed-in callers without the role get 403; objects a caller may not see
answer 404 so their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from medkosh.access.types import DataAccessFacts, RequestState, RequestView
from medkosh.errors import AuthenticationError, NotFoundError, PermissionDenied, PolicyViolation
from medkosh.identity.types import SCOPE_ALL, Principal, Role, VerificationStatus

# ---- rules --------------------------------------------------------------------------------------

ObjectCheck = Callable[[Principal, Any], bool]


@dataclass(frozen=True)
class Rule:
    public: bool = False
    roles: frozenset[Role] | None = None  # None: any signed-in user
    check: ObjectCheck | None = None  # object-level rule, used when a resource is given
    hidden: bool = True  # an object-level refusal answers 404 (True) or 403 (False)


def public() -> Rule:
    """Anyone, signed in or not (home, catalog browsing, health check, sign-in)."""
    return Rule(public=True)


def signed_in(check: ObjectCheck | None = None, *, hidden: bool = True) -> Rule:
    return Rule(check=check, hidden=hidden)


def roles(*allowed: Role, check: ObjectCheck | None = None, hidden: bool = True) -> Rule:
    return Rule(roles=frozenset(allowed), check=check, hidden=hidden)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    status: int = 200  # 401 / 403 / 404 when refused
    reason: str = ""


ALLOW = Decision(True)

# ---- object-level checks (pure) -----------------------------------------------------------------

def _is_self_or_admin(p: Principal, user: Any) -> bool:
    """user: a medkosh.identity.User (or anything with id and institution_id)."""
    if p.id == user.id or p.has_role(Role.ADMIN):
        return True
    # Stewards manage the people of their own institution (verification, trainings), nobody else's.
    return p.has_role(Role.STEWARD) and p.institution_id == user.institution_id


def _owns_token(p: Principal, owner_id: str) -> bool:
    return p.id == owner_id or p.has_role(Role.ADMIN)


def _steward_of(p: Principal, req: RequestView) -> bool:
    # Stewards oversee the requests filed from their own institution; admins every request.
    return p.has_role(Role.ADMIN) or (p.has_role(Role.STEWARD) and p.institution_id == req.institution_id)


def can_view_request(p: Principal, req: RequestView) -> bool:
    if p.id in req.team or _steward_of(p, req):
        return True
    # Committee members see requests naming their datasets once submitted (never drafts).
    return req.state != RequestState.DRAFT and p.has_role(Role.COMMITTEE) and bool(req.reviewer_datasets(p.id))


def can_edit_request(p: Principal, req: RequestView) -> bool:
    return p.id == req.applicant_id


def can_review_request(p: Principal, req: RequestView) -> bool:
    """A committee member of a named dataset who is not on the request's team (no self-review)."""
    return (p.has_role(Role.COMMITTEE) and p.id not in req.team and bool(req.reviewer_datasets(p.id))
            and req.state in (RequestState.SUBMITTED, RequestState.IN_REVIEW))


def can_comment_request(p: Principal, req: RequestView) -> bool:
    # Anyone who may see the request may discuss it (the applicant's team, its committee, stewards).
    return can_view_request(p, req)


def _steward_of_dataset(p: Principal, dataset: Any) -> bool:
    """dataset: the catalog's dataset summary (its 'institution' is the institution's name). Stewards set
    access policy and DUAs for their own institution's datasets; admins for all."""
    institution = dataset.get("institution") if isinstance(dataset, dict) else getattr(dataset, "institution", None)
    return p.has_role(Role.ADMIN) or (p.has_role(Role.STEWARD) and institution == p.user.institution_name)


steward_of_dataset = _steward_of_dataset  # for other domains' dataset-level rules (surveillance settings)


def can_rescan_dataset(p: Principal, dataset: Any) -> bool:
    """Re-scanning reads every file of a version: auditors and admins, or the dataset's own stewards
    (another institution's steward may not read what its controlled files contain)."""
    return p.has_role(Role.AUDITOR) or _steward_of_dataset(p, dataset)


def _owns_grant(p: Principal, grant: Any) -> bool:
    return p.id == grant.user_id or p.has_role(Role.ADMIN)


# ---- the action table ---------------------------------------------------------------------------

ACTIONS: dict[str, Rule] = {
    # system and public portal
    "system.health": public(),
    "system.docs": public(),
    "system.static": public(),
    "web.home": public(),
    # sign-in, sessions, tokens
    "auth.login.page": public(),
    "auth.login.submit": public(),
    "auth.logout": signed_in(),
    "auth.oidc.start": public(),
    "auth.oidc.callback": public(),
    "auth.token.exchange": public(),  # password → API token; the credentials are the check
    "identity.me.read": signed_in(),
    "identity.token.list": signed_in(),
    "identity.token.create": signed_in(),
    "identity.token.revoke": signed_in(_owns_token),
    # people and institutions
    "identity.user.list": roles(Role.ADMIN, Role.STEWARD),
    "identity.user.create": roles(Role.ADMIN),
    "identity.user.read": signed_in(_is_self_or_admin),
    "identity.user.roles": roles(Role.ADMIN),
    "identity.user.status": roles(Role.ADMIN),
    "identity.user.verify": roles(Role.ADMIN, Role.STEWARD, check=_is_self_or_admin),
    "identity.training.record": roles(Role.ADMIN, Role.STEWARD, check=_is_self_or_admin),
    "identity.institution.list": signed_in(),
    "identity.institution.create": roles(Role.ADMIN),
    "admin.portal.read": roles(Role.ADMIN, Role.STEWARD),
    # access requests and review
    "access.request.list": signed_in(),
    "access.request.create": roles(Role.RESEARCHER),
    "access.request.read": signed_in(can_view_request),
    "access.request.edit": roles(Role.RESEARCHER, check=can_edit_request),
    "access.request.submit": roles(Role.RESEARCHER, check=can_edit_request),
    "access.request.withdraw": roles(Role.RESEARCHER, check=can_edit_request),
    "access.request.revoke": roles(Role.STEWARD, Role.ADMIN, check=_steward_of),
    "access.request.comment": signed_in(can_comment_request),
    "access.review.queue": roles(Role.COMMITTEE),
    "access.review.create": roles(Role.COMMITTEE, check=can_review_request, hidden=False),
    # data use agreements, dataset access policy, grants
    "access.dua.read": public(),
    "access.dua.publish": roles(Role.STEWARD, Role.ADMIN, check=_steward_of_dataset, hidden=False),
    "access.dua.sign": roles(Role.RESEARCHER, Role.CLINICIAN),
    "access.signature.list": signed_in(),
    "access.policy.read": public(),
    "access.policy.update": roles(Role.STEWARD, Role.ADMIN, check=_steward_of_dataset, hidden=False),
    "access.grant.list": signed_in(),
    "access.grant.read": signed_in(_owns_grant),
    # downloads: the route is open, the tier rules (check_can_download) decide per version
    "access.download.url": public(),
    "access.download.fetch": public(),  # the short-lived signed token is the authorisation
    # audit log
    "audit.log.read": roles(Role.AUDITOR, Role.ADMIN),
    "audit.log.verify": roles(Role.AUDITOR, Role.ADMIN),
}

# (HTTP method, route path template) → action
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "system.health",
    ("GET", "/docs"): "system.docs",
    ("GET", "/docs/oauth2-redirect"): "system.docs",
    ("GET", "/openapi.json"): "system.docs",
    ("GET", "/static"): "system.static",
    ("GET", "/"): "web.home",
    # identity API
    ("POST", "/api/auth/token"): "auth.token.exchange",
    ("GET", "/api/me"): "identity.me.read",
    ("GET", "/api/tokens"): "identity.token.list",
    ("POST", "/api/tokens"): "identity.token.create",
    ("DELETE", "/api/tokens/{token_id}"): "identity.token.revoke",
    ("GET", "/api/users"): "identity.user.list",
    ("POST", "/api/users"): "identity.user.create",
    ("GET", "/api/users/{user_id}"): "identity.user.read",
    ("PUT", "/api/users/{user_id}/roles"): "identity.user.roles",
    ("PUT", "/api/users/{user_id}/status"): "identity.user.status",
    ("PUT", "/api/users/{user_id}/verification"): "identity.user.verify",
    ("POST", "/api/users/{user_id}/trainings"): "identity.training.record",
    ("GET", "/api/institutions"): "identity.institution.list",
    ("POST", "/api/institutions"): "identity.institution.create",
    # access API
    ("GET", "/api/access/requests"): "access.request.list",
    ("POST", "/api/access/requests"): "access.request.create",
    ("GET", "/api/access/requests/{request_id}"): "access.request.read",
    ("POST", "/api/access/requests/{request_id}/document"): "access.request.edit",
    ("POST", "/api/access/requests/{request_id}/submit"): "access.request.submit",
    ("POST", "/api/access/requests/{request_id}/withdraw"): "access.request.withdraw",
    ("POST", "/api/access/requests/{request_id}/revoke"): "access.request.revoke",
    ("POST", "/api/access/requests/{request_id}/comments"): "access.request.comment",
    ("POST", "/api/access/requests/{request_id}/reviews"): "access.review.create",
    ("GET", "/api/access/review-queue"): "access.review.queue",
    ("GET", "/api/access/datasets/{dataset_id}/dua"): "access.dua.read",
    ("POST", "/api/access/datasets/{dataset_id}/dua"): "access.dua.publish",
    ("POST", "/api/access/datasets/{dataset_id}/dua/sign"): "access.dua.sign",
    ("GET", "/api/access/datasets/{dataset_id}/policy"): "access.policy.read",
    ("PUT", "/api/access/datasets/{dataset_id}/policy"): "access.policy.update",
    ("GET", "/api/access/signatures"): "access.signature.list",
    ("GET", "/api/access/grants"): "access.grant.list",
    ("POST", "/api/access/versions/{version_id}/download-url"): "access.download.url",
    ("GET", "/api/access/download/{token}"): "access.download.fetch",
    # audit API
    ("GET", "/api/audit/events"): "audit.log.read",
    ("GET", "/api/audit/verify"): "audit.log.verify",
    # portal pages
    ("GET", "/login"): "auth.login.page",
    ("POST", "/login"): "auth.login.submit",
    ("POST", "/logout"): "auth.logout",
    ("GET", "/login/oidc/{institution_id}"): "auth.oidc.start",
    ("GET", "/login/oidc-callback"): "auth.oidc.callback",
    ("GET", "/me"): "identity.me.read",
    ("POST", "/me/tokens"): "identity.token.create",
    ("POST", "/me/tokens/{token_id}/revoke"): "identity.token.revoke",
    ("GET", "/access/requests"): "access.request.list",
    ("GET", "/access/requests/new"): "access.request.create",
    ("POST", "/access/requests/new"): "access.request.create",
    ("GET", "/access/requests/{request_id}"): "access.request.read",
    ("GET", "/access/requests/{request_id}/document"): "access.request.read",
    ("POST", "/access/requests/{request_id}/submit"): "access.request.submit",
    ("POST", "/access/requests/{request_id}/withdraw"): "access.request.withdraw",
    ("POST", "/access/requests/{request_id}/comments"): "access.request.comment",
    ("GET", "/access/datasets/{dataset_id}"): "access.dua.read",
    ("POST", "/access/datasets/{dataset_id}/dua"): "access.dua.sign",
    ("GET", "/access/versions/{version_id}/download"): "access.download.url",
    ("GET", "/review"): "access.review.queue",
    ("GET", "/review/{request_id}"): "access.request.read",
    ("POST", "/review/{request_id}"): "access.review.create",
    ("GET", "/admin"): "admin.portal.read",
    ("POST", "/admin/institutions"): "identity.institution.create",
    ("POST", "/admin/users"): "identity.user.create",
    ("POST", "/admin/users/{user_id}/trainings"): "identity.training.record",
    ("POST", "/admin/users/{user_id}/verification"): "identity.user.verify",
    ("POST", "/admin/datasets/{dataset_id}/access"): "access.policy.update",
    ("GET", "/audit"): "audit.log.read",
}


def register(method: str, path: str, action: str, rule: Rule | None = None) -> None:
    """Map a route to an action (and define the action's rule if it is new). Idempotent; a conflicting
    re-registration is a programming error and fails loudly at import time."""
    key = (method.upper(), path)
    if ROUTES.get(key, action) != action:
        raise ValueError(f"route {key} is already mapped to {ROUTES[key]!r}, not {action!r}")
    if rule is not None:
        if ACTIONS.get(action, rule) != rule:
            raise ValueError(f"action {action!r} already has a different rule")
        ACTIONS[action] = rule
    elif action not in ACTIONS:
        raise ValueError(f"action {action!r} has no rule; pass one")
    ROUTES[key] = action


def action_for(method: str, path: str) -> str | None:
    return ROUTES.get((method.upper(), path))


# ---- deciding -----------------------------------------------------------------------------------

def scope_allows(scopes: frozenset[str], action: str, read_only: bool) -> bool:
    domain = action.split(".", 1)[0]
    return SCOPE_ALL in scopes or domain in scopes or (read_only and f"{domain}:read" in scopes)


def decide(principal: Principal | None, action: str, resource: Any = None, *, read_only: bool = False) -> Decision:
    """Pure: may this principal perform this action (on this resource, when given)?"""
    rule = ACTIONS.get(action)
    if rule is None:
        return Decision(False, 403, f"action {action!r} is not in the access policy")
    if rule.public and resource is None:
        return ALLOW
    if principal is None:
        return Decision(False, 401, "sign in first")
    if not principal.user.is_active:
        return Decision(False, 401, "this account is suspended")
    if principal.via == "token" and not scope_allows(principal.scopes, action, read_only):
        return Decision(False, 403, f"this API token's scopes do not cover {action}")
    if rule.roles is not None and not principal.has_role(*rule.roles):
        need = " or ".join(sorted(r.value.replace("_", " ") for r in rule.roles))
        return Decision(False, 403, f"only a {need} may do this")
    if resource is not None and rule.check is not None and not rule.check(principal, resource):
        return Decision(False, 404 if rule.hidden else 403, "not found" if rule.hidden else "not allowed on this object")
    return ALLOW


def can(principal: Principal | None, action: str, resource: Any = None) -> bool:
    return decide(principal, action, resource).allowed


def check(principal: Principal | None, action: str, resource: Any = None, *, what: str = "object",
          read_only: bool = False) -> None:
    """Raise the matching error (401 / 403 / 404) unless decide() allows."""
    d = decide(principal, action, resource, read_only=read_only)
    if d.allowed:
        return
    if d.status == 401:
        raise AuthenticationError(f"{d.reason} to do this", hint="sign in at /login or send 'Authorization: Bearer <token>'")
    if d.status == 404:
        raise NotFoundError(f"no such {what}", hint="check the id, or that it was shared with you")
    raise PermissionDenied(f"not allowed: {d.reason}", hint="ask an administrator if you need this role")


def check_route(principal: Principal | None, method: str, path: str) -> str:
    """Central enforcement for one matched route; returns its action. Unknown routes are refused."""
    action = action_for(method, path)
    if action is None:
        raise PermissionDenied(f"route {method} {path} is not in the access policy",
                               hint="register it in medkosh.access.policies (routes are refused until they are)")
    check(principal, action, read_only=method.upper() in ("GET", "HEAD"))
    return action


# ---- isolation between institutions ------------------------------------------------------------

def usage_scope(p: Principal) -> str | None:
    """Whose compute usage a caller may see: an admin every institution's (None), anyone else their own."""
    return None if p.has_role(Role.ADMIN) else p.institution_id


def same_institution(p: Principal, institution_id: str | None) -> bool:
    """Objects that belong to an institution (a clinician's prediction, a model's deployment there) are
    seen and acted on by that institution's people and by admins; to anyone else they do not exist."""
    return p.has_role(Role.ADMIN) or (institution_id is not None and p.institution_id == institution_id)


def check_same_institution(p: Principal, institution_id: str | None, what: str) -> None:
    if not same_institution(p, institution_id):
        raise NotFoundError(f"no such {what}", hint="check the id, or that it belongs to your institution")


# ---- data use: tier rules -----------------------------------------------------------------------

WITHDRAWN = "superseded_consent_withdrawn"


def _check_use(principal: Principal | None, facts: DataAccessFacts, *, in_tre: bool) -> None:
    if facts.version_status == WITHDRAWN:
        raise PolicyViolation("this version was withdrawn after a patient withdrew consent; it can no longer be used",
                              hint="use the version that replaced it")
    if facts.tier == "open":
        return
    if principal is None:
        raise AuthenticationError(f"a {facts.tier}-tier dataset needs you to sign in", hint="sign in at /login")
    if facts.tier == "controlled" and not in_tre:
        raise PermissionDenied("controlled-tier data is never downloaded; it is used only inside the trusted "
                               "research environment", hint="submit a job with 'medkosh job submit'")
    if facts.tier not in ("registered", "controlled"):
        raise PolicyViolation(f"unknown tier {facts.tier!r}; refusing")
    if facts.missing_trainings:
        raise PolicyViolation("required training missing or expired: " + ", ".join(sorted(facts.missing_trainings)),
                              hint="renew the training and ask your steward to record it")
    if facts.tier == "registered":
        if not facts.has_dua:
            raise PolicyViolation("this dataset has no data use agreement yet", hint="ask its data steward")
        if not facts.signed_current_dua:
            raise PolicyViolation("sign the dataset's current data use agreement first",
                                  hint=f"open /access/datasets/{facts.dataset_id}/dua")
        return
    # controlled, inside the TRE: a committee-approved, active grant (DUA signed, not expired)
    if facts.active_grant_id is None:
        raise PermissionDenied("no active grant for this dataset version",
                               hint="file an access request; after approval, sign the DUA")
    if not facts.verified:
        raise PermissionDenied("your identity is not verified", hint="ask your institution's data steward")


def check_can_download(principal: Principal | None, facts: DataAccessFacts) -> None:
    """open: anyone; registered: signed-in, trainings valid, current DUA signed; controlled: never."""
    _check_use(principal, facts, in_tre=False)


def can_download(principal: Principal | None, facts: DataAccessFacts) -> bool:
    try:
        check_can_download(principal, facts)
    except (AuthenticationError, PermissionDenied, PolicyViolation):
        return False
    return True


def check_can_use_in_tre(principal: Principal | None, facts: DataAccessFacts) -> None:
    """Inside the TRE: open and registered as for downloads; controlled needs an active grant."""
    _check_use(principal, facts, in_tre=True)


def can_use_in_tre(principal: Principal | None, facts: DataAccessFacts) -> bool:
    try:
        check_can_use_in_tre(principal, facts)
    except (AuthenticationError, PermissionDenied, PolicyViolation):
        return False
    return True


def check_can_file_request(principal: Principal) -> None:
    """Safe people: only a verified researcher files an access request."""
    check(principal, "access.request.create")
    if principal.user.verification != VerificationStatus.VERIFIED:
        raise PermissionDenied("your identity is not verified yet",
                               hint="ask your institution's data steward to verify your account")
