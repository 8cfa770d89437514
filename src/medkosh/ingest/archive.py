"""One safe reader for the ZIP archives users hand over (FHIR bundles today).

Nothing is ever extracted to disk: members are read into memory or streamed, one at a time. Before
any member is read the central directory is checked, and reading re-checks what the headers claim:

- names: no absolute paths, no '..', no drive letters or UNC prefixes, no backslashes, no control
  characters, no duplicates; symbolic links and encrypted members are refused;
- counts and sizes: at most `max_members` members, each at most `max_member_bytes` and all together at
  most `max_total_bytes` uncompressed, with a compression ratio of at most `max_ratio` for any member
  above 1 MiB (a zip bomb is refused from its header, before a byte is inflated);
- while reading: bytes are counted as they are inflated, so a header that lies about a member's size
  (or a corrupt stream) stops the read at the cap with a one-line error.

Every refusal is an ArchiveError: one line naming the archive, the member and what to do.
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from medkosh.errors import InputError

MiB = 1024 * 1024
_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ArchiveError(InputError):
    """A refused archive or archive member (one line: what, where, how to fix)."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None,
                 member: str | None = None) -> None:
        super().__init__(message, where=where, hint=hint)
        self.member = member

    def reason(self) -> str:
        """The line without the archive's path (for reports that name the file already)."""
        line = self.message + (f"; {self.hint}" if self.hint else "")
        return " ".join(line.split())


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 10_000
    max_member_bytes: int = 512 * MiB
    max_total_bytes: int = 2048 * MiB
    max_ratio: float = 100.0
    ratio_floor: int = 1 * MiB  # small members may compress well (a JSON of repeated keys); not checked


DEFAULT_LIMITS = ArchiveLimits()


def is_zip_name(path: Path) -> bool:
    return path.name.lower().endswith(".zip")


def check_member_name(name: str) -> str:
    """The member's name if it is a plain relative path; raises ValueError with the reason otherwise."""
    if not name or _CONTROL.search(name):
        raise ValueError("an empty name or one with control characters")
    if "\\" in name:
        raise ValueError("a backslash in its name (a Windows path)")
    if name.startswith("/") or _DRIVE.match(name):
        raise ValueError("an absolute path")
    parts = PurePosixPath(name).parts
    if ".." in parts:
        raise ValueError("'..' in its path (path traversal)")
    return name


class SafeZip:
    """A checked ZIP archive; use as a context manager."""

    def __init__(self, path: Path, limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
        self.path = path
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise self._error(f"not a readable ZIP archive ({_reason(exc)})",
                              "re-create it with a standard zip tool") from exc
        try:
            self.members = self._check_directory()
        except BaseException:
            self._zip.close()
            raise
        self._inflated = 0

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def _error(self, what: str, hint: str, member: str | None = None) -> ArchiveError:
        where = f"{self.path}" + (f" member {member!r}" if member is not None else "")
        return ArchiveError(f"archive refused: {what}", where=where, hint=hint, member=member)

    def _check_directory(self) -> list[zipfile.ZipInfo]:
        lim = self.limits
        infos = self._zip.infolist()
        if len(infos) > lim.max_members:
            raise self._error(f"{len(infos)} members, more than {lim.max_members}",
                              "split it into several archives")
        files: list[zipfile.ZipInfo] = []
        seen: set[str] = set()
        total = 0
        for info in infos:
            name = info.filename
            try:
                check_member_name(name)
            except ValueError as exc:
                raise self._error(f"a member has {exc}", "re-create the archive with relative names only",
                                  member=name) from None
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise self._error("a member is a symbolic link", "archive the files themselves, not links",
                                  member=name)
            if info.flag_bits & 0x1:
                raise self._error("a member is encrypted", "send an unencrypted archive over a secure channel",
                                  member=name)
            key = name.rstrip("/")
            if key in seen:
                raise self._error("two members have the same name", "re-create the archive", member=name)
            seen.add(key)
            if info.is_dir():
                continue
            if (info.file_size > lim.ratio_floor
                    and info.file_size > lim.max_ratio * max(info.compress_size, 1)):
                ratio = info.file_size / max(info.compress_size, 1)
                raise self._error(f"a member expands {ratio:.0f}-fold (more than {lim.max_ratio:.0f}): "
                                  "a zip bomb", "send the real files", member=name)
            if info.file_size > lim.max_member_bytes:
                raise self._error(f"a member is {info.file_size} bytes uncompressed, more than "
                                  f"{lim.max_member_bytes // MiB} MiB", "split it into smaller files", member=name)
            total += info.file_size
            if total > lim.max_total_bytes:
                raise self._error(f"members total more than {lim.max_total_bytes // MiB} MiB uncompressed",
                                  "split it into several archives")
            files.append(info)
        return files

    def _stream(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        lim = self.limits
        limit = min(info.file_size, lim.max_member_bytes)
        got = 0
        try:
            with self._zip.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    got += len(chunk)
                    self._inflated += len(chunk)
                    if got > limit or self._inflated > lim.max_total_bytes:
                        raise self._error("a member inflates to more than its header says",
                                          "re-create the archive", member=info.filename)
                    yield chunk
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
            raise self._error(f"a member cannot be read ({_reason(exc)})", "re-create the archive",
                              member=info.filename) from exc

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """The member's content, bounded by the limits (its CRC is checked at the end)."""
        return b"".join(self._stream(info))

    def lines(self, info: zipfile.ZipInfo) -> Iterator[tuple[int, bytes]]:
        """(line number, line) of a member, streamed; blank lines skipped."""
        buf = bytearray()
        number = 0
        for chunk in self._stream(info):
            start = 0
            while (end := chunk.find(b"\n", start)) >= 0:
                buf += chunk[start:end]
                number += 1
                if buf.strip():
                    yield number, bytes(buf)
                buf.clear()
                start = end + 1
            buf += chunk[start:]
        if buf.strip():
            yield number + 1, bytes(buf)


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
