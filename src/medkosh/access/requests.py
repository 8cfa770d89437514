"""Access requests (safe projects): filing, the ethics document, submission, committee review with an
n-of-m quorum per dataset, comments, withdrawal, revocation and expiry. Approval creates the grants.

State changes follow medkosh.access.transitions; who may act on which request is decided by
medkosh.access.policies. Every change is audited in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.access import policies, service, transitions
from medkosh.access.types import (
    MAX_DURATION_DAYS,
    PURPOSES,
    AccessEvent,
    Decision,
    GrantStatus,
    RequestState,
    RequestView,
)
from medkosh.audit import Actor, record
from medkosh.errors import ConflictError, InputError, NotFoundError, PayloadTooLarge, PolicyViolation
from medkosh.identity.types import Principal, Role
from medkosh.store.base import new_id, utcnow
from medkosh.store.tables.access import (
    AccessRequestRow,
    CommentRow,
    RequestDatasetRow,
    RequestMemberRow,
    ReviewRow,
)
from medkosh.store.tables.identity import UserRow

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_TYPES = {b"%PDF": "application/pdf"}


def _clean(text: str, field: str, limit: int, *, required: bool = True) -> str:
    value = " ".join(text.split()) if field != "lay_summary" else text.strip()
    if required and not value:
        raise InputError(f"{field.replace('_', ' ')} is required", where=field)
    if len(value) > limit:
        raise InputError(f"{field.replace('_', ' ')} is too long ({len(value)} > {limit} characters)", where=field)
    return value


# ---- reading ------------------------------------------------------------------------------------

def _row(session: Session, request_id: str) -> AccessRequestRow:
    row = session.get(AccessRequestRow, request_id)
    if row is None:
        raise NotFoundError("no such access request", hint="check the id")
    return row


def view(session: Session, request_id: str) -> RequestView:
    row = _row(session, request_id)
    members = frozenset(session.execute(select(RequestMemberRow.user_id)
                                        .where(RequestMemberRow.request_id == row.id)).scalars())
    datasets = frozenset(session.execute(select(RequestDatasetRow.dataset_id)
                                         .where(RequestDatasetRow.request_id == row.id)).scalars())
    return RequestView(id=row.id, applicant_id=row.applicant_id, institution_id=row.institution_id,
                       state=RequestState(row.state), member_ids=members, dataset_ids=datasets,
                       committees=service.committees_for(session, datasets))


def load_for(session: Session, principal: Principal | None, request_id: str, action: str) -> RequestView:
    """The request, if this principal may perform `action` on it (404 when they may not see it)."""
    try:
        req = view(session, request_id)
    except NotFoundError:
        raise NotFoundError("no such access request", hint="check the id, or that it was shared with you") from None
    if action != "access.request.read" and not policies.can(principal, "access.request.read", req):
        policies.check(principal, "access.request.read", req, what="access request")
    policies.check(principal, action, req, what="access request")
    return req


def _people(session: Session, ids: Iterable[str]) -> dict[str, dict[str, str]]:
    ids = sorted(set(ids))
    rows: Iterable[UserRow] = session.execute(select(UserRow).where(UserRow.id.in_(ids))).scalars() if ids else []
    return {r.id: {"id": r.id, "name": r.name, "email": r.email, "institution_id": r.institution_id} for r in rows}


def describe(session: Session, request_id: str) -> dict[str, Any]:
    row = _row(session, request_id)
    req = view(session, request_id)
    datasets = session.execute(select(RequestDatasetRow).where(RequestDatasetRow.request_id == row.id)
                               .order_by(RequestDatasetRow.dataset_id)).scalars().all()
    reviews = session.execute(select(ReviewRow).where(ReviewRow.request_id == row.id)
                              .order_by(ReviewRow.created_at)).scalars().all()
    comments = session.execute(select(CommentRow).where(CommentRow.request_id == row.id)
                               .order_by(CommentRow.created_at)).scalars().all()
    people = _people(session, [row.applicant_id, *req.member_ids, *(r.reviewer_id for r in reviews),
                               *(c.author_id for c in comments)])
    grants = [g.as_dict() for g in service.grants_of(session) if g.request_id == row.id]
    return {
        "id": row.id, "state": row.state, "title": row.title, "lay_summary": row.lay_summary,
        "purpose": row.purpose, "purpose_text": PURPOSES.get(row.purpose, row.purpose),
        "duration_days": row.duration_days, "ethics_committee": row.ethics_committee,
        "ethics_approval_number": row.ethics_approval_number,
        "ethics_document": ({"name": row.ethics_document_name, "sha256": row.ethics_document_sha256}
                            if row.ethics_document_sha256 else None),
        "applicant": people.get(row.applicant_id), "institution_id": row.institution_id,
        "team": [people[m] for m in sorted(req.member_ids) if m in people],
        "datasets": [{"dataset_id": d.dataset_id, "version_id": d.dataset_version_id,
                      "policy": service.dataset_policy(session, d.dataset_id)} for d in datasets],
        "reviews": [{"id": r.id, "reviewer": people.get(r.reviewer_id), "decision": r.decision, "comment": r.comment,
                     "conditions": orjson.loads(r.conditions), "created_at": r.created_at.isoformat()} for r in reviews],
        "comments": [{"id": c.id, "author": people.get(c.author_id), "body": c.body,
                      "created_at": c.created_at.isoformat()} for c in comments],
        "conditions": orjson.loads(row.conditions), "grants": grants,
        "created_at": row.created_at.isoformat(), "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
    }


def summary(row: AccessRequestRow) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "state": row.state, "purpose": row.purpose,
            "applicant_id": row.applicant_id, "created_at": row.created_at.isoformat(),
            "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
            "expires_at": row.expires_at.isoformat() if row.expires_at else None}


def list_for(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Requests this principal filed or is on the team of (stewards: their institution's; admins: all)."""
    stmt = select(AccessRequestRow).order_by(AccessRequestRow.created_at.desc())
    if not principal.has_role(Role.ADMIN):
        member_of = select(RequestMemberRow.request_id).where(RequestMemberRow.user_id == principal.id)
        mine = (AccessRequestRow.applicant_id == principal.id) | AccessRequestRow.id.in_(member_of)
        if principal.has_role(Role.STEWARD):
            mine = mine | (AccessRequestRow.institution_id == principal.institution_id)
        stmt = stmt.where(mine)
    return [summary(r) for r in session.execute(stmt).scalars()]


def review_queue(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Submitted or in-review requests naming a dataset on whose committee the principal sits, that
    they may review (not their own team's) and have not reviewed yet."""
    dataset_ids = service.reviewable_dataset_ids(session, principal.id)
    if not dataset_ids:
        return []
    ids = select(RequestDatasetRow.request_id).where(RequestDatasetRow.dataset_id.in_(dataset_ids))
    reviewed = select(ReviewRow.request_id).where(ReviewRow.reviewer_id == principal.id)
    rows = session.execute(select(AccessRequestRow).where(
        AccessRequestRow.id.in_(ids), AccessRequestRow.id.not_in(reviewed),
        AccessRequestRow.state.in_([RequestState.SUBMITTED.value, RequestState.IN_REVIEW.value]))
        .order_by(AccessRequestRow.submitted_at)).scalars().all()
    return [summary(r) for r in rows if policies.can_review_request(principal, view(session, r.id))]


# ---- filing -------------------------------------------------------------------------------------

def create(session: Session, principal: Principal, *, title: str, lay_summary: str, purpose: str,
           versions: Iterable[str], duration_days: int, ethics_committee: str, ethics_approval_number: str,
           team: Iterable[str] = ()) -> str:
    """File a draft request for dataset versions ('dataset@N' or version ids); returns its id."""
    from medkosh.catalog.policies import check_can_grant
    from medkosh.catalog.service import get_version

    policies.check_can_file_request(principal)
    purpose = purpose.strip().upper()
    if purpose not in PURPOSES:
        raise InputError(f"unknown purpose {purpose!r}", where="purpose", hint="use one of " + ", ".join(PURPOSES))
    if not 1 <= int(duration_days) <= MAX_DURATION_DAYS:
        raise InputError(f"duration must be 1–{MAX_DURATION_DAYS} days", where="duration_days")
    refs = [v.strip() for v in versions if v.strip()]
    if not refs:
        raise InputError("name at least one dataset version", where="datasets", hint="e.g. ehr-diabetes@1")
    resolved = {}
    for ref in refs:
        version = get_version(session, ref)
        check_can_grant(version)  # no requests for versions withdrawn for consent
        resolved[version.id] = version
    member_ids: set[str] = set()
    for who in team:
        who = who.strip().lower()
        if not who:
            continue
        user = session.execute(select(UserRow).where((UserRow.email == who) | (UserRow.id == who))).scalar_one_or_none()
        if user is None:
            raise InputError(f"no medkosh user {who!r} for the team", where="team",
                             hint="team members need an account; ask your steward")
        if user.id != principal.id:
            member_ids.add(user.id)
    now = utcnow()
    row = AccessRequestRow(
        id=new_id("req"), applicant_id=principal.id, institution_id=principal.institution_id,
        title=_clean(title, "title", 300), lay_summary=_clean(lay_summary, "lay_summary", 5000), purpose=purpose,
        duration_days=int(duration_days), ethics_committee=_clean(ethics_committee, "ethics_committee", 300),
        ethics_approval_number=_clean(ethics_approval_number, "ethics_approval_number", 120),
        state=RequestState.DRAFT.value, conditions="[]", created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    for version in resolved.values():
        session.add(RequestDatasetRow(request_id=row.id, dataset_version_id=version.id, dataset_id=version.dataset_id))
    for uid in sorted(member_ids):
        session.add(RequestMemberRow(request_id=row.id, user_id=uid))
    session.flush()
    record(session, AccessEvent.REQUEST_CREATED, actor=principal.audit_actor(), subject_type="access_request",
           subject_id=row.id, details={"purpose": purpose, "versions": sorted(resolved), "team": sorted(member_ids),
                                       "duration_days": row.duration_days})
    return row.id


def attach_document(session: Session, principal: Principal, request_id: str, filename: str, data: bytes) -> str:
    """Store the ethics approval document (PDF) in the object store; returns its sha256."""
    from medkosh.store.objects import ObjectStore

    load_for(session, principal, request_id, "access.request.edit")
    row = _row(session, request_id)
    if row.state != RequestState.DRAFT.value:
        raise ConflictError("documents can be attached only while the request is a draft")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(f"document is {len(data)} bytes; the limit is {MAX_DOCUMENT_BYTES}")
    if not any(data.startswith(magic) for magic in DOCUMENT_TYPES):
        raise InputError("the ethics approval document must be a PDF", where="document")
    sha = ObjectStore().put_bytes(data)
    row.ethics_document_sha256 = sha
    row.ethics_document_name = (filename.replace("/", "_").replace("\\", "_").strip() or "approval.pdf")[:255]
    row.updated_at = utcnow()
    session.flush()
    record(session, AccessEvent.REQUEST_DOCUMENT, actor=principal.audit_actor(), subject_type="access_request",
           subject_id=request_id, details={"sha256": sha, "bytes": len(data)})
    return sha


def _move(session: Session, row: AccessRequestRow, target: RequestState, party: str, actor: Any,
          **details: Any) -> None:
    current = RequestState(row.state)
    transitions.check_transition(current, target, party)
    row.state = target.value
    row.updated_at = utcnow()
    session.flush()
    record(session, AccessEvent.REQUEST_TRANSITION, actor=actor, subject_type="access_request", subject_id=row.id,
           details={"from": current.value, "to": target.value, "by": party, **details})


def submit(session: Session, principal: Principal, request_id: str) -> None:
    req = load_for(session, principal, request_id, "access.request.submit")
    row = _row(session, request_id)
    if row.ethics_document_sha256 is None:
        raise PolicyViolation("attach the ethics approval document before submitting", where="document")
    for dataset_id, members in req.committees.items():
        quorum = service.dataset_policy(session, dataset_id)["quorum"]
        eligible = members - req.team
        if len(eligible) < quorum:
            raise PolicyViolation(f"dataset {dataset_id} has {len(eligible)} eligible committee members; its quorum is "
                                  f"{quorum}", hint="ask the data steward to seat its committee")
    _move(session, row, RequestState.SUBMITTED, "applicant", principal.audit_actor())
    row.submitted_at = utcnow()


def withdraw(session: Session, principal: Principal, request_id: str) -> None:
    load_for(session, principal, request_id, "access.request.withdraw")
    _move(session, _row(session, request_id), RequestState.WITHDRAWN, "applicant", principal.audit_actor())


def revoke(session: Session, principal: Principal, request_id: str, reason: str) -> int:
    """Revoke an approved request and every grant it made; returns the number of grants ended."""
    load_for(session, principal, request_id, "access.request.revoke")
    row = _row(session, request_id)
    party = "admin" if principal.has_role(Role.ADMIN) else "steward"
    reason = _clean(reason, "reason", 300)
    _move(session, row, RequestState.REVOKED, party, principal.audit_actor(), reason=reason)
    return service.end_grants_of_request(session, row.id, GrantStatus.REVOKED, reason, principal.audit_actor())


def comment(session: Session, principal: Principal, request_id: str, body: str) -> str:
    load_for(session, principal, request_id, "access.request.comment")
    text = _clean(body, "comment", 5000)
    row = CommentRow(id=new_id("cmt"), request_id=request_id, author_id=principal.id, body=text, created_at=utcnow())
    session.add(row)
    session.flush()
    record(session, AccessEvent.COMMENT_ADDED, actor=principal.audit_actor(), subject_type="access_request",
           subject_id=request_id, details={"comment": row.id, "chars": len(text)})
    return row.id


# ---- review and quorum --------------------------------------------------------------------------

def review(session: Session, principal: Principal, request_id: str, decision: str, comment_text: str = "",
           conditions: Iterable[str] = ()) -> str:
    """Record one committee member's decision; moves the request on when quorum is reached or lost.
    Returns the request's state afterwards."""
    req = load_for(session, principal, request_id, "access.request.read")
    policies.check(principal, "access.review.create", req, what="access request")
    try:
        choice = Decision(decision.strip().lower())
    except ValueError as exc:
        raise InputError(f"unknown decision {decision!r}", where="decision", hint="approve or reject") from exc
    row = _row(session, request_id)
    if session.execute(select(ReviewRow.id).where(ReviewRow.request_id == request_id,
                                                  ReviewRow.reviewer_id == principal.id)).first():
        raise ConflictError("you have already reviewed this request")
    conds = [c.strip()[:500] for c in conditions if c.strip()]
    if choice == Decision.REJECT and not comment_text.strip():
        raise InputError("give the applicant a reason when rejecting", where="comment")
    if row.state == RequestState.SUBMITTED.value:
        _move(session, row, RequestState.IN_REVIEW, "committee", principal.audit_actor())
    rev = ReviewRow(id=new_id("rev"), request_id=request_id, reviewer_id=principal.id, decision=choice.value,
                    comment=comment_text.strip()[:5000], conditions=orjson.dumps(conds).decode(), created_at=utcnow())
    session.add(rev)
    session.flush()
    record(session, AccessEvent.REVIEW_RECORDED, actor=principal.audit_actor(), subject_type="access_request",
           subject_id=request_id, details={"review": rev.id, "decision": choice.value, "conditions": len(conds),
                                           "datasets": sorted(req.reviewer_datasets(principal.id))})
    _apply_quorum(session, row, req)
    return row.state


def _apply_quorum(session: Session, row: AccessRequestRow, req: RequestView) -> None:
    reviews = session.execute(select(ReviewRow).where(ReviewRow.request_id == row.id)).scalars().all()
    approved_all, lost = True, []
    for dataset_id, members in req.committees.items():
        quorum = service.dataset_policy(session, dataset_id)["quorum"]
        eligible = members - req.team
        yes = sum(1 for r in reviews if r.reviewer_id in eligible and r.decision == Decision.APPROVE.value)
        no = sum(1 for r in reviews if r.reviewer_id in eligible and r.decision == Decision.REJECT.value)
        if yes < quorum:
            approved_all = False
        if len(eligible) - no < quorum:  # not enough members left who could still approve
            lost.append(dataset_id)
    if lost:
        row.decided_at = utcnow()
        _move(session, row, RequestState.REJECTED, "system", Actor.system(), quorum_lost=sorted(lost))
    elif approved_all:
        _approve(session, row, req, reviews)


def _approve(session: Session, row: AccessRequestRow, req: RequestView, reviews: Sequence[ReviewRow]) -> None:
    from medkosh.catalog.service import get_version

    now = utcnow()
    conditions = sorted({c for r in reviews if r.decision == Decision.APPROVE.value for c in orjson.loads(r.conditions)})
    row.conditions = orjson.dumps(conditions).decode()
    row.decided_at = now
    row.expires_at = now + dt.timedelta(days=row.duration_days)
    _move(session, row, RequestState.APPROVED, "system", Actor.system(), conditions=len(conditions))
    version_ids = sorted(session.execute(select(RequestDatasetRow.dataset_version_id)
                                         .where(RequestDatasetRow.request_id == row.id)).scalars())
    for vid in version_ids:
        version = get_version(session, f"{_dataset_of(session, row.id, vid)}@{vid}")
        for uid in sorted(req.team):
            service.create_grant(session, request_id=row.id, user_id=uid, version=version, expires_at=row.expires_at,
                                 actor=Actor.system())


def _dataset_of(session: Session, request_id: str, version_id: str) -> str:
    return session.execute(select(RequestDatasetRow.dataset_id).where(
        RequestDatasetRow.request_id == request_id, RequestDatasetRow.dataset_version_id == version_id)).scalar_one()


def expire_due_requests(session: Session) -> int:
    now = utcnow()
    rows = session.execute(select(AccessRequestRow).where(AccessRequestRow.state == RequestState.APPROVED.value,
                                                          AccessRequestRow.expires_at <= now)).scalars().all()
    for row in rows:
        _move(session, row, RequestState.EXPIRED, "system", Actor.system())
        service.end_grants_of_request(session, row.id, GrantStatus.EXPIRED, "request period ended", Actor.system())
    return len(rows)
