"""Detached JWS (RFC 7515 compact form with an RFC 7797 unencoded, detached payload) for consent artefacts.

ABDM consent managers sign consent artefacts with JWS. medkosh stores the artefact's `consentDetail`
and its signature side by side, so the signature is *detached*: the token is `header..signature`
and the verifier supplies the payload itself, as the canonical JSON of `consentDetail`
(`canonical_json`). The header carries `"b64": false` and `"crit": ["b64"]` (RFC 7797), so the
signing input is `BASE64URL(header) || "." || payload` — the exact bytes the verifier canonicalises,
with no second encoding that two implementations could disagree on.

Supported algorithms: EdDSA (Ed25519) and RS256 (RSASSA-PKCS1-v1_5 with SHA-256), both through
`cryptography`. Verification never trusts the token's own `alg` beyond matching it to the key type,
so an attacker cannot downgrade to `none` or switch RS256 for an HMAC.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from medkosh.errors import InputError

ALGORITHMS = ("EdDSA", "RS256")

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey


def canonical_json(obj: Any) -> bytes:
    """The bytes that get signed: JSON with keys sorted, no spaces, UTF-8 (not \\u-escaped).

    Equal to `json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()`
    for the JSON types an artefact uses (strings, integers, booleans, null, lists, objects).
    """
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; raises ValueError on anything else."""
    if not text.isascii() or any(c in text for c in "+/="):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def _alg_for(key: PrivateKey | PublicKey) -> str:
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "EdDSA"
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "RS256"
    raise InputError(f"unsupported key type {type(key).__name__}", hint="use an Ed25519 or RSA key")


def sign_detached(payload: bytes, key: PrivateKey, alg: str | None = None, *, kid: str | None = None) -> str:
    """Sign `payload` and return the compact detached token `header..signature`.

    `alg` defaults to the key's algorithm; naming one that does not match the key is an error.
    """
    key_alg = _alg_for(key)
    alg = alg or key_alg
    if alg not in ALGORITHMS:
        raise InputError(f"unsupported JWS algorithm {alg!r}", hint=f"use one of {', '.join(ALGORITHMS)}")
    if alg != key_alg:
        raise InputError(f"JWS algorithm {alg} does not match the {key_alg} key", hint="pass the matching key")
    header: dict[str, Any] = {"alg": alg, "b64": False, "crit": ["b64"]}
    if kid:
        header["kid"] = kid
    protected = b64url(canonical_json(header))
    signing_input = protected.encode("ascii") + b"." + payload
    if isinstance(key, ed25519.Ed25519PrivateKey):
        signature = key.sign(signing_input)
    else:
        assert isinstance(key, rsa.RSAPrivateKey)
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{protected}..{b64url(signature)}"


def read_header(token: str) -> dict[str, Any]:
    """The protected header of a detached token; raises InputError if the token is malformed."""
    parts = token.split(".")
    if len(parts) != 3 or parts[1] != "":
        raise InputError("malformed detached JWS", hint="expected 'header..signature' with an empty payload part")
    try:
        header = orjson.loads(b64url_decode(parts[0]))
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise InputError("malformed JWS header", hint="the header must be base64url-encoded JSON") from exc
    if not isinstance(header, dict):
        raise InputError("malformed JWS header", hint="the header must be a JSON object")
    return header


def verify_detached(token: str, payload: bytes, public_key: PublicKey) -> bool:
    """True if `token` is a valid detached signature of `payload` by `public_key`; False otherwise.

    A malformed token, an unexpected algorithm for the key, or a header that asks for an encoded
    payload (we sign unencoded payloads only) all count as "does not verify", never as an exception.
    """
    try:
        header = read_header(token)
        signature = b64url_decode(token.split(".")[2])
        key_alg = _alg_for(public_key)
    except (InputError, ValueError):
        return False
    if header.get("alg") != key_alg or header.get("b64") is not False or header.get("crit") != ["b64"]:
        return False
    signing_input = token.split(".")[0].encode("ascii") + b"." + payload
    try:
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, signing_input)
        else:
            public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def ed25519_from_seed(seed: bytes) -> ed25519.Ed25519PrivateKey:
    """An Ed25519 key from a 32-byte seed (how the synthetic consent manager stays deterministic)."""
    if len(seed) != 32:
        raise InputError("an Ed25519 seed is 32 bytes", hint="pass 64 hex digits")
    return ed25519.Ed25519PrivateKey.from_private_bytes(seed)


def public_key_hex(key: ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey) -> str:
    """The raw 32-byte public key in hex (the form consent-manager/public.json publishes)."""
    pub = key.public_key() if isinstance(key, ed25519.Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def load_public_key(value: str | bytes) -> PublicKey:
    """A public key from 64 hex digits (raw Ed25519) or PEM (Ed25519 or RSA); InputError otherwise."""
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else value
    text = text.strip()
    if "BEGIN" not in text:
        try:
            raw = bytes.fromhex(text)
        except ValueError as exc:
            raise InputError("public key is neither hex nor PEM", hint="give 64 hex digits or a PEM block") from exc
        if len(raw) != 32:
            raise InputError("an Ed25519 public key is 32 bytes", hint="give 64 hex digits")
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    try:
        key = serialization.load_pem_public_key(text.encode("ascii"))
    except ValueError as exc:
        raise InputError("cannot read the PEM public key", hint="give an Ed25519 or RSA public key") from exc
    if not isinstance(key, ed25519.Ed25519PublicKey | rsa.RSAPublicKey):
        raise InputError(f"unsupported public key type {type(key).__name__}", hint="use Ed25519 or RSA")
    return key
