"""Consent-manager notifications (GRANTED, REVOKED, EXPIRED), authenticated by their own signature.

Body (JSON object; shape modelled on the ABDM HIE-CM `consents/hip/notify` callback):

    {"requestId": "<uuid>", "timestamp": "<ISO 8601>",
     "notification": {"consentId": "...", "status": "GRANTED|REVOKED|EXPIRED",
                      "consentDetail": {...}, "signature": "<artefact JWS>"},   # both only for GRANTED
     "signature": "<detached JWS over the canonical JSON of the body without 'signature'>"}

The outer signature must verify against a trusted key of the consent manager: the one named in
consentDetail, or, for a status change, the one that signed the stored artefact. Processing is
idempotent: a replayed requestId, or a status the artefact already has, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.consent import service
from medkosh.consent.artefact import parse_timestamp
from medkosh.consent.signatures import notification_payload, verify_by
from medkosh.consent.types import ChangeSource, ConsentStatus
from medkosh.errors import ConflictError, InputError, NotFoundError
from medkosh.store.tables.consent import ConsentArtefactRow, ConsentStatusEventRow

NOTIFIED = frozenset({ConsentStatus.GRANTED, ConsentStatus.REVOKED, ConsentStatus.EXPIRED})
ACTOR_PREFIX = "consent-manager:"
MAX_ID = 120


@dataclass(frozen=True)
class NotificationResult:
    consent_id: str
    status: str
    action: str  # imported | status_changed | unchanged | stale | duplicate

    def as_dict(self) -> dict[str, str]:
        return {"consent_id": self.consent_id, "status": self.status, "action": self.action}


def _str(obj: dict[str, Any], key: str, pointer: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"missing {pointer}", hint="see docs/guides/consent.md for the notification shape")
    if len(value) > MAX_ID and key != "signature":
        raise InputError(f"{pointer} is longer than {MAX_ID} characters")
    return value


def receive(session: Session, body: Any) -> NotificationResult:
    """Verify and apply one notification in the caller's transaction."""
    if not isinstance(body, dict):
        raise InputError("a consent notification is a JSON object")
    request_id = _str(body, "requestId", "/requestId")
    reported_at = parse_timestamp(body.get("timestamp"), "/timestamp", "notification")
    note = body.get("notification")
    if not isinstance(note, dict):
        raise InputError("missing /notification")
    consent_id = _str(note, "consentId", "/notification/consentId")
    try:
        status = ConsentStatus(str(note.get("status")))
    except ValueError as exc:
        raise InputError(f"unknown /notification/status {str(note.get('status'))[:20]!r}",
                         hint="expected GRANTED, REVOKED or EXPIRED") from exc
    if status not in NOTIFIED:
        raise InputError(f"/notification/status {status} is not notified", hint="expected GRANTED, REVOKED or EXPIRED")
    token = _str(body, "signature", "/signature")
    detail = note.get("consentDetail")
    stored = session.get(ConsentArtefactRow, consent_id)
    if isinstance(detail, dict):
        cm = detail.get("consentManager")
        cm_id = cm.get("id") if isinstance(cm, dict) else None
        if not isinstance(cm_id, str) or not cm_id:
            raise InputError("missing /notification/consentDetail/consentManager/id")
        if isinstance(detail.get("consentId"), str) and detail["consentId"] != consent_id:
            raise InputError("/notification/consentId differs from consentDetail.consentId")
    elif stored is not None:
        cm_id = stored.consent_manager_id
    elif status is ConsentStatus.GRANTED:
        raise InputError("a GRANTED notification must carry consentDetail and its signature",
                         where="/notification", hint="send the artefact with the grant")
    else:
        raise NotFoundError(f"unknown consent {consent_id!r}",
                            hint="medkosh has no artefact with this id; send it with its consentDetail")
    # Authenticate before anything else is revealed or changed (the signature is the credential).
    verify_by(session, cm_id, token, notification_payload(body), what=f"notification {request_id}",
              where="/signature")
    if stored is not None and stored.consent_manager_id != cm_id:
        raise ConflictError(f"consent {consent_id} belongs to another consent manager",
                            hint="only the consent manager that issued an artefact may change it")
    seen = session.execute(select(ConsentStatusEventRow).where(ConsentStatusEventRow.request_id == request_id)
                           ).scalar_one_or_none()
    if seen is not None:
        if seen.consent_id == consent_id and seen.to_status == status.value:
            return NotificationResult(consent_id, status.value, "duplicate")
        raise ConflictError(f"requestId {request_id} was already used for another change",
                            hint="every notification needs a fresh requestId")
    actor = ACTOR_PREFIX + cm_id
    if isinstance(detail, dict):
        doc = {"consentDetail": detail, "status": status.value, "signature": _str(note, "signature",
                                                                                  "/notification/signature")}
        result = service.import_artefact(session, doc, where=f"notification {request_id}", actor=actor,
                                         source=ChangeSource.NOTIFICATION, request_id=request_id,
                                         reported_at=reported_at)
        return NotificationResult(consent_id, result.status.value, result.action)
    changed = service.change_status(session, consent_id, status, source=ChangeSource.NOTIFICATION, actor=actor,
                                    request_id=request_id, reported_at=reported_at)
    return NotificationResult(consent_id, status.value, "status_changed" if changed else "unchanged")
