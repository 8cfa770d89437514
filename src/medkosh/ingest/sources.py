"""Input discovery and reading: files, directories (recursively, sorted), gzip, JSON vs NDJSON."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path

from medkosh.errors import InputError

FHIR_SUFFIXES = (".json", ".ndjson", ".jsonl", ".json.gz", ".ndjson.gz", ".jsonl.gz", ".zip")
ZIP_MEMBER_SUFFIXES = (".json", ".ndjson", ".jsonl")  # inside a .zip (read by medkosh.ingest.archive)
MAX_JSON_BYTES = 512 * 1024 * 1024  # one JSON document is parsed whole; larger inputs must be NDJSON


def discover(paths: list[Path], suffixes: tuple[str, ...] = FHIR_SUFFIXES) -> list[Path]:
    """Every input file named or found under the given paths, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(suffixes)
                                and not p.name.startswith(".")))
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"no such file or folder: {path}", hint="check the path")
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def is_ndjson(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith((".ndjson", ".jsonl"))


def read_bytes(path: Path) -> bytes:
    """The (decompressed) content of one JSON input; raises ValueError with a one-line reason."""
    size = path.stat().st_size
    if size > MAX_JSON_BYTES and not path.name.endswith(".gz"):
        raise ValueError(f"file is larger than {MAX_JSON_BYTES // (1 << 20)} MiB; export it as NDJSON "
                         "(one resource per line) so it can be streamed")
    if path.name.lower().endswith(".gz"):
        try:
            with gzip.open(path, "rb") as fh:
                data = fh.read(MAX_JSON_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"not a readable gzip file ({exc})") from exc
        if len(data) > MAX_JSON_BYTES:
            raise ValueError("decompressed file is too large for one JSON document; use NDJSON")
        return data
    return path.read_bytes()


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) of an NDJSON file, streamed; blank lines are skipped."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                yield number, line


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pointer_at(data: bytes, pos: int) -> str:
    """The JSON pointer of the innermost value open at byte `pos` (where a parser gave up).

    Used only on the error path, so a plain scan is fine: it tracks the container stack, the last
    key of each object and the index in each array."""
    stack: list[list[object]] = []  # [kind, key-or-index, expecting_key]
    i, n = 0, min(pos, len(data))
    while i < n:
        c = data[i]
        if c == 0x22:  # string
            j = i + 1
            while j < len(data) and data[j] != 0x22:
                j += 2 if data[j] == 0x5C else 1
            if stack and stack[-1][0] == "o" and stack[-1][2]:
                stack[-1][1] = data[i + 1:j].decode("utf-8", "replace")
                stack[-1][2] = False
            i = j + 1
            continue
        if c == 0x7B:
            stack.append(["o", None, True])
        elif c == 0x5B:
            stack.append(["a", 0, False])
        elif c in (0x7D, 0x5D):
            if stack:
                stack.pop()
        elif c == 0x2C and stack:
            if stack[-1][0] == "a":
                stack[-1][1] = int(stack[-1][1]) + 1  # type: ignore[call-overload]
            else:
                stack[-1][2] = True
        i += 1
    parts = []
    for kind, key, _ in stack:
        if key is None:
            continue
        parts.append(str(key).replace("~", "~0").replace("/", "~1") if kind == "o" else str(key))
    return "/" + "/".join(parts) if parts else ""
