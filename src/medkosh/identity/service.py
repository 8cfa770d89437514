"""Identity services: institutions, users, roles, verification, trainings, sessions and API tokens.

Every change writes its audit event in the caller's transaction. Who may call what is decided by
medkosh.access.policies (route table and resource checks), not here.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets as pysecrets
from collections.abc import Iterable

import orjson
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from medkosh.audit import Actor, record
from medkosh.audit.types import Outcome
from medkosh.errors import AuthenticationError, ConflictError, InputError, NotFoundError
from medkosh.identity import secrets
from medkosh.identity.types import (
    SCOPE_ALL,
    IdentityEvent,
    Institution,
    Principal,
    Role,
    Training,
    User,
    UserStatus,
    VerificationStatus,
)
from medkosh.store.base import new_id, utcnow
from medkosh.store.tables.identity import (
    ApiTokenRow,
    InstitutionRow,
    LoginSessionRow,
    TrainingRow,
    UserRoleRow,
    UserRow,
)

SESSION_HOURS = 12
MAX_TOKEN_DAYS = 365
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_SCOPE = re.compile(r"^(\*|[a-z][a-z0-9_]*(:read)?)$")

ActorLike = Principal | Actor | str | None


def _actor(actor: ActorLike) -> Actor | str | None:
    return actor.audit_actor() if isinstance(actor, Principal) else actor


# ---- institutions -------------------------------------------------------------------------------

def _institution(row: InstitutionRow) -> Institution:
    return Institution(id=row.id, name=row.name, kind=row.kind, oidc_issuer=row.oidc_issuer)


def create_institution(session: Session, name: str, kind: str = "research", *, actor: ActorLike = None,
                       oidc_issuer: str | None = None, oidc_client_id: str | None = None) -> Institution:
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InputError("institution name must be 1–200 characters")
    if session.execute(select(InstitutionRow.id).where(InstitutionRow.name == name)).first():
        raise ConflictError(f"an institution named {name!r} already exists")
    row = InstitutionRow(id=new_id("inst"), name=name, kind=kind.strip() or "research", oidc_issuer=oidc_issuer,
                         oidc_client_id=oidc_client_id, created_at=utcnow())
    session.add(row)
    session.flush()
    record(session, IdentityEvent.INSTITUTION_CREATED, actor=_actor(actor), subject_type="institution",
           subject_id=row.id, details={"name": name, "kind": row.kind, "oidc": bool(oidc_issuer)})
    return _institution(row)


def get_institution(session: Session, institution_id: str) -> Institution:
    row = session.get(InstitutionRow, institution_id)
    if row is None:
        raise NotFoundError(f"no institution {institution_id!r}", hint="see 'medkosh user institutions'")
    return _institution(row)


def find_institution(session: Session, name_or_id: str) -> Institution:
    row = session.get(InstitutionRow, name_or_id) or session.execute(
        select(InstitutionRow).where(InstitutionRow.name == name_or_id)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"no institution {name_or_id!r}", hint="see 'medkosh user institutions'")
    return _institution(row)


def list_institutions(session: Session) -> list[Institution]:
    return [_institution(r) for r in session.execute(select(InstitutionRow).order_by(InstitutionRow.name)).scalars()]


# ---- users --------------------------------------------------------------------------------------

def _roles(session: Session, user_id: str) -> frozenset[Role]:
    return frozenset(Role(r) for r in session.execute(
        select(UserRoleRow.role).where(UserRoleRow.user_id == user_id)).scalars())


def _user(session: Session, row: UserRow) -> User:
    inst = session.get(InstitutionRow, row.institution_id)
    return User(id=row.id, email=row.email, name=row.name, institution_id=row.institution_id,
                roles=_roles(session, row.id), status=UserStatus(row.status),
                verification=VerificationStatus(row.verification), institution_name=inst.name if inst else None)


def parse_roles(values: Iterable[str]) -> frozenset[Role]:
    out = set()
    for value in values:
        value = value.strip().lower().replace("-", "_")
        if value in ("committee", "dac", "iec"):
            value = Role.COMMITTEE.value
        try:
            out.add(Role(value))
        except ValueError as exc:
            raise InputError(f"unknown role {value!r}", hint="roles: " + ", ".join(r.value for r in Role)) from exc
    return frozenset(out)


def create_user(session: Session, email: str, name: str, institution_id: str, roles: Iterable[str | Role],
                *, password: str | None = None, actor: ActorLike = None, verified: bool = False,
                oidc_subject: str | None = None) -> User:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InputError(f"not an email address: {email!r}")
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InputError("name must be 1–200 characters")
    get_institution(session, institution_id)
    if session.execute(select(UserRow.id).where(UserRow.email == email)).first():
        raise ConflictError(f"a user with email {email} already exists")
    role_set = parse_roles(str(r) for r in roles)
    now = utcnow()
    row = UserRow(id=new_id("usr"), email=email, name=name, institution_id=institution_id,
                  password_hash=secrets.hash_password(password) if password else None,
                  oidc_subject=oidc_subject, status=UserStatus.ACTIVE.value,
                  verification=(VerificationStatus.VERIFIED if verified else VerificationStatus.UNVERIFIED).value,
                  verified_at=now if verified else None, created_at=now)
    session.add(row)
    session.flush()
    for role in sorted(role_set):
        session.add(UserRoleRow(user_id=row.id, role=role.value))
    session.flush()
    record(session, IdentityEvent.USER_CREATED, actor=_actor(actor), subject_type="user", subject_id=row.id,
           details={"institution": institution_id, "roles": sorted(role_set), "verified": verified,
                    "login": "oidc" if oidc_subject else ("password" if password else "none")})
    return _user(session, row)


def _user_row(session: Session, user_id: str) -> UserRow:
    row = session.get(UserRow, user_id)
    if row is None:
        raise NotFoundError(f"no user {user_id!r}", hint="see 'medkosh user list'")
    return row


def get_user(session: Session, user_id: str) -> User:
    return _user(session, _user_row(session, user_id))


def find_user(session: Session, email_or_id: str) -> User:
    row = session.get(UserRow, email_or_id) or session.execute(
        select(UserRow).where(UserRow.email == email_or_id.strip().lower())).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"no user {email_or_id!r}", hint="see 'medkosh user list'")
    return _user(session, row)


def list_users(session: Session, institution_id: str | None = None, role: Role | None = None) -> list[User]:
    stmt = select(UserRow).order_by(UserRow.email)
    if institution_id:
        stmt = stmt.where(UserRow.institution_id == institution_id)
    if role:
        stmt = stmt.join(UserRoleRow, UserRoleRow.user_id == UserRow.id).where(UserRoleRow.role == role.value)
    return [_user(session, r) for r in session.execute(stmt).scalars()]


def set_roles(session: Session, user_id: str, roles: Iterable[str | Role], *, actor: ActorLike) -> User:
    row = _user_row(session, user_id)
    role_set = parse_roles(str(r) for r in roles)
    before = _roles(session, user_id)
    session.execute(delete(UserRoleRow).where(UserRoleRow.user_id == user_id))
    for role in sorted(role_set):
        session.add(UserRoleRow(user_id=user_id, role=role.value))
    session.flush()
    record(session, IdentityEvent.USER_ROLES_CHANGED, actor=_actor(actor), subject_type="user", subject_id=user_id,
           details={"before": sorted(before), "after": sorted(role_set)})
    return _user(session, row)


def set_status(session: Session, user_id: str, status: UserStatus, *, actor: ActorLike) -> User:
    row = _user_row(session, user_id)
    row.status = UserStatus(status).value
    if row.status == UserStatus.SUSPENDED.value:
        # A suspension ends every way in at once: sessions and tokens.
        now = utcnow()
        for s in session.execute(select(LoginSessionRow).where(LoginSessionRow.user_id == user_id,
                                                               LoginSessionRow.revoked_at.is_(None))).scalars():
            s.revoked_at = now
        for t in session.execute(select(ApiTokenRow).where(ApiTokenRow.user_id == user_id,
                                                           ApiTokenRow.revoked_at.is_(None))).scalars():
            t.revoked_at = now
    session.flush()
    record(session, IdentityEvent.USER_STATUS_CHANGED, actor=_actor(actor), subject_type="user", subject_id=user_id,
           details={"status": row.status})
    return _user(session, row)


def set_verification(session: Session, user_id: str, status: VerificationStatus | str, *,
                     actor: ActorLike, note: str = "") -> User:
    row = _user_row(session, user_id)
    try:
        value = VerificationStatus(status)
    except ValueError as exc:
        raise InputError(f"unknown verification status {status!r}",
                         hint="use " + ", ".join(v.value for v in VerificationStatus)) from exc
    row.verification = value.value
    row.verified_at = utcnow() if value == VerificationStatus.VERIFIED else None
    actor_obj = _actor(actor)
    row.verified_by = actor_obj.id if isinstance(actor_obj, Actor) else actor_obj
    session.flush()
    record(session, IdentityEvent.USER_VERIFIED, actor=actor_obj, subject_type="user", subject_id=user_id,
           details={"status": value.value, "note": note[:300]})
    return _user(session, row)


def set_password(session: Session, user_id: str, password: str, *, actor: ActorLike) -> None:
    row = _user_row(session, user_id)
    row.password_hash = secrets.hash_password(password)
    session.flush()
    record(session, IdentityEvent.PASSWORD_SET, actor=_actor(actor), subject_type="user", subject_id=user_id)


# ---- trainings ----------------------------------------------------------------------------------

def _training(row: TrainingRow) -> Training:
    return Training(id=row.id, user_id=row.user_id, code=row.code, title=row.title, provider=row.provider,
                    completed_on=row.completed_on, expires_at=row.expires_at)


def record_training(session: Session, user_id: str, code: str, *, completed_on: dt.date,
                    expires_on: dt.date, title: str = "", provider: str = "", actor: ActorLike) -> Training:
    _user_row(session, user_id)
    code = code.strip().lower()
    if not re.match(r"^[a-z0-9][a-z0-9._-]{0,79}$", code):
        raise InputError(f"invalid training code {code!r}", hint="e.g. research-ethics, data-protection")
    if expires_on <= completed_on:
        raise InputError("training expiry must be after its completion date")
    from medkosh.identity.types import KNOWN_TRAININGS

    row = TrainingRow(id=new_id("trn"), user_id=user_id, code=code, title=(title or KNOWN_TRAININGS.get(code, code))[:200],
                      provider=provider[:200] or "unspecified", completed_on=completed_on,
                      expires_at=dt.datetime.combine(expires_on, dt.time(0), tzinfo=dt.UTC),
                      recorded_by=(_actor(actor).id if isinstance(_actor(actor), Actor) else None),  # type: ignore[union-attr]
                      created_at=utcnow())
    session.add(row)
    session.flush()
    record(session, IdentityEvent.TRAINING_RECORDED, actor=_actor(actor), subject_type="user", subject_id=user_id,
           details={"training": code, "completed_on": completed_on.isoformat(), "expires_on": expires_on.isoformat()})
    return _training(row)


def list_trainings(session: Session, user_id: str) -> list[Training]:
    return [_training(r) for r in session.execute(
        select(TrainingRow).where(TrainingRow.user_id == user_id).order_by(TrainingRow.code,
                                                                           TrainingRow.expires_at)).scalars()]


def valid_training_codes(session: Session, user_id: str, at: dt.datetime | None = None) -> set[str]:
    at = at or utcnow()
    return set(session.execute(select(TrainingRow.code).where(TrainingRow.user_id == user_id,
                                                              TrainingRow.expires_at > at)).scalars())


# ---- passwords and sessions ---------------------------------------------------------------------

def authenticate_password(session: Session, email: str, password: str, *, source: str = "password") -> User:
    """The user these credentials name; records the failure (without the password) otherwise."""
    row = session.execute(select(UserRow).where(UserRow.email == email.strip().lower())).scalar_one_or_none()
    ok = secrets.verify_password(row.password_hash if row else None, password)
    if not ok or row is None or row.status != UserStatus.ACTIVE.value:
        record(session, IdentityEvent.LOGIN_FAILED, actor=row.id if row else None, subject_type="user",
               subject_id=row.id if row else None, outcome=Outcome.DENIED,
               details={"via": source, "reason": "suspended" if ok and row else "bad credentials"})
        raise AuthenticationError("wrong email or password", hint="check both and try again")
    return _user(session, row)


def start_session(session: Session, user: User, *, via: str = "password") -> str:
    """Create a login session; returns the raw session secret (to be signed into the cookie)."""
    raw = pysecrets.token_urlsafe(32)
    now = utcnow()
    row = LoginSessionRow(id=new_id("ses"), id_hash=secrets.digest(raw), user_id=user.id, via=via, created_at=now,
                          expires_at=now + dt.timedelta(hours=SESSION_HOURS))
    session.add(row)
    session.flush()
    record(session, IdentityEvent.LOGIN, actor=Actor(user.id, user.institution_id), subject_type="session",
           subject_id=row.id, details={"via": via})
    return raw


def end_session(session: Session, raw: str) -> None:
    row = session.execute(select(LoginSessionRow).where(
        LoginSessionRow.id_hash == secrets.digest(raw))).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    session.flush()
    record(session, IdentityEvent.LOGOUT, actor=row.user_id, subject_type="session", subject_id=row.id)


def resolve_session(session: Session, raw: str) -> Principal | None:
    row = session.execute(select(LoginSessionRow).where(
        LoginSessionRow.id_hash == secrets.digest(raw))).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user_row = session.get(UserRow, row.user_id)
    if user_row is None or user_row.status != UserStatus.ACTIVE.value:
        return None
    return Principal(user=_user(session, user_row), via="session", session_id=row.id)


# ---- API tokens ---------------------------------------------------------------------------------

def parse_scopes(scopes: Iterable[str]) -> list[str]:
    out = sorted({s.strip().lower() for s in scopes if s.strip()}) or [SCOPE_ALL]
    for s in out:
        if not _SCOPE.match(s):
            raise InputError(f"invalid token scope {s!r}", hint="use '*', '<domain>' or '<domain>:read', e.g. access:read")
    return out


def issue_token(session: Session, user_id: str, name: str, *, scopes: Iterable[str] = (SCOPE_ALL,),
                days: int = 90, actor: ActorLike = None) -> tuple[str, str]:
    """Create an API token; returns (token id, the token). The token is shown once and stored as a hash."""
    user = get_user(session, user_id)
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InputError(f"token lifetime {days} days is out of range", hint=f"use 1–{MAX_TOKEN_DAYS} days")
    name = " ".join(name.split())[:120] or "token"
    scope_list = parse_scopes(scopes)
    token_id = new_id("tok")
    raw = secrets.new_token(token_id)
    now = utcnow()
    session.add(ApiTokenRow(id=token_id, user_id=user.id, name=name, token_hash=secrets.digest(raw),
                            scopes=orjson.dumps(scope_list).decode(), created_at=now,
                            expires_at=now + dt.timedelta(days=days)))
    session.flush()
    record(session, IdentityEvent.TOKEN_ISSUED, actor=_actor(actor) or Actor(user.id, user.institution_id),
           subject_type="token", subject_id=token_id, details={"user": user.id, "scopes": scope_list, "days": days})
    return token_id, raw


def list_tokens(session: Session, user_id: str) -> list[dict[str, object]]:
    rows = session.execute(select(ApiTokenRow).where(ApiTokenRow.user_id == user_id)
                           .order_by(ApiTokenRow.created_at.desc())).scalars()
    now = utcnow()
    return [{"id": r.id, "name": r.name, "scopes": orjson.loads(r.scopes), "created_at": r.created_at.isoformat(),
             "expires_at": r.expires_at.isoformat(), "last_used_at": r.last_used_at.isoformat() if r.last_used_at else None,
             "state": "revoked" if r.revoked_at else ("expired" if r.expires_at <= now else "active")} for r in rows]


def token_owner(session: Session, token_id: str) -> str:
    row = session.get(ApiTokenRow, token_id)
    if row is None:
        raise NotFoundError(f"no token {token_id!r}")
    return row.user_id


def revoke_token(session: Session, token_id: str, *, actor: ActorLike) -> None:
    row = session.get(ApiTokenRow, token_id)
    if row is None:
        raise NotFoundError(f"no token {token_id!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
        record(session, IdentityEvent.TOKEN_REVOKED, actor=_actor(actor), subject_type="token", subject_id=token_id,
               details={"user": row.user_id})


def resolve_token(session: Session, raw: str, *, route: str = "") -> Principal:
    """The principal a bearer token stands for; a refused token is audited and raises 401."""
    parts = secrets.split_token(raw)
    row = session.get(ApiTokenRow, parts[0]) if parts else None
    reason = None
    if row is None or not secrets.same_digest(row.token_hash, raw):
        reason = "unknown token"
    elif row.revoked_at is not None:
        reason = "token revoked"
    elif row.expires_at <= utcnow():
        reason = "token expired"
    user_row = session.get(UserRow, row.user_id) if row is not None and reason is None else None
    if reason is None and (user_row is None or user_row.status != UserStatus.ACTIVE.value):
        reason = "user suspended"
    if reason is not None or row is None or user_row is None:
        record(session, IdentityEvent.TOKEN_REFUSED, actor=row.user_id if row and reason != "unknown token" else None,
               subject_type="token", subject_id=row.id if row else None, outcome=Outcome.DENIED,
               details={"reason": reason or "unknown token", "route": route})
        raise AuthenticationError(f"API token refused: {reason}", hint="create a new token on your profile page (/me)")
    row.last_used_at = utcnow()
    record(session, IdentityEvent.TOKEN_USED, actor=Actor(user_row.id, user_row.institution_id),
           subject_type="token", subject_id=row.id, details={"route": route})
    return Principal(user=_user(session, user_row), via="token", token_id=row.id,
                     scopes=frozenset(orjson.loads(row.scopes)))
