"""Ed25519 signatures over audit checkpoints, with the platform key kept outside the database."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from medkosh.audit import chain
from medkosh.config import get_settings
from medkosh.keys import get_or_create_key, key_id
from medkosh.store.base import utcnow
from medkosh.store.tables.audit import AuditCheckpointRow

KEY_NAME = "audit-ed25519"


def private_key() -> Ed25519PrivateKey:
    configured = get_settings().audit_signing_key
    seed = bytes.fromhex(configured.get_secret_value()) if configured else get_or_create_key(KEY_NAME, 32)
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_hex(key: Ed25519PrivateKey | None = None) -> str:
    key = key or private_key()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def trusted_public_keys() -> set[str]:
    """The current public key and those of rotated-out keys (`medkosh keys rotate audit-ed25519`)."""
    from medkosh.keys import retired_audit_public_keys

    return {public_key_hex(), *retired_audit_public_keys()}


def make_checkpoint(seq: int, hash_hex: str) -> AuditCheckpointRow:
    key = private_key()
    pub = public_key_hex(key)
    sig = key.sign(chain.checkpoint_message(seq, hash_hex))
    return AuditCheckpointRow(seq=seq, hash=hash_hex, signed_at=utcnow(), key_id=key_id(bytes.fromhex(pub)),
                              public_key=pub, signature=sig.hex())


def verify_signature(public_hex: str, seq: int, hash_hex: str, signature_hex: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            bytes.fromhex(signature_hex), chain.checkpoint_message(seq, hash_hex))
        return True
    except (InvalidSignature, ValueError):
        return False
