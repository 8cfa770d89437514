"""Secrets that must live outside the database: files under HOME/keys (0600) or the environment.

Keys are created on first use. A key is never logged or stored in the database; only key ids
(a short hash of the key) are recorded, so a rotation can be told apart from tampering.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def env_provided(name: str) -> str | None:
    """The environment variable that provides this key, if one does (then the file is not used)."""
    env = _env_name(name)
    return env if os.environ.get(env) else None


def retired_path(name: str, old_id: str) -> Path:
    path = _key_path(name)
    return path.with_name(f"{path.name}.{old_id}.retired")


def rotate_key(name: str, nbytes: int = 32) -> bytes:
    """Replace a key with a new random one; the old one is kept as <name>.key.<key_id>.retired (0600).

    Refused for a key the environment provides: rotate it where it is provisioned (the KMS)."""
    path = _key_path(name)
    env = env_provided(name)
    if env:
        raise InputError(f"key {name!r} comes from the environment ({env}); medkosh cannot rotate it",
                         hint=f"rotate it where {env} is provisioned (your KMS), then restart medkosh")
    if path.exists():
        old = bytes.fromhex(path.read_text().strip())
        os.replace(path, retired_path(name, key_id(old)))
    return get_or_create_key(name, nbytes)


def unretire_key(name: str, old_id: str) -> None:
    """Undo rotate_key (when what had to change with the key could not): the retired key is current again."""
    os.replace(retired_path(name, old_id), _key_path(name))


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown about a key: never the key, only its public fingerprint."""

    name: str
    key_id: str
    source: str  # "file" or the environment variable's name
    mode: str | None  # the file's permission bits ("0600"); None for environment keys
    retired: int  # retired versions kept next to it

    @property
    def mode_ok(self) -> bool:
        return self.mode in (None, "0600", "0400")

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "key_id": self.key_id, "source": self.source, "mode": self.mode,
                "mode_ok": self.mode_ok, "retired": self.retired}


def list_keys() -> list[KeyInfo]:
    """Every key file under HOME/keys and every MEDKOSH_KEY_* environment key."""
    keys_dir = get_settings().keys_dir
    out: dict[str, KeyInfo] = {}
    files = sorted(keys_dir.glob("*.key")) if keys_dir.is_dir() else []
    for path in files:
        name = path.name[:-4]
        retired = len(list(keys_dir.glob(f"{path.name}.*.retired")))
        env = env_provided(name)
        if env:
            out[name] = KeyInfo(name, key_id(get_or_create_key(name)), env, None, retired)
            continue
        try:
            kid = key_id(bytes.fromhex(path.read_text().strip()))
        except ValueError:
            kid = "unreadable"
        out[name] = KeyInfo(name, kid, "file", f"{stat.S_IMODE(path.stat().st_mode):04o}", retired)
    for env, value in sorted(os.environ.items()):
        if env.startswith("MEDKOSH_KEY_") and value and not any(i.source == env for i in out.values()):
            name = env[len("MEDKOSH_KEY_"):].lower().replace("_", "-")
            try:
                kid = key_id(bytes.fromhex(value.strip()))
            except ValueError:
                kid = "not-hex"
            out.setdefault(name, KeyInfo(name, kid, env, None, 0))
    return [out[n] for n in sorted(out)]


def key_id(key: bytes) -> str:
    """A public fingerprint of a key: safe to log and store."""
    return hashlib.sha256(b"medkosh-key-id:" + key).hexdigest()[:16]


# ---- rotation with what must change with each key -----------------------------------------------

AUDIT_KEY = "audit-ed25519"
CONSENT_INDEX_KEY = "consent-patient-index"
RAW_ZONE_KEY = "pseudonym-raw"
# Settings that replace a key file (rotating the file would change nothing).
SETTING_KEYS = {AUDIT_KEY: "MEDKOSH_AUDIT_SIGNING_KEY", "web": "MEDKOSH_SECRET_KEY"}


def retired_audit_public_keys() -> list[str]:
    """Public keys (hex) of rotated-out audit signing keys: old checkpoints stay verifiable, while the
    retired private key is destroyed so nobody can sign a forged checkpoint with it."""
    path = get_settings().keys_dir / f"{AUDIT_KEY}.retired-public"
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def _setting_override(name: str) -> str | None:
    settings = get_settings()
    env = SETTING_KEYS.get(name)
    if env == "MEDKOSH_AUDIT_SIGNING_KEY" and settings.audit_signing_key:
        return env
    if env == "MEDKOSH_SECRET_KEY" and settings.secret_key:
        return env
    return None


def rotate(name: str, *, actor: Any, break_linkage: bool = False) -> dict[str, str]:
    """Rotate one key and do, in one transaction with its audit event, what keeps medkosh consistent with the new key:

    - audit-ed25519: the head is signed with the old key first; its public key is kept (old checkpoints
      stay verifiable), its private key is deleted; the rotation event is signed with the new key.
    - consent-patient-index: every consent artefact's patient_hash is recomputed (consent.service.reindex),
      so withdrawals keep matching; if that fails the old key is put back.
    - pseudonym-raw: refused (raw-zone patient keys, dataset membership and withdrawal matching use it).
    - pseudonym-<dataset>: only with break_linkage (later versions get pseudonyms unrelated to earlier ones).
    - web: sessions, CSRF tokens and signed download links issued before stop working.
    The audit event system.key.rotated names the key and both key ids, never the key."""
    from medkosh.audit import record, signing
    from medkosh.audit.service import checkpoint_now
    from medkosh.audit.types import CoreEvent
    from medkosh.store.db import session_scope

    path = _key_path(name)
    override = env_provided(name) or _setting_override(name)
    if override:
        raise InputError(f"key {name!r} comes from the environment ({override}); medkosh cannot rotate it",
                         hint=f"rotate it where {override} is provisioned (your KMS), then restart medkosh")
    if name == RAW_ZONE_KEY:
        raise InputError(f"refusing to rotate {name!r}: every raw-zone patient_key, dataset membership list and "
                         "consent-withdrawal match is keyed with it, so each patient would become a new person",
                         hint="re-ingest into a new MEDKOSH_HOME if this key is compromised")
    if name.startswith("pseudonym-") and not break_linkage:
        raise InputError(f"rotating {name!r} gives the dataset's next versions pseudonyms and date shifts "
                         "unrelated to its earlier versions", hint="pass --break-linkage if that is intended")
    if not path.exists():
        raise InputError(f"no key file {path.name} under {path.parent}", hint="see `medkosh keys list`")
    old = bytes.fromhex(path.read_text().strip())
    old_id = key_id(old)
    details: dict[str, Any] = {"key": name, "old_key_id": old_id}
    if name == AUDIT_KEY:
        with session_scope() as session:
            checkpoint_now(session)  # everything before the rotation is signed with the old key
        public_file = get_settings().keys_dir / f"{AUDIT_KEY}.retired-public"
        fd = os.open(public_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as fh:
            fh.write(signing.public_key_hex() + "\n")
    new = rotate_key(name, len(old))
    details["new_key_id"] = key_id(new)
    try:
        with session_scope() as session:
            if name == CONSENT_INDEX_KEY:
                from medkosh.consent.service import reindex

                details["consent_artefacts_reindexed"] = reindex(session, actor=actor)
            record(session, CoreEvent.KEY_ROTATED, actor=actor, subject_type="key", subject_id=name,
                   details=details)
            if name == AUDIT_KEY:
                checkpoint_now(session)
    except BaseException:
        unretire_key(name, old_id)  # nothing was committed: the old key is the current one again
        raise
    if name == AUDIT_KEY:
        retired_path(name, old_id).unlink(missing_ok=True)
    return {k: str(v) for k, v in details.items()}
