"""Effective settings, read from the environment (prefix MEDKOSH_) with safe defaults.

Nothing here touches the disk at import time; paths are created by the code that uses them.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FIELDS = frozenset({"secret_key", "database_url", "audit_signing_key"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDKOSH_", extra="ignore")

    home: Path = Field(default=Path(".medkosh"), description="Root folder for the database, objects, zones and keys.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite (WAL) at HOME/medkosh.db."
    )
    object_store_url: str | None = Field(
        default=None, description="fsspec URL of the content-addressed store; default HOME/objects."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: SecretStr | None = Field(
        default=None, description="Key for signed URLs and sessions; default read from HOME/keys/web.key."
    )
    audit_signing_key: SecretStr | None = Field(
        default=None, description="Ed25519 private key (hex); default read from HOME/keys/audit-ed25519.key."
    )
    audit_checkpoint_every: int = Field(default=1000, ge=1, description="Sign a checkpoint every N audit events.")
    log_level: str = "INFO"
    debug: bool = False
    # Hostile-input limits (medkosh.api.limits); 0 switches a rate limit off.
    max_request_bytes: int = Field(default=10 * 1024 * 1024, ge=1024,
                                   description="Largest request body outside the upload routes (413 above it).")
    rate_limit_token_per_minute: int = Field(default=6000, ge=0, description="Requests a minute per API token.")
    rate_limit_ip_per_minute: int = Field(default=12000, ge=0, description="Requests a minute per client IP.")
    rate_limit_burst_seconds: int = Field(default=10, ge=1, description="A bucket holds this many seconds of rate.")
    rate_limit_login_failures: int = Field(default=10, ge=0,
                                           description="Failed sign-ins per client IP per window before 429.")
    rate_limit_login_window_seconds: int = Field(default=900, ge=1, description="Window for failed sign-ins.")
    trusted_proxies: str = Field(default="", description="Comma-separated IPs/CIDRs of TLS-terminating proxies whose "
                                 "X-Forwarded-Proto/-For are honoured ('' = none).")

    @field_validator("home", mode="before")
    @classmethod
    def _expand_home(cls, value: Any) -> Any:
        if isinstance(value, str):
            return Path(value).expanduser()
        return value

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().absolute()

    @property
    def keys_dir(self) -> Path:
        return self.home_dir / "keys"

    @property
    def raw_zone(self) -> Path:
        return self.home_dir / "raw"

    @property
    def work_dir(self) -> Path:
        return self.home_dir / "work"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home_dir / 'medkosh.db'}"

    @property
    def effective_object_store_url(self) -> str:
        if self.object_store_url:
            return self.object_store_url
        return str(self.home_dir / "objects")

    def masked(self) -> dict[str, Any]:
        """Every effective setting, with secrets (and passwords inside URLs) masked."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "********" if value.get_secret_value() else None
            elif isinstance(value, Path):
                value = str(value)
            out[name] = value
        out["home"] = str(self.home_dir)
        out["database_url"] = mask_url(self.effective_database_url)
        out["object_store_url"] = mask_url(self.effective_object_store_url)
        return out


def mask_url(url: str) -> str:
    """Hide the password part of a URL such as postgresql://user:pw@host/db."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    if ":" in creds:
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:********@{host}"
    return url


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget cached settings (tests and the demo change MEDKOSH_* variables)."""
    get_settings.cache_clear()
    from medkosh.store import db  # local import: store depends on config, not the reverse

    db.dispose_engines()
