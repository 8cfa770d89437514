"""The PHI and canary scanner: the release gate that the catalog build and the TRE output
checker run over every artefact before it leaves the platform.

It runs the note de-identification engine in its high-recall "scan" profile over text, JSON,
CSV/TSV, Parquet (string columns), HTML and DICOM headers (every string element, private tags
and sequences included), and looks for canaries (values planted in the raw data that must never
come out) in every common rendering: any case, with or without spaces, dashes, dots, carets or
other separators, and with a name's words in any order.

A finding never carries the identifier itself: excerpts are masked.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHUNK_CHARS = 1_000_000
# Dates are everywhere in released data after a per-patient shift and cannot be told apart from
# real ones, and state names are not identifying (HIPAA Safe Harbor keeps states); the gate
# leaves both out unless asked.
DEFAULT_IGNORE = frozenset({"DATE"})
_STATES = None
_MIN_CANARY = 5
_TAGS = re.compile(r"<[^>]*>")
_ATTRIBUTE = re.compile(r"""([A-Za-z_:][\w:.\-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
# Attributes whose values are text a reader sees (or a page carries as data): scanned like text.
# Others (class, id, href, style, src, on* handlers) are markup.
_TEXT_ATTRIBUTES = frozenset({"alt", "title", "value", "placeholder", "label", "aria-label", "aria-description",
                              "aria-placeholder", "aria-valuetext", "content", "summary", "abbr", "download"})


def _blank_tag(m: re.Match[str]) -> str:
    """A tag as blanks of the same length, except the values of text attributes (alt, title, value,
    data-*), each on a line of its own (the quotes become line breaks), so they are scanned at their
    offsets and no name runs from one value into the next."""
    tag = m.group()
    out = [" "] * len(tag)
    for a in _ATTRIBUTE.finditer(tag):
        name = a.group(1).lower()
        if name not in _TEXT_ATTRIBUTES and not name.startswith("data-"):
            continue
        group = next(g for g in (2, 3, 4) if a.group(g) is not None)
        start, end = a.span(group)
        out[start:end] = tag[start:end]
        out[start - 1] = "\n"
        if end < len(tag):
            out[end] = "\n"
    return "".join(out)
_SCRIPT = re.compile(r"(?is)<(script|style)\b.*?</\1\s*>")


@dataclass(frozen=True)
class Finding:
    path: str
    offset: int          # character offset in a text file; row index in a table; line in JSONL; -1 in DICOM
    label: str           # a PHI label (NAME, AADHAAR, ...) or CANARY
    excerpt_masked: str  # context with every identifier in it masked
    where: str = ""      # "offset 120", "row 4, column name", "line 3, /text, char 40", "(0010,0010) PatientName"
    kind: str = "phi"    # "phi" or "canary"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "offset": self.offset, "label": self.label, "where": self.where,
                "kind": self.kind, "excerpt": self.excerpt_masked}


# ---- masking --------------------------------------------------------------------------------------

def mask(value: str) -> str:
    """Keep separators and the first character of a long value; star out every other letter/digit."""
    keep = 1 if sum(ch.isalnum() for ch in value) >= 6 else 0
    out = []
    seen = 0
    for ch in value:
        if ch.isalnum():
            out.append(ch if seen < keep else "*")
            seen += 1
        else:
            out.append(ch)
    return "".join(out)


def _excerpt(text: str, start: int, end: int, hide: Sequence[tuple[int, int]], width: int = 24) -> str:
    lo, hi = max(0, start - width), min(len(text), end + width)
    pieces = []
    pos = lo
    for s, e in sorted(hide):
        if e <= lo or s >= hi:
            continue
        s, e = max(s, lo), min(e, hi)
        if s < pos:
            continue
        pieces.append(text[pos:s])
        pieces.append(mask(text[s:e]))
        pos = e
    pieces.append(text[pos:hi])
    return " ".join("".join(pieces).split())


# ---- canaries -------------------------------------------------------------------------------------

def _normalise(text: str) -> tuple[str, list[int]]:
    """Letters and digits only, lower case, with each kept character's offset in `text`."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch.isalnum():
            chars.append(ch.lower())
            offsets.append(i)
    return "".join(chars), offsets


class CanarySet:
    """Canaries as normalised needles; a multi-word canary also in every word order (KUMAR^RAMESH)."""

    def __init__(self, canaries: Iterable[str]) -> None:
        needles: set[str] = set()
        for value in canaries:
            words = [w for w in re.split(r"[\W_]+", str(value)) if w]
            if not words:
                continue
            orders = itertools.permutations(words) if len(words) <= 3 else [words]
            for order in orders:
                needle = "".join(order).lower()
                if len(needle) >= _MIN_CANARY:
                    needles.add(needle)
        self.needles = sorted(needles, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.needles)

    def find(self, text: str) -> list[tuple[int, int]]:
        if not self.needles:
            return []
        norm, offsets = _normalise(text)
        hits = []
        for needle in self.needles:
            i = norm.find(needle)
            while i >= 0:
                hits.append((offsets[i], offsets[i + len(needle) - 1] + 1))
                i = norm.find(needle, i + 1)
        return hits


def load_canaries(path: Path) -> list[str]:
    """canaries.json from `medkosh synth` ([{"value": ...}, ...] or ["...", ...]) or one value a line."""
    import orjson

    from medkosh.errors import InputError

    raw = path.read_bytes()
    if path.suffix == ".json":
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InputError("canary file is not valid JSON", where=str(path)) from exc
        values = [d.get("value") if isinstance(d, dict) else d for d in data] if isinstance(data, list) else []
        return [str(v) for v in values if v]
    return [line.strip() for line in raw.decode("utf-8").splitlines() if line.strip()]


# ---- scanning blocks of text ----------------------------------------------------------------------

def _state_names() -> frozenset[str]:
    global _STATES
    if _STATES is None:
        from medkosh.deid.text.lexicon import INDIAN_STATES

        _STATES = frozenset(INDIAN_STATES) | {"india"}
    return _STATES


class _Scanner:
    def __init__(self, canaries: Sequence[str] | None, ignore: frozenset[str]) -> None:
        self.canaries = CanarySet(canaries or [])
        self.ignore = ignore

    def block(self, text: str, path: str, base: int, where: Any, offset_of: Any = None) -> list[Finding]:
        """Findings in one block of text. `where(local_offset)` says where; offsets are base + local."""
        from medkosh.deid.text.engine import detect

        spans = [s for s in detect(text, profile="scan") if s.label not in self.ignore
                 and not (s.label == "LOCATION" and text[s.start:s.end].lower() in _state_names())]
        canary_hits = self.canaries.find(text)
        hide = [(s.start, s.end) for s in spans] + canary_hits
        found = []
        for s in spans:
            found.append(Finding(path, offset_of(s.start) if offset_of else base + s.start, s.label,
                                 _excerpt(text, s.start, s.end, hide), where(s.start)))
        for start, end in canary_hits:
            found.append(Finding(path, offset_of(start) if offset_of else base + start, "CANARY",
                                 _excerpt(text, start, end, hide), where(start), kind="canary"))
        return found


# ---- file types -----------------------------------------------------------------------------------

def _text_chunks(path: Path) -> Iterator[tuple[int, str]]:
    """(character offset, text) chunks of about CHUNK_CHARS, split at line ends."""
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        base = 0
        buf: list[str] = []
        size = 0
        for line in fh:
            buf.append(line)
            size += len(line)
            if size >= CHUNK_CHARS:
                chunk = "".join(buf)
                yield base, chunk
                base += len(chunk)
                buf, size = [], 0
        if buf:
            yield base, "".join(buf)


def _scan_text(sc: _Scanner, path: Path, html: bool = False) -> list[Finding]:
    found = []
    for base, chunk in _text_chunks(path):
        if html:
            # Markup becomes spaces of the same length, so offsets still point into the file.
            chunk = _SCRIPT.sub(lambda m: " " * len(m.group()), chunk)
            chunk = _TAGS.sub(_blank_tag, chunk)
        found += sc.block(chunk, str(path), base, lambda i, b=base: f"offset {b + i}")
    return found


def _walk_json(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """(JSON pointer, string) for every string in a JSON document, keys included."""
    if isinstance(value, str):
        yield pointer or "/", value
    elif isinstance(value, dict):
        for k, v in value.items():
            child = f"{pointer}/{str(k).replace('~', '~0').replace('/', '~1')}"
            yield child + " (key)", str(k)
            yield from _walk_json(v, child)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_json(v, f"{pointer}/{i}")


def _scan_json_value(sc: _Scanner, path: Path, doc: Any, line: int | None) -> list[Finding]:
    """Scan each string of a parsed document on its own, so escapes (\\n, \\u0930) are decoded and a
    note's line structure (capitals lines, form fields) is what the engine sees."""
    found = []
    seen: set[str] = set()
    for pointer, value in _walk_json(doc, ""):
        if not value.strip() or (pointer.endswith("(key)") and value in seen):
            continue
        if pointer.endswith("(key)"):
            seen.add(value)
        where = f"line {line}, {pointer}" if line is not None else pointer
        found += sc.block(value, str(path), line if line is not None else 0, lambda i, w=where: f"{w}, char {i}",
                          offset_of=lambda i, ln=line: ln if ln is not None else i)
    return found


def _scan_json(sc: _Scanner, path: Path) -> list[Finding]:
    import orjson

    if path.suffix.lower() == ".jsonl":
        found: list[Finding] = []
        with path.open("rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    doc = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    # Not JSON after all: scan the line as text (nothing may escape the gate).
                    text = raw.decode("utf-8", errors="replace")
                    found += sc.block(text, str(path), lineno, lambda i, ln=lineno: f"line {ln}, char {i}",
                                      offset_of=lambda i, ln=lineno: ln)
                    continue
                found += _scan_json_value(sc, path, doc, lineno)
        return found
    if path.stat().st_size > 64 * 1024 * 1024:
        return _scan_text(sc, path)  # too big to parse whole: raw text, in chunks
    try:
        doc = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError:
        return _scan_text(sc, path)
    return _scan_json_value(sc, path, doc, None)


def _scan_cells(sc: _Scanner, path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[Finding]:
    """Scan every distinct value of every string column once, as 'column: value' (the column name
    is context: a bare '411001' under 'pin' is a PIN code)."""
    found = []
    seen: set[tuple[int, str]] = set()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if not isinstance(value, str) or not value.strip() or (c, value) in seen:
                continue
            seen.add((c, value))
            col = columns[c] if c < len(columns) else f"column {c + 1}"
            prefix = f"{col.replace('_', ' ')}: "
            text = prefix + value
            for f in sc.block(text, str(path), r, lambda i, r=r, col=col: f"row {r + 1}, column {col}",
                              offset_of=lambda i, r=r: r):
                if f.excerpt_masked:
                    found.append(f)
        if len(seen) > 2_000_000:  # distinct-value memory bound on huge tables
            seen.clear()
    return found


def _scan_csv(sc: _Scanner, path: Path) -> list[Finding]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header = next(reader, [])
        found = _scan_cells(sc, path, header, reader)
    # The header itself may hold an identifier (a pivoted table keyed by patient name).
    found += sc.block(" | ".join(header), str(path), 0, lambda i: "header row")
    return found


def _scan_parquet(sc: _Scanner, path: Path) -> list[Finding]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = [f.name for f in pf.schema_arrow if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    if not names:
        return []
    found: list[Finding] = []
    row0 = 0
    for batch in pf.iter_batches(columns=names, batch_size=65_536):
        cols = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        rows = list(zip(*cols, strict=True))
        for f in _scan_cells(sc, path, names, rows):
            row = f.offset + row0
            found.append(Finding(f.path, row, f.label, f.excerpt_masked,
                                 re.sub(r"^row \d+", f"row {row + 1}", f.where), f.kind))
        row0 += batch.num_rows
    return found


_DICOM_TEXT_VRS = frozenset({"PN", "LO", "SH", "LT", "ST", "UT", "AE", "CS", "UC", "DA", "DT", "TM", "AS", "IS",
                             "DS", "UN", "OB"})


def _scan_dicom(sc: _Scanner, path: Path) -> list[Finding]:
    import pydicom

    ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    found: list[Finding] = []

    def walk(dataset: Any) -> None:
        for elem in dataset:
            if elem.VR == "SQ":
                for item in elem.value or []:
                    walk(item)
                continue
            if elem.VR not in _DICOM_TEXT_VRS or elem.tag == 0x7FE00010:
                continue
            value = elem.value
            if isinstance(value, bytes):
                value = value.decode("latin-1", errors="replace")
            values = list(value) if isinstance(value, pydicom.multival.MultiValue) else [value]
            text = "\\".join(str(v) for v in values if v is not None)
            if not text.strip():
                continue
            name = elem.keyword or ("private" if elem.tag.is_private else "element")
            label_word = {"PN": "Name", "DA": "Date", "DT": "Date"}.get(elem.VR, name)
            prefix = f"{label_word}: "
            # A person-name element holds a name by definition; ^ separates its parts.
            block = prefix + text.replace("^", " ")
            tag = f"({elem.tag.group:04X},{elem.tag.element:04X}) {name}"
            hits = sc.block(block, str(path), -1, lambda i, t=tag: t, offset_of=lambda i: -1)
            if elem.VR == "PN" and not any(h.kind == "phi" and h.label == "NAME" for h in hits) \
                    and not re.fullmatch(r"(?i)(anon\w*|p[0-9a-f]{8,}|[\W_]*|patient\s*\d*)", text.strip()):
                hits.append(Finding(str(path), -1, "NAME", mask(text), tag))
            found.extend(hits)

    walk(ds.file_meta if hasattr(ds, "file_meta") else [])
    walk(ds)
    return found


def _is_dicom(path: Path) -> bool:
    if path.suffix.lower() in (".dcm", ".dicom"):
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(132)
    except OSError:
        return False
    return len(head) == 132 and head[128:132] == b"DICM"


def _looks_binary(path: Path) -> bool:
    with path.open("rb") as fh:
        return b"\x00" in fh.read(8192)


def _scan_binary(sc: _Scanner, path: Path) -> list[Finding]:
    """Unknown binary files (images, models): canaries only, over the bytes read as Latin-1."""
    if not sc.canaries:
        return []
    data = path.read_bytes().decode("latin-1")
    return [Finding(str(path), s, "CANARY", mask(data[s:e]), f"byte {s}", kind="canary")
            for s, e in sc.canaries.find(data)]


def scan_file(path: Path, *, canaries: Sequence[str] | None = None,
              ignore_labels: frozenset[str] = DEFAULT_IGNORE) -> list[Finding]:
    return _scan_one(_Scanner(canaries, ignore_labels), path)


def _scan_one(sc: _Scanner, path: Path) -> list[Finding]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _scan_parquet(sc, path)
    if suffix in (".csv", ".tsv"):
        return _scan_csv(sc, path)
    if suffix in (".html", ".htm"):
        return _scan_text(sc, path, html=True)
    if suffix in (".json", ".jsonl"):
        return _scan_json(sc, path)
    if _is_dicom(path):
        return _scan_dicom(sc, path)
    if _looks_binary(path):
        return _scan_binary(sc, path)
    return _scan_text(sc, path)


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    from medkosh.errors import InputError

    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from sorted(q for q in path.rglob("*") if q.is_file())
        elif path.is_file():
            yield path
        else:
            raise InputError("path to scan not found", where=str(path))


def scan_paths(paths: Iterable[str | Path], *, canaries: Sequence[str] | None = None,
               ignore_labels: Iterable[str] = DEFAULT_IGNORE) -> list[Finding]:
    """Every PHI finding and canary hit in the files under `paths` (directories recursively)."""
    sc = _Scanner(canaries, frozenset(ignore_labels))
    found: list[Finding] = []
    for path in iter_files(paths):
        found.extend(_scan_one(sc, path))
    return found


def summarise(findings: Sequence[Finding]) -> dict[str, Any]:
    by_label: dict[str, int] = {}
    files: set[str] = set()
    for f in findings:
        by_label[f.label] = by_label.get(f.label, 0) + 1
        files.add(f.path)
    return {"findings": len(findings), "files_with_findings": len(files), "by_label": dict(sorted(by_label.items()))}


def scan_text(text: str, *, canaries: Sequence[str] | None = None, name: str = "<text>",
              ignore_labels: Iterable[str] = DEFAULT_IGNORE) -> list[Finding]:
    """Scan an in-memory string (a job's stdout, a report body)."""
    sc = _Scanner(canaries, frozenset(ignore_labels))
    return sc.block(text, name, 0, lambda i: f"offset {i}")
