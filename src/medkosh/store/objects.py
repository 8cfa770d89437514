"""Content-addressed object store (sha256) behind fsspec.

Objects live at <root>/<aa>/<bb>/<sha256>. A write goes to a temporary name first and is then
moved into place, so a reader never sees a half-written object, and a writer killed midway
leaves at most a stray temporary file (swept by `sweep_temp`).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import fsspec

from medkosh.config import get_settings
from medkosh.errors import InputError, IntegrityError, NotFoundError

_SHA = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20
_TMP = ".tmp"


def _mtime(info: dict[str, Any]) -> float:
    """Modification time from an fsspec info dict (local: float 'mtime'; others may give a datetime)."""
    value = info.get("mtime") or info.get("LastModified") or info.get("last_modified") or 0
    return float(value.timestamp()) if hasattr(value, "timestamp") else float(value)


class ObjectStore:
    def __init__(self, url: str | None = None) -> None:
        url = url or get_settings().effective_object_store_url
        self.fs, root = fsspec.core.url_to_fs(url)
        self.root = root.rstrip("/")
        self.is_local = self.fs.protocol in ("file", ("file", "local")) or "file" in self.fs.protocol
        self.fs.makedirs(f"{self.root}/{_TMP}", exist_ok=True)

    def _path(self, sha: str) -> str:
        if not _SHA.match(sha):
            raise InputError(f"not a sha256 object id: {sha!r}", hint="object ids are 64 lowercase hex digits")
        return f"{self.root}/{sha[:2]}/{sha[2:4]}/{sha}"

    def local_path(self, sha: str) -> Path:
        """Filesystem path of an object (local stores only); raises if absent."""
        if not self.is_local:
            raise InputError("local_path() needs a local object store", hint="use open() for remote stores")
        path = Path(self._path(sha))
        if not path.exists():
            raise NotFoundError(f"object {sha} not found in the object store")
        return path

    def exists(self, sha: str) -> bool:
        return bool(self.fs.exists(self._path(sha)))

    def size(self, sha: str) -> int:
        return int(self.fs.size(self._path(sha)))

    def put_bytes(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if self.exists(sha):
            return sha
        return self._publish(sha, lambda fh: fh.write(data))

    def put_file(self, path: str | os.PathLike[str]) -> str:
        """Store a file's content; streamed, so large files never sit in memory."""
        digest = hashlib.sha256()
        with open(path, "rb") as src:
            for chunk in iter(lambda: src.read(_CHUNK), b""):
                digest.update(chunk)
        sha = digest.hexdigest()
        if self.exists(sha):
            return sha

        def copy(fh: IO[bytes]) -> None:
            with open(path, "rb") as src:
                for chunk in iter(lambda: src.read(_CHUNK), b""):
                    fh.write(chunk)

        return self._publish(sha, copy)

    def put_stream(self, chunks: Iterator[bytes]) -> str:
        """Store data arriving in chunks (e.g. an upload) without knowing its hash in advance."""
        tmp = f"{self.root}/{_TMP}/{secrets.token_hex(8)}"
        digest = hashlib.sha256()
        with self.fs.open(tmp, "wb") as fh:
            for chunk in chunks:
                digest.update(chunk)
                fh.write(chunk)
            self._sync(fh)
        sha = digest.hexdigest()
        self._move_into_place(tmp, sha)
        return sha

    def _publish(self, sha: str, write: Any) -> str:
        tmp = f"{self.root}/{_TMP}/{secrets.token_hex(8)}"
        with self.fs.open(tmp, "wb") as fh:
            write(fh)
            self._sync(fh)
        self._move_into_place(tmp, sha)
        return sha

    def _sync(self, fh: Any) -> None:
        if self.is_local:
            fh.flush()
            os.fsync(fh.fileno())

    def _move_into_place(self, tmp: str, sha: str) -> None:
        dest = self._path(sha)
        if self.fs.exists(dest):
            self.fs.rm(tmp)
            return
        self.fs.makedirs(dest.rsplit("/", 1)[0], exist_ok=True)
        if self.is_local:
            os.replace(tmp, dest)  # atomic within one filesystem
        else:
            self.fs.mv(tmp, dest)

    def open(self, sha: str) -> IO[bytes]:
        path = self._path(sha)
        if not self.fs.exists(path):
            raise NotFoundError(f"object {sha} not found in the object store")
        return self.fs.open(path, "rb")  # type: ignore[no-any-return]

    def get_bytes(self, sha: str, verify: bool = True) -> bytes:
        with self.open(sha) as fh:
            data = fh.read()
        if verify and hashlib.sha256(data).hexdigest() != sha:
            raise IntegrityError(f"object {sha} is corrupt: its content hash differs",
                                 hint="restore it from backup")
        return data

    def delete(self, sha: str) -> None:
        path = self._path(sha)
        if self.fs.exists(path):
            self.fs.rm(path)

    def iter_ids(self) -> Iterator[str]:
        for path in self.fs.find(self.root):
            name = str(path).rsplit("/", 1)[-1]
            if _SHA.match(name) and f"/{_TMP}/" not in str(path):
                yield name

    def sweep_temp(self, min_age_s: float = 0.0) -> int:
        """Remove temporary files left by writers that died; returns how many. With min_age_s, only files
        untouched for that long (safe while other processes write: a live writer's file is fresh)."""
        paths = self.fs.find(f"{self.root}/{_TMP}")
        removed = 0
        now = time.time()
        for path in paths:
            try:
                if min_age_s > 0 and now - _mtime(self.fs.info(path)) < min_age_s:
                    continue
                self.fs.rm(path)
                removed += 1
            except FileNotFoundError:
                continue  # its writer finished (moved it into place) meanwhile
        return removed
