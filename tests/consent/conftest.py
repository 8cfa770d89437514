"""Helpers for consent tests: a consent manager with real keys that signs real artefacts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from medkosh.consent import jws


@dataclass
class ConsentManager:
    id: str = "cm-test"
    key: Any = field(default_factory=ed25519.Ed25519PrivateKey.generate)

    @property
    def public_text(self) -> str:
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return jws.public_key_hex(self.key)
        return self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def artefact(self, *, consent_id: str | None = None, patient: str = "asha.devi@abdm", purpose: str = "DSRCH",
                 hi_types: tuple[str, ...] = ("OPConsultation", "Prescription"),
                 date_from: str = "2020-01-01T00:00:00Z", date_to: str = "2025-12-31T00:00:00Z",
                 erase_at: str = "2030-01-01T00:00:00Z", status: str = "GRANTED", access_mode: str = "STORE",
                 hip: str | None = "HOSP-A", sign_with: Any = None) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "schemaVersion": "v0.5", "consentId": consent_id or str(uuid.uuid4()),
            "createdAt": "2024-01-02T03:04:05Z", "patient": {"id": patient},
            "careContexts": [{"patientReference": "UHID-1", "careContextReference": "enc-1"}],
            "purpose": {"code": purpose, "text": "research", "refUri": "http://nrces.in/ValueSet/consent-purpose"},
            "hiu": {"id": "medkosh"}, "consentManager": {"id": self.id},
            "requester": {"name": "Dr. R", "identifier": {"type": "REGNO", "value": "1", "system": "https://nmc"}},
            "hiTypes": list(hi_types),
            "permission": {"accessMode": access_mode, "dateRange": {"from": date_from, "to": date_to},
                           "dataEraseAt": erase_at, "frequency": {"unit": "HOUR", "value": 1, "repeats": 0}},
        }
        if hip is not None:
            detail["hip"] = {"id": hip}
        signature = jws.sign_detached(jws.canonical_json(detail), sign_with or self.key)
        return {"consentDetail": detail, "status": status, "signature": signature}

    def trust(self) -> ConsentManager:
        from medkosh.consent.signatures import add_trusted_key
        from medkosh.store.db import session_scope

        with session_scope() as s:
            add_trusted_key(s, self.id, self.public_text, actor="test")
        return self


@pytest.fixture
def cm() -> ConsentManager:
    return ConsentManager()


@pytest.fixture
def rsa_cm() -> ConsentManager:
    return ConsentManager(id="cm-rsa", key=rsa.generate_private_key(public_exponent=65537, key_size=2048))

