"""Consent managers' trusted keys and the signature checks made with them.

An admin trusts a consent manager's public key (`medkosh consent trust add`). An artefact must carry
a detached JWS (medkosh.consent.jws; EdDSA or RS256) over the canonical JSON of its consentDetail,
made by a trusted, not removed key of the consent manager the artefact names. A notification carries
a detached JWS over the canonical JSON of the notification body without its `signature` member.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.audit import Actor, record
from medkosh.consent import jws
from medkosh.consent.types import ConsentEvent, SignatureAlg
from medkosh.errors import AuthenticationError, ConflictError, InputError, NotFoundError
from medkosh.store.base import utcnow
from medkosh.store.tables.consent import ConsentTrustedKeyRow

MIN_RSA_BITS = 2048


class SignatureError(AuthenticationError):
    """A consent artefact or notification whose signature does not verify against a trusted key."""


@dataclass(frozen=True)
class TrustedKey:
    fingerprint: str
    consent_manager_id: str
    alg: SignatureAlg
    key: jws.PublicKey


def fingerprint(key: jws.PublicKey) -> str:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _alg_of(key: jws.PublicKey) -> SignatureAlg:
    return SignatureAlg.EDDSA if isinstance(key, ed25519.Ed25519PublicKey) else SignatureAlg.RS256


def parse_public_key(text: str, alg: str | None = None) -> tuple[jws.PublicKey, SignatureAlg]:
    """A public key (64 hex digits for Ed25519, or PEM) checked against the algorithm named for it."""
    key = jws.load_public_key(text)
    key_alg = _alg_of(key)
    if alg is not None:
        try:
            wanted = SignatureAlg(alg)
        except ValueError as exc:
            raise InputError(f"unsupported algorithm {alg!r}", hint="use EdDSA or RS256") from exc
        if wanted is not key_alg:
            raise InputError(f"the key is a {key_alg} key, not {wanted}", hint="pass the matching --alg")
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < MIN_RSA_BITS:
        raise InputError(f"RSA key of {key.key_size} bits is too weak", hint=f"use at least {MIN_RSA_BITS} bits")
    return key, key_alg


def add_trusted_key(session: Session, consent_manager_id: str, public_key: str, *, alg: str | None = None,
                    actor: Actor | str = "cli") -> TrustedKey:
    """Trust a consent manager's key. Adding the same key again is a no-op; a key already trusted for
    another consent manager is refused (one key, one signer, or audit trails become ambiguous)."""
    cm_id = consent_manager_id.strip()
    if not cm_id or len(cm_id) > 120:
        raise InputError("a consent manager id is 1-120 characters", hint="pass --id as configured in ABDM")
    key, key_alg = parse_public_key(public_key, alg)
    fp = fingerprint(key)
    row = session.get(ConsentTrustedKeyRow, fp)
    if row is not None and row.removed_at is None:
        if row.consent_manager_id != cm_id:
            raise ConflictError(f"this key is already trusted for consent manager {row.consent_manager_id}",
                                hint="a key identifies one consent manager; remove it there first")
        return TrustedKey(fp, cm_id, key_alg, key)
    text = jws.public_key_hex(key) if isinstance(key, ed25519.Ed25519PublicKey) else key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    actor_id = actor.id if isinstance(actor, Actor) else actor
    if row is None:
        row = ConsentTrustedKeyRow(fingerprint=fp, consent_manager_id=cm_id, alg=key_alg.value, public_key=text,
                                   added_at=utcnow(), added_by=actor_id)
        session.add(row)
    else:  # re-trusting a removed key
        row.consent_manager_id, row.removed_at, row.added_at, row.added_by = cm_id, None, utcnow(), actor_id
    record(session, ConsentEvent.TRUST_ADDED, actor=actor, subject_type="consent_manager", subject_id=cm_id,
           details={"fingerprint": fp, "alg": key_alg.value})
    session.flush()
    return TrustedKey(fp, cm_id, key_alg, key)


def remove_trusted_key(session: Session, fp: str, *, actor: Actor | str = "cli") -> None:
    row = session.get(ConsentTrustedKeyRow, fp.strip().lower())
    if row is None or row.removed_at is not None:
        raise NotFoundError(f"no trusted key with fingerprint {fp}", hint="see 'medkosh consent trust list'")
    row.removed_at = utcnow()
    record(session, ConsentEvent.TRUST_REMOVED, actor=actor, subject_type="consent_manager",
           subject_id=row.consent_manager_id, details={"fingerprint": row.fingerprint})


def trusted_keys(session: Session, consent_manager_id: str | None = None) -> list[TrustedKey]:
    stmt = select(ConsentTrustedKeyRow).where(ConsentTrustedKeyRow.removed_at.is_(None))
    if consent_manager_id is not None:
        stmt = stmt.where(ConsentTrustedKeyRow.consent_manager_id == consent_manager_id)
    out = []
    for row in session.execute(stmt.order_by(ConsentTrustedKeyRow.added_at)).scalars():
        out.append(TrustedKey(row.fingerprint, row.consent_manager_id, SignatureAlg(row.alg),
                              jws.load_public_key(row.public_key)))
    return out


def list_trusted(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(ConsentTrustedKeyRow).order_by(ConsentTrustedKeyRow.consent_manager_id,
                                                                 ConsentTrustedKeyRow.added_at)).scalars()
    return [{"fingerprint": r.fingerprint, "consent_manager_id": r.consent_manager_id, "alg": r.alg,
             "added_at": r.added_at.isoformat(), "added_by": r.added_by,
             "removed_at": r.removed_at.isoformat() if r.removed_at else None} for r in rows]


def verify_by(session: Session, consent_manager_id: str, token: str, payload: bytes, *, what: str,
              where: str | None = None, cache: dict[str, list[TrustedKey]] | None = None) -> str:
    """The fingerprint of the trusted key of `consent_manager_id` that signed `payload`; SignatureError
    naming `what` if none did. The token's own `alg` only selects among keys already trusted.

    `cache` (consent manager id -> keys) may be shared by the checks of one transaction, which sees
    one set of trusted keys anyway; it spares a query and a key parse per artefact."""
    if cache is not None and consent_manager_id in cache:
        keys = cache[consent_manager_id]
    else:
        keys = trusted_keys(session, consent_manager_id)
        if cache is not None:
            cache[consent_manager_id] = keys
    if not keys:
        raise SignatureError(f"signature of {what} cannot be checked: consent manager {consent_manager_id!r} "
                             "has no trusted key", where=where,
                             hint="trust its key with 'medkosh consent trust add' if it is genuine")
    try:
        header_alg = jws.read_header(token).get("alg")
    except InputError as exc:
        raise SignatureError(f"signature of {what} is not a detached JWS", where=where,
                             hint="expected 'header..signature'") from exc
    for trusted in keys:
        if trusted.alg.value == header_alg and jws.verify_detached(token, payload, trusted.key):
            return trusted.fingerprint
    raise SignatureError(f"signature of {what} does not verify against consent manager "
                         f"{consent_manager_id!r}'s trusted keys", where=where,
                         hint="the artefact was altered or not signed by that consent manager; it was not stored")


def notification_payload(body: dict[str, Any]) -> bytes:
    """The signed bytes of a notification: its canonical JSON without the `signature` member."""
    return jws.canonical_json({k: v for k, v in body.items() if k != "signature"})


def sign_notification(body: dict[str, Any], key: jws.PrivateKey, *, kid: str | None = None) -> dict[str, Any]:
    """A copy of `body` with its detached signature added (consent-manager side; tests and the demo)."""
    return {**body, "signature": jws.sign_detached(notification_payload(body), key, kid=kid)}
