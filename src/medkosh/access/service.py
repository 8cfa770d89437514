"""Access services: dataset access policy and committees, data use agreements, grants, the facts the
tier rules need, and the expiry sweep. Request filing and review live in medkosh.access.requests.

Every change writes its audit event in the caller's transaction. Decisions are made by
medkosh.access.policies; this module gathers facts and applies the outcome.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medkosh.access.types import DEFAULT_QUORUM, AccessEvent, DataAccessFacts, Grant, GrantStatus
from medkosh.audit import Actor, record
from medkosh.errors import InputError, NotFoundError, PolicyViolation
from medkosh.identity.types import Principal, Role, UserStatus, VerificationStatus
from medkosh.store.base import new_id, utcnow
from medkosh.store.tables.access import (
    CommitteeMemberRow,
    DatasetPolicyRow,
    DuaRow,
    DuaSignatureRow,
    GrantRow,
)
from medkosh.store.tables.identity import UserRoleRow, UserRow

ActorLike = Principal | Actor | str | None


def _actor(actor: ActorLike) -> Actor | str | None:
    return actor.audit_actor() if isinstance(actor, Principal) else actor


def _actor_id(actor: ActorLike) -> str | None:
    a = _actor(actor)
    return a.id if isinstance(a, Actor) else a


# ---- dataset access policy: quorum, committee, required trainings -------------------------------

def dataset_policy(session: Session, dataset_id: str) -> dict[str, Any]:
    row = session.get(DatasetPolicyRow, dataset_id)
    members = sorted(session.execute(select(CommitteeMemberRow.user_id)
                                     .where(CommitteeMemberRow.dataset_id == dataset_id)).scalars())
    return {"dataset_id": dataset_id, "quorum": row.quorum if row else DEFAULT_QUORUM,
            "required_trainings": orjson.loads(row.required_trainings) if row else [],
            "committee": members}


def set_dataset_policy(session: Session, dataset_id: str, *, actor: ActorLike, quorum: int | None = None,
                       committee: Iterable[str] | None = None,
                       required_trainings: Iterable[str] | None = None) -> dict[str, Any]:
    """Set a dataset's n-of-m quorum, its committee members and the trainings its users need."""
    current = dataset_policy(session, dataset_id)
    new_quorum = current["quorum"] if quorum is None else int(quorum)
    new_committee = current["committee"] if committee is None else sorted(set(committee))
    trainings = current["required_trainings"] if required_trainings is None else sorted(
        {t.strip().lower() for t in required_trainings if t.strip()})
    for uid in new_committee:
        user = session.get(UserRow, uid)
        if user is None:
            raise NotFoundError(f"no user {uid!r} to seat on the committee")
        if session.get(UserRoleRow, (uid, Role.COMMITTEE.value)) is None:
            raise InputError(f"{user.email} is not a committee member", hint="give them the committee_member role first")
    if new_quorum < 1:
        raise InputError("quorum must be at least 1")
    if new_committee and new_quorum > len(new_committee):
        raise InputError(f"quorum {new_quorum} exceeds the committee's {len(new_committee)} members",
                         hint="seat more members or lower the quorum")
    row = session.get(DatasetPolicyRow, dataset_id)
    if row is None:
        row = DatasetPolicyRow(dataset_id=dataset_id, quorum=new_quorum, required_trainings="[]")
        session.add(row)
    row.quorum = new_quorum
    row.required_trainings = orjson.dumps(trainings).decode()
    row.updated_at = utcnow()
    row.updated_by = _actor_id(actor)
    if committee is not None:
        for m in session.execute(select(CommitteeMemberRow).where(CommitteeMemberRow.dataset_id == dataset_id)).scalars():
            session.delete(m)
        session.flush()
        for uid in new_committee:
            session.add(CommitteeMemberRow(dataset_id=dataset_id, user_id=uid))
    session.flush()
    record(session, AccessEvent.POLICY_CHANGED, actor=_actor(actor), subject_type="dataset", subject_id=dataset_id,
           details={"quorum": new_quorum, "committee": new_committee, "required_trainings": trainings})
    return dataset_policy(session, dataset_id)


def committees_for(session: Session, dataset_ids: Iterable[str]) -> dict[str, frozenset[str]]:
    ids = sorted(set(dataset_ids))
    out: dict[str, set[str]] = {d: set() for d in ids}
    for d, u in session.execute(select(CommitteeMemberRow.dataset_id, CommitteeMemberRow.user_id)
                                .where(CommitteeMemberRow.dataset_id.in_(ids))).all():
        out[d].add(u)
    return {d: frozenset(v) for d, v in out.items()}


def reviewable_dataset_ids(session: Session, user_id: str) -> list[str]:
    return sorted(session.execute(select(CommitteeMemberRow.dataset_id)
                                  .where(CommitteeMemberRow.user_id == user_id)).scalars())


# ---- data use agreements ------------------------------------------------------------------------

def dua_hash(dataset_id: str, version: int, title: str, text: str) -> str:
    """What a signature commits to: the exact DUA text, its title, dataset and version number."""
    body = orjson.dumps({"dataset_id": dataset_id, "version": version, "title": title, "text": text},
                        option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).hexdigest()


def publish_dua(session: Session, dataset_id: str, title: str, text: str, *, actor: ActorLike) -> dict[str, Any]:
    text = text.strip()
    title = " ".join(title.split()) or "Data use agreement"
    if len(text) < 40:
        raise InputError("a data use agreement needs its full text (at least 40 characters)")
    last = session.execute(select(func.max(DuaRow.version)).where(DuaRow.dataset_id == dataset_id)).scalar() or 0
    version = int(last) + 1
    row = DuaRow(id=new_id("dua"), dataset_id=dataset_id, version=version, title=title[:200], text=text,
                 sha256=dua_hash(dataset_id, version, title[:200], text), created_at=utcnow(),
                 created_by=_actor_id(actor))
    session.add(row)
    session.flush()
    record(session, AccessEvent.DUA_PUBLISHED, actor=_actor(actor), subject_type="dua", subject_id=row.id,
           details={"dataset": dataset_id, "version": version, "sha256": row.sha256})
    # A new DUA version supersedes signatures on the old one: active grants wait for a new signature.
    _refresh_grants(session, dataset_id=dataset_id, actor=_actor(actor))
    return _dua_dict(row)


def _dua_dict(row: DuaRow) -> dict[str, Any]:
    return {"id": row.id, "dataset_id": row.dataset_id, "version": row.version, "title": row.title, "text": row.text,
            "sha256": row.sha256, "created_at": row.created_at.isoformat()}


def _current_dua_row(session: Session, dataset_id: str) -> DuaRow | None:
    return session.execute(select(DuaRow).where(DuaRow.dataset_id == dataset_id)
                           .order_by(DuaRow.version.desc()).limit(1)).scalar_one_or_none()


def current_dua(session: Session, dataset_id: str) -> dict[str, Any] | None:
    row = _current_dua_row(session, dataset_id)
    return _dua_dict(row) if row else None


def sign_dua(session: Session, principal: Principal, dataset_id: str, *, typed_name: str,
             dua_sha256: str) -> dict[str, Any]:
    """Sign the dataset's current DUA: typed name, timestamp and the hash of the exact text shown."""
    row = _current_dua_row(session, dataset_id)
    if row is None:
        raise NotFoundError(f"dataset {dataset_id!r} has no data use agreement", hint="ask its data steward")
    if dua_sha256 != row.sha256:
        raise PolicyViolation("the agreement changed since you opened it", hint="reload the page, read it again and sign")
    typed = " ".join(typed_name.split())
    if typed.casefold() != principal.user.name.casefold():
        raise InputError("type your full name exactly as on your account to sign",
                         hint=f"your account name is {principal.user.name!r}")
    existing = session.execute(select(DuaSignatureRow).where(DuaSignatureRow.user_id == principal.id,
                                                             DuaSignatureRow.dua_id == row.id)).scalar_one_or_none()
    if existing is None:
        existing = DuaSignatureRow(id=new_id("sig"), user_id=principal.id, dua_id=row.id, dataset_id=dataset_id,
                                   dua_sha256=row.sha256, typed_name=typed, signed_at=utcnow())
        session.add(existing)
        session.flush()
        record(session, AccessEvent.DUA_SIGNED, actor=principal.audit_actor(), subject_type="dua", subject_id=row.id,
               details={"dataset": dataset_id, "version": row.version, "sha256": row.sha256, "signature": existing.id})
        _refresh_grants(session, dataset_id=dataset_id, user_id=principal.id, actor=principal.audit_actor())
    return signature_dict(existing, row)


def signature_dict(sig: DuaSignatureRow, dua: DuaRow) -> dict[str, Any]:
    return {"id": sig.id, "dataset_id": sig.dataset_id, "dua_id": dua.id, "dua_version": dua.version,
            "dua_title": dua.title, "dua_sha256": sig.dua_sha256, "typed_name": sig.typed_name,
            "signed_at": sig.signed_at.isoformat(), "text": dua.text}


def signatures_of(session: Session, user_id: str) -> list[dict[str, Any]]:
    rows = session.execute(select(DuaSignatureRow, DuaRow).join(DuaRow, DuaRow.id == DuaSignatureRow.dua_id)
                           .where(DuaSignatureRow.user_id == user_id).order_by(DuaSignatureRow.signed_at.desc())).all()
    return [signature_dict(s, d) for s, d in rows]


def has_signed_current(session: Session, user_id: str, dataset_id: str) -> bool:
    row = _current_dua_row(session, dataset_id)
    if row is None:
        return False
    return session.execute(select(DuaSignatureRow.id).where(DuaSignatureRow.user_id == user_id,
                                                            DuaSignatureRow.dua_id == row.id)).first() is not None


# ---- grants -------------------------------------------------------------------------------------

def _grant(row: GrantRow) -> Grant:
    status = GrantStatus(row.status)
    if status in (GrantStatus.ACTIVE, GrantStatus.PENDING_DUA) and row.expires_at <= utcnow():
        status = GrantStatus.EXPIRED  # shown as it is in force, before the sweep records it
    return Grant(id=row.id, request_id=row.request_id, user_id=row.user_id, dataset_id=row.dataset_id,
                 dataset_version_id=row.dataset_version_id, tier=row.tier, status=status,
                 created_at=row.created_at, expires_at=row.expires_at, activated_at=row.activated_at,
                 ended_at=row.ended_at, end_reason=row.end_reason)


def missing_trainings(session: Session, user_id: str, dataset_id: str, at: dt.datetime | None = None) -> frozenset[str]:
    from medkosh.identity.service import valid_training_codes

    required = set(dataset_policy(session, dataset_id)["required_trainings"])
    if not required:
        return frozenset()
    return frozenset(required - valid_training_codes(session, user_id, at))


def create_grant(session: Session, *, request_id: str, user_id: str, version: Any, expires_at: dt.datetime,
                 actor: ActorLike) -> Grant:
    """A grant for one user on one dataset version (catalog VersionInfo); pending until the DUA is signed."""
    from medkosh.catalog.policies import check_can_grant

    check_can_grant(version)  # consent-withdrawn versions accept no new grants
    row = GrantRow(id=new_id("grt"), request_id=request_id, user_id=user_id, dataset_id=version.dataset_id,
                   dataset_version_id=version.id, tier=str(version.tier), status=GrantStatus.PENDING_DUA.value,
                   created_at=utcnow(), expires_at=expires_at)
    session.add(row)
    session.flush()
    record(session, AccessEvent.GRANT_CREATED, actor=_actor(actor), subject_type="grant", subject_id=row.id,
           details={"request": request_id, "user": user_id, "dataset": version.dataset_id,
                    "version": version.id, "tier": row.tier, "expires_at": expires_at.isoformat()})
    _refresh_grants(session, dataset_id=version.dataset_id, user_id=user_id, actor=_actor(actor))
    return _grant(row)


def _refresh_grants(session: Session, *, dataset_id: str, user_id: str | None = None, actor: Any = None) -> None:
    """Bring stored grant states in line with the facts: signed current DUA → active; not → pending;
    past expiry → expired. Each change is audited."""
    now = utcnow()
    stmt = select(GrantRow).where(GrantRow.dataset_id == dataset_id,
                                  GrantRow.status.in_([GrantStatus.PENDING_DUA.value, GrantStatus.ACTIVE.value]))
    if user_id is not None:
        stmt = stmt.where(GrantRow.user_id == user_id)
    for row in session.execute(stmt).scalars().all():
        if row.expires_at <= now:
            _end_grant(session, row, GrantStatus.EXPIRED, "grant period ended", actor or Actor.system())
            continue
        signed = has_signed_current(session, row.user_id, dataset_id)
        if signed and row.status == GrantStatus.PENDING_DUA.value:
            row.status = GrantStatus.ACTIVE.value
            row.activated_at = now
            session.flush()
            record(session, AccessEvent.GRANT_ACTIVATED, actor=actor, subject_type="grant", subject_id=row.id,
                   details={"user": row.user_id, "dataset": dataset_id, "version": row.dataset_version_id})
        elif not signed and row.status == GrantStatus.ACTIVE.value:
            row.status = GrantStatus.PENDING_DUA.value
            session.flush()
            record(session, AccessEvent.GRANT_ENDED, actor=actor, subject_type="grant", subject_id=row.id,
                   details={"user": row.user_id, "status": row.status, "reason": "new DUA version to sign"})


def _end_grant(session: Session, row: GrantRow, status: GrantStatus, reason: str, actor: Any) -> None:
    row.status = status.value
    row.ended_at = utcnow()
    row.end_reason = reason[:300]
    session.flush()
    record(session, AccessEvent.GRANT_ENDED, actor=actor, subject_type="grant", subject_id=row.id,
           details={"user": row.user_id, "status": status.value, "reason": reason[:300]})


def end_grants_of_request(session: Session, request_id: str, status: GrantStatus, reason: str, actor: Any) -> int:
    rows = session.execute(select(GrantRow).where(GrantRow.request_id == request_id, GrantRow.status.in_(
        [GrantStatus.PENDING_DUA.value, GrantStatus.ACTIVE.value]))).scalars().all()
    for row in rows:
        _end_grant(session, row, status, reason, actor)
    return len(rows)


def revoke_grant(session: Session, grant_id: str, reason: str, *, actor: ActorLike) -> Grant:
    row = session.get(GrantRow, grant_id)
    if row is None:
        raise NotFoundError(f"no grant {grant_id!r}")
    if row.status in (GrantStatus.PENDING_DUA.value, GrantStatus.ACTIVE.value):
        _end_grant(session, row, GrantStatus.REVOKED, reason or "revoked", _actor(actor))
    return _grant(row)


def get_grant(session: Session, grant_id: str) -> Grant:
    row = session.get(GrantRow, grant_id)
    if row is None:
        raise NotFoundError(f"no grant {grant_id!r}")
    return _grant(row)


def grants_of(session: Session, user_id: str | None = None) -> list[Grant]:
    stmt = select(GrantRow).order_by(GrantRow.created_at.desc())
    if user_id is not None:
        stmt = stmt.where(GrantRow.user_id == user_id)
    return [_grant(r) for r in session.execute(stmt).scalars()]


def grants_for_version(session: Session, version_id: str) -> list[Grant]:
    """Grants that point at a version and are not over (pending or active), e.g. for the consent cascade."""
    rows = session.execute(select(GrantRow).where(GrantRow.dataset_version_id == version_id, GrantRow.status.in_(
        [GrantStatus.PENDING_DUA.value, GrantStatus.ACTIVE.value])).order_by(GrantRow.created_at)).scalars()
    return [_grant(r) for r in rows]


def active_grant(session: Session, user_id: str, dataset_version_id: str, at: dt.datetime | None = None) -> Grant | None:
    """The user's grant on this version that is in force now: approved, DUA signed, not expired, not
    revoked, the user active, and every training the dataset requires still valid (access lapses on its
    own when a training expires; no sweep is needed for that)."""
    at = at or utcnow()
    rows = session.execute(select(GrantRow).where(
        GrantRow.user_id == user_id, GrantRow.dataset_version_id == dataset_version_id,
        GrantRow.status == GrantStatus.ACTIVE.value, GrantRow.expires_at > at).order_by(GrantRow.expires_at.desc())
    ).scalars().all()
    if not rows:
        return None
    user = session.get(UserRow, user_id)
    if user is None or user.status != UserStatus.ACTIVE.value:
        return None
    row = rows[0]
    if missing_trainings(session, user_id, row.dataset_id, at) or not has_signed_current(session, user_id, row.dataset_id):
        return None
    return _grant(row)


def access_facts(session: Session, user_id: str | None, version: Any) -> DataAccessFacts:
    """The facts check_can_download / check_can_use_in_tre decide on, for a catalog VersionInfo."""
    has_dua = _current_dua_row(session, version.dataset_id) is not None
    if user_id is None:
        return DataAccessFacts(version.id, version.dataset_id, str(version.tier), str(version.status), False, has_dua,
                               None, frozenset(), False)
    grant = active_grant(session, user_id, version.id)
    user = session.get(UserRow, user_id)
    return DataAccessFacts(
        version_id=version.id, dataset_id=version.dataset_id, tier=str(version.tier), version_status=str(version.status),
        signed_current_dua=has_signed_current(session, user_id, version.dataset_id), has_dua=has_dua,
        active_grant_id=grant.id if grant else None,
        missing_trainings=missing_trainings(session, user_id, version.dataset_id),
        verified=bool(user and user.verification == VerificationStatus.VERIFIED.value))


def check_not_sealed(session: Session, version: Any) -> None:
    """A sealed benchmark (medkosh.models) is used only by the validation service: its files are never
    downloaded and never mounted in TRE jobs, whatever the grants say."""
    from medkosh.errors import PermissionDenied
    from medkosh.models.service import is_sealed_benchmark

    if is_sealed_benchmark(session, version.id):
        raise PermissionDenied(f"{version.dataset_id}@{version.number} is a sealed benchmark: its files never leave "
                               "medkosh and are not available to jobs",
                               hint="validate a model on it with `medkosh validate MODEL --benchmark ...`")


def check_data_use(session: Session, principal: Principal | None, version_ref: str, *, in_tre: bool) -> Any:
    """Resolve a version and apply the tier rules for a download (in_tre=False) or TRE use; returns the
    catalog VersionInfo when allowed, raises the policy's error otherwise."""
    from medkosh.access import policies
    from medkosh.catalog.service import get_version

    version = get_version(session, version_ref)
    check_not_sealed(session, version)
    facts = access_facts(session, principal.id if principal else None, version)
    if in_tre:
        policies.check_can_use_in_tre(principal, facts)
    else:
        policies.check_can_download(principal, facts)
    return version


def sweep_expired(session: Session) -> dict[str, int]:
    """Record the end of grants and approved requests whose period ended (`medkosh access sweep`, run
    daily); each change is audited. Enforcement never waits for it: active_grant checks expiry itself."""
    from medkosh.access.requests import expire_due_requests

    now = utcnow()
    rows = session.execute(select(GrantRow).where(GrantRow.expires_at <= now, GrantRow.status.in_(
        [GrantStatus.PENDING_DUA.value, GrantStatus.ACTIVE.value]))).scalars().all()
    for row in rows:
        _end_grant(session, row, GrantStatus.EXPIRED, "grant period ended", Actor.system())
    return {"grants_expired": len(rows), "requests_expired": expire_due_requests(session)}
