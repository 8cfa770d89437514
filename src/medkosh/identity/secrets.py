"""Password hashing (argon2id) and high-entropy bearer secrets (API tokens, session ids).

Passwords are low-entropy, so they get a slow, salted argon2id hash. Tokens and session ids are
256-bit random values: a SHA-256 digest is enough to make a stolen database useless, and it lets
the lookup stay one indexed query per request.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import URLSafeTimedSerializer

from medkosh.errors import InputError

_HASHER = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
MIN_PASSWORD = 10
TOKEN_PREFIX = "mk_"  # noqa: S105  (a prefix, not a secret)



@functools.cache
def _dummy_hash() -> str:
    # Verifying against this keeps a login with an unknown email as slow as one with a wrong password.
    return _HASHER.hash(secrets.token_urlsafe(16))


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password too short ({len(password)} characters)",
                         hint=f"use at least {MIN_PASSWORD} characters; a passphrase is best")
    if len(password) > 1024:
        raise InputError("password too long", hint="use at most 1024 characters")


def hash_password(password: str) -> str:
    check_password_strength(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token(token_id: str) -> str:
    """A bearer token 'mk_<token id>_<secret>': the id finds the row, the secret proves possession."""
    return f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"


def split_token(token: str) -> tuple[str, str] | None:
    """(token id, whole token) or None when the text cannot be a medkosh token."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    rest = token[len(TOKEN_PREFIX):]
    # ids look like 'tok_<hex>'; the secret follows the id's second underscore.
    parts = rest.split("_", 2)
    if len(parts) != 3 or parts[0] != "tok" or not parts[1] or not parts[2]:
        return None
    return f"{parts[0]}_{parts[1]}", token


def same_digest(stored: str, secret: str) -> bool:
    return hmac.compare_digest(stored, digest(secret))


@functools.lru_cache(maxsize=8)
def _web_secret_for(home: str, configured: str | None) -> bytes:
    if configured:
        return configured.encode()
    from medkosh.keys import get_or_create_key

    return get_or_create_key("web")


def web_secret() -> bytes:
    """Key for session cookies, CSRF tokens and signed download URLs: MEDKOSH_SECRET_KEY, or
    HOME/keys/web.key (created on first use)."""
    from medkosh.config import get_settings

    s = get_settings()
    return _web_secret_for(str(s.home_dir), s.secret_key.get_secret_value() if s.secret_key else None)


def serializer(salt: str) -> URLSafeTimedSerializer:
    """Signed, timestamped values (cookies, download links); each use has its own salt."""
    return URLSafeTimedSerializer(web_secret(), salt=salt)
