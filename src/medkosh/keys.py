"""Secrets that must live outside the database: files under HOME/keys (0600) or the environment.

Keys are created on first use. A key is never logged or stored in the database; only key ids
(a short hash of the key) are recorded, so a rotation can be told apart from tampering.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from medkosh.config import get_settings
from medkosh.errors import InputError

_NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


def _key_path(name: str) -> Path:
    if not name or set(name.lower()) - _NAME_OK or name.startswith("."):
        raise InputError(f"invalid key name {name!r}", hint="use letters, digits, '-', '_' and '.'")
    return get_settings().keys_dir / f"{name}.key"


def _env_name(name: str) -> str:
    return "MEDKOSH_KEY_" + "".join(c if c.isalnum() else "_" for c in name).upper()


def get_or_create_key(name: str, nbytes: int = 32) -> bytes:
    """Return the secret named `name`, creating a random one (0600) if none exists yet.

    An environment variable MEDKOSH_KEY_<NAME> (hex) wins over the file, so a KMS can inject keys.
    """
    env = os.environ.get(_env_name(name))
    if env:
        try:
            return bytes.fromhex(env.strip())
        except ValueError as exc:
            raise InputError(f"{_env_name(name)} is not hex", hint="set it to a hex-encoded key") from exc
    path = _key_path(name)
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    key = secrets.token_bytes(nbytes)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex())
    try:
        # link() fails if another process created the key first; then we use theirs.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return bytes.fromhex(path.read_text().strip())


def rotate_key(name: str, nbytes: int = 32) -> bytes:
    """Replace a key with a new random one; the old one is kept as <name>.key.<key_id>.retired."""
    path = _key_path(name)
    if path.exists():
        old = bytes.fromhex(path.read_text().strip())
        os.replace(path, path.with_name(f"{path.name}.{key_id(old)}.retired"))
    return get_or_create_key(name, nbytes)


def key_id(key: bytes) -> str:
    """A public fingerprint of a key: safe to log and store."""
    return hashlib.sha256(b"medkosh-key-id:" + key).hexdigest()[:16]
