"""Consent API: the endpoint that receives consent-manager notifications (GRANTED / REVOKED / EXPIRED).

There is no user session here: the consent manager's JWS signature over the body is the credential,
so the route is public in the access policy and medkosh.consent.notifications refuses anything whose
signature does not verify against a trusted key.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from medkosh.errors import InputError, MedkoshError, PayloadTooLarge

log = logging.getLogger("medkosh.consent")

router = APIRouter(tags=["consent"])

MAX_BODY = 1 << 20  # 1 MiB: an artefact with hundreds of care contexts is still far below this
# Under /api/: machine-to-machine calls there carry no session cookie, so no CSRF token is expected
# (medkosh.api.deps); a page path would demand one that a consent manager cannot have.
PATH = "/api/consent/notifications"


def _register_policy() -> None:
    """Public: authentication is the signature, checked by the consent domain."""
    try:
        from medkosh.access.policies import public, register
    except ImportError:  # a build without the access domain has no central route check to satisfy
        return
    register("POST", PATH, "consent.notification.receive", public())


_register_policy()


def _process(body: Any) -> dict[str, str]:
    from medkosh.consent.notifications import receive
    from medkosh.store.db import session_scope

    try:
        with session_scope() as session:
            return receive(session, body).as_dict()
    except MedkoshError as exc:
        _record_rejection(body, exc)
        raise


def _record_rejection(body: Any, exc: MedkoshError) -> None:
    """A refused notification is a security event; it is recorded in its own transaction because the
    request's transaction was rolled back. Only the request and consent ids are kept, never the body."""
    from medkosh.audit import record
    from medkosh.consent.types import ConsentEvent
    from medkosh.store.db import session_scope

    note = body.get("notification") if isinstance(body, dict) else None
    consent_id = note.get("consentId") if isinstance(note, dict) else None
    request_id = body.get("requestId") if isinstance(body, dict) else None
    try:
        with session_scope() as session:
            record(session, ConsentEvent.NOTIFICATION_REJECTED, actor="consent-manager:unverified",
                   subject_type="consent", subject_id=str(consent_id)[:120] if consent_id else None,
                   outcome="denied", details={"request_id": str(request_id)[:120] if request_id else None,
                                              "error": type(exc).__name__, "status": exc.http_status})
    except MedkoshError:  # the database is down: the caller still gets the original error
        log.warning("could not record a rejected consent notification")


@router.post(PATH, summary="Receive a consent-manager notification")
async def receive_notification(request: Request) -> dict[str, str]:
    """Receive a consent manager's notification; idempotent on replays (see docs/guides/consent.md)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY:
        raise PayloadTooLarge(f"notification larger than {MAX_BODY} bytes")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise PayloadTooLarge(f"notification larger than {MAX_BODY} bytes")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError("the notification body is not valid JSON", hint="send a JSON object") from exc
    return await run_in_threadpool(_process, body)

