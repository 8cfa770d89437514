"""Short-lived signed download URLs. Issuing one applies the tier rules (policies.check_can_download);
serving re-applies them (a grant revoked or a training lapsed a minute ago stops the download) and
logs every file served in the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy.orm import Session

from medkosh.access import policies, service
from medkosh.access.types import AccessEvent
from medkosh.audit import Actor, record
from medkosh.errors import AuthenticationError, NotFoundError
from medkosh.identity.secrets import serializer
from medkosh.identity.types import Principal

URL_SECONDS = 300
_SALT = "medkosh-download"


@dataclass(frozen=True)
class Served:
    stream: IO[bytes]
    filename: str
    size: int
    media_type: str


def _file(version: Any, path: str) -> Any:
    for entry in version.files:
        if entry.path == path:
            return entry
    raise NotFoundError(f"{version.ref} has no file {path!r}", hint="see the dataset page for its files")


def issue_url(session: Session, principal: Principal | None, version_ref: str, path: str) -> str:
    """A URL valid for URL_SECONDS that serves one file of one version to this caller."""
    version = service.check_data_use(session, principal, version_ref, in_tre=False)
    entry = _file(version, path)
    token = serializer(_SALT).dumps({"v": version.id, "d": version.dataset_id, "p": entry.path,
                                     "u": principal.id if principal else None})
    record(session, AccessEvent.DOWNLOAD_URL, actor=principal.audit_actor() if principal else None,
           subject_type="dataset_version", subject_id=f"{version.dataset_id}@{version.number}",
           details={"version": version.id, "path": entry.path, "tier": str(version.tier), "seconds": URL_SECONDS})
    return f"/api/access/download/{token}"


def read_token(token: str) -> dict[str, Any]:
    try:
        data = serializer(_SALT).loads(token, max_age=URL_SECONDS)
    except SignatureExpired:
        raise AuthenticationError("download link expired", hint="ask for a new link; links last 5 minutes") from None
    except BadSignature:
        raise AuthenticationError("download link is not valid", hint="ask for a new link from the dataset page") from None
    if not isinstance(data, dict) or not {"v", "d", "p", "u"} <= set(data):
        raise AuthenticationError("download link is not valid")
    return data


def serve(session: Session, token: str) -> Served:
    """Open the file a valid link names, after re-checking the tier rules; audited."""
    from medkosh.catalog.service import get_version, open_file
    from medkosh.identity.service import get_user

    data = read_token(token)
    principal = Principal(user=get_user(session, data["u"]), via="signed-url") if data["u"] else None
    version = get_version(session, f"{data['d']}@{data['v']}")
    service.check_not_sealed(session, version)
    policies.check_can_download(principal, service.access_facts(session, principal.id if principal else None, version))
    entry = _file(version, data["p"])
    stream = open_file(session, f"{data['d']}@{data['v']}", entry.path)
    record(session, AccessEvent.DOWNLOAD_SERVED,
           actor=principal.audit_actor() if principal else Actor("anonymous"),
           subject_type="dataset_version", subject_id=f"{version.dataset_id}@{version.number}",
           details={"version": version.id, "path": entry.path, "sha256": entry.sha256, "bytes": entry.size,
                    "tier": str(version.tier)})
    return Served(stream=stream, filename=entry.path.rsplit("/", 1)[-1], size=entry.size,
                  media_type=entry.media_type or "application/octet-stream")
