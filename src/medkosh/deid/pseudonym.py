"""Keyed pseudonyms: the same source identifier gives the same pseudonym across FHIR, CSV, DICOM and
notes within one dataset (linkage without identity); another dataset's secret gives unrelated values.

pseudonym = "P" + first 20 hex digits of HMAC-SHA256(secret, "<system>|<normalised identifier>")
The secret is held outside the database (medkosh.keys), one per dataset (or per platform zone).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from medkosh.keys import get_or_create_key

_SPACES = re.compile(r"[\s\-]+")


def normalise_identifier(value: str) -> str:
    """Identifiers are compared without case, spaces or dashes (ABHA 12-3456-... == 123456...)."""
    return _SPACES.sub("", str(value)).upper()


def dataset_secret(scope: str) -> bytes:
    """The per-dataset (or per-zone) pseudonymisation secret, created on first use."""
    return get_or_create_key(f"pseudonym-{scope}")


def pseudonym(secret: bytes, identifier: str, system: str = "") -> str:
    message = f"{system}|{normalise_identifier(identifier)}".encode()
    return "P" + hmac.new(secret, message, hashlib.sha256).hexdigest()[:20]


def keyed_uid(secret: bytes, uid: str, root: str = "2.25") -> str:
    """A deterministic DICOM UID (<=64 chars) derived from an original UID under the secret."""
    digest = hmac.new(secret, f"uid|{uid}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:16], "big")  # 128 bits, as UUID-derived 2.25 UIDs use
    return f"{root}.{number}"
