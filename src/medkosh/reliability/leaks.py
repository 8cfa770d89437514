"""Leak canaries, end to end: search everything medkosh can release or show for the canary identities
that `medkosh synth` planted in the raw data.

Each canary value is expanded into the renderings records and software commonly produce (case; spaces,
dashes, dots or nothing between digit groups; +91 / 0 / 91 phone prefixes; a name's words in either order,
with ^ or a comma, and each distinctive name part alone; e-mail and ABHA-address local parts; URL-encoded
forms; several date formats when a canary date is given). Two layers look for them:

* raw bytes: every exact rendering, case-insensitively, over the bytes of each file or response, so an
  identifier in a format nobody decodes (a log line, a Parquet footer, a binary blob) is still found;
* decoded text: gzip and ZIP members are unpacked, Parquet columns are read and every column cast to text
  (a phone stored as an integer is found), DICOM headers are walked (file meta, sequences, private tags;
  byte values read as Latin-1), HTML entities and %-escapes are undone; each decoded value is then
  reduced to its letters and digits and searched for every rendering so reduced, so separators, case and
  line breaks cannot hide a value. A needle that starts or ends with a digit must not touch another digit,
  so two unrelated numbers written side by side do not make a false hit.

A hit never carries the canary value: it names the kind, which canary identity (by number) and where, with
a masked excerpt.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import io
import itertools
import re
import urllib.parse
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_NON_ALNUM = re.compile(r"[\W_]+")
_MIN_NEEDLE = 5
_MAX_DECODED = 1 << 30  # never unpack more than 1 GiB from one gzip/zip member (a bomb stops here)
_MAX_DEPTH = 4


@dataclass(frozen=True)
class Canary:
    kind: str       # NAME, AADHAAR, ABHA_NUMBER, ABHA_ADDRESS, PHONE, EMAIL, MRN, PAN, DATE, PATIENT_ID
    value: str
    identity: int   # which planted identity (1-based), so a report can say "canary identity 2" without the value


@dataclass(frozen=True)
class Hit:
    source: str     # file path, "GET /path as user", "object <sha>", with "!member" for unpacked content
    layer: str      # "bytes" or "text"
    kind: str
    identity: int
    where: str
    excerpt: str    # masked

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "layer": self.layer, "kind": self.kind, "identity": self.identity,
                "where": self.where, "excerpt": self.excerpt}


# ---- canaries and their renderings --------------------------------------------------------------------

def load_canaries(path: Path) -> list[Canary]:
    """Canaries from the canaries.json that `medkosh synth` writes ([{"value", "kind", "patient_id"}, ...]).

    Each planted identity also contributes its source-system patient id (kind PATIENT_ID): a hospital's
    record id must not be released either."""
    import orjson

    from medkosh.errors import InputError

    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InputError(f"cannot read the canary list {path}: {type(exc).__name__}", where=str(path),
                         hint="point --canaries at the canaries.json that `medkosh synth` wrote") from exc
    if not isinstance(data, list):
        raise InputError("the canary list is not a JSON list", where=str(path),
                         hint="point --canaries at the canaries.json that `medkosh synth` wrote")
    identities: dict[str, int] = {}
    out: list[Canary] = []
    for i, entry in enumerate(data):
        if isinstance(entry, str):
            entry = {"value": entry, "kind": "OTHER", "patient_id": f"#{i}"}
        if not isinstance(entry, dict) or not entry.get("value"):
            continue
        pid = str(entry.get("patient_id") or f"#{i}")
        if pid not in identities:
            identities[pid] = len(identities) + 1
            if not pid.startswith("#"):
                out.append(Canary("PATIENT_ID", pid, identities[pid]))
        out.append(Canary(str(entry.get("kind") or "OTHER").upper(), str(entry["value"]), identities[pid]))
    return out


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _groups(digits: str, sizes: Sequence[int]) -> list[str]:
    out, pos = [], 0
    for size in sizes:
        out.append(digits[pos:pos + size])
        pos += size
    if pos < len(digits):
        out.append(digits[pos:])
    return [g for g in out if g]


def _joined(parts: Sequence[str]) -> list[str]:
    return [sep.join(parts) for sep in (" ", "-", ".", "", "/")]


def _date_renderings(d: dt.date) -> list[str]:
    from medkosh.synth.identity import MONTHS, date_forms

    month = MONTHS[d.month - 1]
    return [*date_forms(d), d.strftime("%Y%m%d"), f"{d.day}/{d.month}/{d.year}", f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}",
            f"{d.month:02d}/{d.day:02d}/{d.year}", f"{d.day} {month} {d.year}", f"{d.day} {month[:3]} {d.year}",
            f"{month} {d.day}, {d.year}", f"{d.year}/{d.month:02d}/{d.day:02d}", f"{d.day:02d}{month[:3]}{d.year}"]


def renderings(kind: str, value: str) -> list[str]:
    """Every rendering of one canary value that the scan looks for (case variants included; the search
    itself is case-insensitive)."""
    value = value.strip()
    kind = kind.upper()
    out: list[str] = [value]
    words = [w for w in _NON_ALNUM.split(value) if w]
    if kind == "NAME" or (kind == "OTHER" and len(words) > 1 and not any(ch.isdigit() for ch in value)):
        orders = itertools.permutations(words) if len(words) <= 3 else [words, list(reversed(words))]
        for order in orders:
            out += [" ".join(order), "^".join(order), ", ".join(order), "".join(order), ".".join(order),
                    "_".join(order)]
        if kind == "NAME":
            out += [w for w in words if len(w) >= _MIN_NEEDLE]  # an invented canary name part alone leaks too
    elif kind == "AADHAAR":
        out += _joined(_groups(_digits(value), (4, 4, 4)))
    elif kind == "ABHA_NUMBER":
        digits = _digits(value)
        out += _joined(_groups(digits, (2, 4, 4, 4)))
    elif kind == "PHONE":
        n = _digits(value)[-10:]
        halves = [n[:5], n[5:]]
        for prefix in ("", "+91", "+91 ", "+91-", "91", "91 ", "91-", "0", "0 ", "(+91) ", "+91 (0)"):
            out += [prefix + n, prefix + " ".join(halves), prefix + "-".join(halves)]
        out += _joined(_groups(n, (3, 3, 4))) + _joined(_groups(n, (4, 3, 3)))
    elif kind in ("EMAIL", "ABHA_ADDRESS"):
        local = value.split("@", 1)[0]
        out += [local, urllib.parse.quote(value, safe=""), value.replace("@", " at ")]
    elif kind == "MRN":
        parts = [p for p in _NON_ALNUM.split(value) if p]
        out += _joined(parts) if len(parts) > 1 else []
    elif kind == "PATIENT_ID":
        out += [value.replace("-", ""), value.upper()]
    elif kind in ("DATE", "BIRTH_DATE"):
        try:
            out += _date_renderings(dt.date.fromisoformat(value[:10]))
        except ValueError:
            pass
    variants: list[str] = []
    for r in out:
        variants += [r, r.upper(), r.lower(), r.title()]
    return [r for r in dict.fromkeys(variants) if len(_NON_ALNUM.sub("", r)) >= _MIN_NEEDLE]


def _normalise(text: str) -> str:
    return _NON_ALNUM.sub("", text).lower()


_NON_ALNUM_KEEP_LINES = re.compile(r"[^\w\n]+|_")


def _edge(needle: str) -> str:
    """A needle pattern (RE2 has no look-around) that does not match inside a longer run of digits."""
    head = "(?:^|[^0-9])" if needle[0].isdigit() else ""
    tail = "(?:[^0-9]|$)" if needle[-1].isdigit() else ""
    return head + re.escape(needle) + tail


def _edge_bytes(needle: bytes) -> bytes:
    head = b"(?:^|[^0-9])" if needle[:1].isdigit() else b""
    tail = b"(?:[^0-9]|$)" if needle[-1:].isdigit() else b""
    return head + re.escape(needle) + tail


def mask(value: str) -> str:
    from medkosh.deid.scan import mask as _mask

    return _mask(value)


class CanaryMatcher:
    """All renderings of all canaries, compiled once (RE2, linear time): exact byte patterns searched
    case-insensitively, and normalised text needles (letters and digits only, lower case)."""

    def __init__(self, canaries: Sequence[Canary]) -> None:
        import re2

        self.canaries = list(canaries)
        self._exact: dict[bytes, Canary] = {}
        self._norm: dict[str, Canary] = {}
        for c in self.canaries:
            for r in renderings(c.kind, c.value):
                self._exact.setdefault(r.lower().encode("utf-8"), c)
                n = _normalise(r)
                if len(n) >= _MIN_NEEDLE:
                    self._norm.setdefault(n, c)
        self._exact_order = sorted(self._exact, key=len, reverse=True)
        self._norm_order = sorted(self._norm, key=len, reverse=True)
        self._bytes_re = (re2.compile(b"(?i)" + b"|".join(_edge_bytes(e) for e in self._exact_order))
                          if self._exact else None)
        self._norm_re = re2.compile("|".join(_edge(n) for n in self._norm_order)) if self._norm else None

    @property
    def needles(self) -> int:
        return len(self._exact) + len(self._norm)

    def __bool__(self) -> bool:
        return bool(self.canaries)

    def find_bytes(self, data: bytes) -> Iterator[tuple[int, int, Canary]]:
        if self._bytes_re is None:
            return
        for m in self._bytes_re.finditer(data):
            matched = m.group().lower()
            for needle in self._exact_order:
                i = matched.find(needle)
                if i >= 0:
                    yield m.start() + i, m.start() + i + len(needle), self._exact[needle]
                    break

    def _find_normalised(self, norm: str) -> Iterator[tuple[int, Canary]]:
        """(offset in `norm`, canary) for every needle hit in already-normalised text."""
        if self._norm_re is None:
            return
        for m in self._norm_re.finditer(norm):
            matched = m.group()
            for needle in self._norm_order:
                i = matched.find(needle)
                if i >= 0:
                    yield m.start() + i, self._norm[needle]
                    break

    def find_text(self, text: str) -> Iterator[tuple[int, Canary]]:
        """(offset in `text` of the hit's first character, canary) for every normalised hit; separators,
        case and line breaks between the characters of a value do not hide it."""
        if self._norm_re is None or not text:
            return
        for pos, canary in self._find_normalised(_normalise(text)):
            kept = 0
            start = 0
            for i, ch in enumerate(text):  # map back to the original text only for a hit (rare)
                if ch.isalnum():
                    if kept == pos:
                        start = i
                        break
                    kept += 1
            yield start, canary

    def find_values(self, values: Sequence[str]) -> Iterator[tuple[int, Canary]]:
        """(index of the value, canary) for hits inside any one of many short values (table cells): they
        are normalised and searched together, a line break between values so no hit spans two."""
        if self._norm_re is None or not values:
            return
        joined = "\n".join(v.replace("\n", " ") for v in values)
        norm = _NON_ALNUM_KEEP_LINES.sub("", joined).lower()
        for pos, canary in self._find_normalised(norm):
            yield norm.count("\n", 0, pos), canary


# ---- scanning blobs ---------------------------------------------------------------------------------

def _excerpt(text: str, start: int, width: int = 20) -> str:
    piece = text[max(0, start - width):start + 2 * width]
    return mask(" ".join(piece.split()))


class LeakScanner:
    """Scan blobs (files, objects, HTTP bodies) for canaries; collects hits and counts what it saw."""

    def __init__(self, canaries: Sequence[Canary]) -> None:
        self.matcher = CanaryMatcher(canaries)
        self.hits: list[Hit] = []
        self.scanned: dict[str, int] = {}  # category -> items scanned
        self.bytes_scanned = 0

    def count(self, category: str, n: int = 1) -> None:
        self.scanned[category] = self.scanned.get(category, 0) + n

    def scan_file(self, path: Path, category: str = "file") -> list[Hit]:
        return self.scan_bytes(str(path), path.read_bytes(), category)

    def scan_bytes(self, source: str, data: bytes, category: str = "blob") -> list[Hit]:
        self.count(category)
        before = len(self.hits)
        self._blob(source, data, 0)
        return self.hits[before:]

    def scan_text(self, source: str, text: str, category: str = "text") -> list[Hit]:
        return self.scan_bytes(source, text.encode("utf-8"), category)

    def _add(self, source: str, layer: str, c: Canary, where: str, excerpt: str) -> None:
        self.hits.append(Hit(source, layer, c.kind, c.identity, where, excerpt))

    def _blob(self, source: str, data: bytes, depth: int) -> None:
        self.bytes_scanned += len(data)
        for start, end, c in self.matcher.find_bytes(data):
            self._add(source, "bytes", c, f"byte {start}",
                      _excerpt(data[max(0, start - 20):end + 20].decode("latin-1"), min(start, 20)))
        if depth >= _MAX_DEPTH:
            return
        if data[:2] == b"\x1f\x8b":
            self._gzip(source, data, depth)
        elif data[:4] == b"PK\x03\x04":
            self._zip(source, data, depth)
        elif data[:4] == b"PAR1" and data[-4:] == b"PAR1":
            self._parquet(source, data)
        elif len(data) > 132 and data[128:132] == b"DICM":
            self._dicom(source, data)
        elif b"\x00" not in data[:8192]:
            self._text(source, data.decode("utf-8", errors="replace"), "text")

    def _text(self, source: str, text: str, where: str) -> None:
        views = [text]
        if "&" in text:
            views.append(html.unescape(text))
        if "%" in text:
            views.append(urllib.parse.unquote(text))
        if "\\u" in text:
            views.append(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text))
        seen: set[tuple[int, str]] = set()
        for view in views:
            for start, c in self.matcher.find_text(view):
                key = (c.identity, c.kind)
                if key in seen and view is not text:
                    continue
                seen.add(key)
                self._add(source, "text", c, f"{where}, char {start}", _excerpt(view, start))

    def _gzip(self, source: str, data: bytes, depth: int) -> None:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                inner = fh.read(_MAX_DECODED)
        except (OSError, EOFError, gzip.BadGzipFile):
            return
        self._blob(f"{source}!gunzip", inner, depth + 1)

    def _zip(self, source: str, data: bytes, depth: int) -> None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for info in zf.infolist():
                    if info.is_dir():
                        continue
                    self._text(f"{source}!{info.filename}", info.filename, "member name")
                    with zf.open(info) as member:
                        self._blob(f"{source}!{info.filename}", member.read(_MAX_DECODED), depth + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError):
            return

    def _parquet(self, source: str, data: bytes) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(io.BytesIO(data))
        except (pa.ArrowException, OSError):
            return
        meta = pf.schema_arrow.metadata or {}
        self._text(source, " | ".join(pf.schema_arrow.names), "column names")
        for k, v in meta.items():
            self._text(source, f"{k.decode('utf-8', 'replace')} {v.decode('utf-8', 'replace')}", "metadata")
        for batch in pf.iter_batches(batch_size=65_536):
            for name, column in zip(batch.schema.names, batch.columns, strict=True):
                try:
                    values = [v for v in pc.unique(pc.cast(column, pa.string())).to_pylist() if v]
                except (pa.ArrowException, NotImplementedError):
                    values = sorted({str(v) for v in column.to_pylist() if v is not None})
                for views in (values, [html.unescape(v) for v in values if "&" in v],
                              [urllib.parse.unquote(v) for v in values if "%" in v]):
                    for index, c in self.matcher.find_values(views):
                        self._add(source, "text", c, f"column {name}", _excerpt(views[index], 0))

    def _dicom(self, source: str, data: bytes) -> None:
        import pydicom
        from pydicom.errors import InvalidDicomError

        try:
            ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, force=True)
        except (InvalidDicomError, OSError, ValueError, EOFError):
            return

        def walk(dataset: Any) -> None:
            for elem in dataset:
                tag = f"({elem.tag.group:04X},{elem.tag.element:04X}) {elem.keyword or 'private'}"
                if elem.VR == "SQ":
                    for item in elem.value or []:
                        walk(item)
                    continue
                value = elem.value
                if isinstance(value, bytes):
                    texts = [value.decode("latin-1")]
                elif isinstance(value, pydicom.multival.MultiValue):
                    texts = [str(v) for v in value]
                else:
                    texts = [str(value)] if value is not None else []
                for text in texts:
                    self._text(source, text, tag)

        walk(getattr(ds, "file_meta", []))
        walk(ds)


# ---- what medkosh releases or shows, read from a MEDKOSH_HOME ------------------------------------------

# Paths under MEDKOSH_HOME that legitimately hold identities and are never released: the raw zone, the
# synthetic hospital inputs (demo-data/synth), the key files, the database and the object store as a whole
# (its released objects are reached through the catalog, output and model records instead), build and
# rescan scratch space, and what a job wrote before output checking (work/jobs/<job>/out).
OUT_OF_SCOPE = ("raw", "demo-data/synth", "keys", "objects", "medkosh.db", "medkosh.db-*", "work/builds",
                "work/rescans", "work/jobs/*/out")


def out_of_scope(rel: str) -> bool:
    """Whether a path relative to MEDKOSH_HOME (POSIX form) lies in one of OUT_OF_SCOPE."""
    from fnmatch import fnmatchcase

    parts = rel.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatchcase(p, pattern) for p in prefixes for pattern in OUT_OF_SCOPE)


def released_items(session: Any, store: Any = None) -> Iterator[tuple[str, str, bytes]]:
    """(category, source, bytes) for everything the catalog, the airlock and the model registry release:
    every dataset version's files, manifest, data card (Markdown and HTML), Croissant and DCAT; every
    released job output (its checked copy); every validation report (JSON and HTML); every model card."""
    import orjson
    from sqlalchemy import select

    from medkosh.catalog import metadata, service
    from medkosh.store.objects import ObjectStore
    from medkosh.store.tables.catalog import CatalogVersionRow
    from medkosh.store.tables.compute import OutputRow
    from medkosh.store.tables.models import ModelValidationRow, ModelVersionRow

    store = store or ObjectStore()
    for row in session.execute(select(CatalogVersionRow).order_by(CatalogVersionRow.dataset_id,
                                                                   CatalogVersionRow.number)).scalars():
        info = service.version_info(session, row)
        ref = f"{row.dataset_id}@{row.number}"
        for entry in info.files:
            yield "dataset file", f"{ref}/{entry.path}", store.get_bytes(entry.sha256)
        yield "manifest", f"{ref}/manifest", store.get_bytes(row.manifest_object)
        for fmt, sha in (("md", row.card_md_object), ("html", row.card_html_object)):
            if sha:
                yield "data card", f"{ref}/card.{fmt}", store.get_bytes(sha)
        yield "croissant", f"{ref}/croissant.json", orjson.dumps(metadata.croissant(session, info, store))
        yield "dcat", f"{ref}/dcat.json", orjson.dumps(metadata.dcat(session, info))
    for out in session.execute(select(OutputRow).where(OutputRow.status == "released")
                               .order_by(OutputRow.id)).scalars():
        yield "released output", f"output {out.id} {out.path}", store.get_bytes(out.checked_object or out.raw_object)
    from medkosh.models.card import card_html, model_card
    from medkosh.validation.report import to_html
    from medkosh.validation.run import load_report

    for vrow in session.execute(select(ModelValidationRow).order_by(ModelValidationRow.id)).scalars():
        report = load_report(session, vrow.id, store)
        yield "validation report", f"validation {vrow.id}.json", orjson.dumps(report, default=str)
        yield "validation report", f"validation {vrow.id}.html", to_html(report).encode("utf-8")
    for mrow in session.execute(select(ModelVersionRow).order_by(ModelVersionRow.id)).scalars():
        card = model_card(session, mrow.id)
        yield "model card", f"model {mrow.id}.json", orjson.dumps(card, default=str)
        yield "model card", f"model {mrow.id}.html", card_html(card).encode("utf-8")


def log_files(home: Path) -> list[Path]:
    """Every log under MEDKOSH_HOME outside the out-of-scope paths: *.log files, files in a logs folder,
    job logs, and the stdout/stderr a job wrote."""
    out = []
    for path in sorted(home.rglob("*")):
        rel = path.relative_to(home).as_posix()
        if not path.is_file() or out_of_scope(rel):
            continue
        name = path.name.lower()
        if name.endswith((".log", ".log.gz", ".out", ".err")) or "/logs/" in f"/{rel}" or name in ("stdout", "stderr"):
            out.append(path)
    return out


def home_files(home: Path) -> list[Path]:
    """Every file under MEDKOSH_HOME outside the out-of-scope paths (logs, anonymised outputs, job folders)."""
    return sorted(p for p in home.rglob("*") if p.is_file() and not out_of_scope(p.relative_to(home).as_posix()))


def scan_home(scanner: LeakScanner, home: Path, session: Any) -> None:
    """Scan every released item, an audit export and every in-scope file under MEDKOSH_HOME."""
    import tempfile

    from medkosh.audit.verify import export

    for category, source, data in released_items(session):
        scanner.scan_bytes(source, data, category)
    with tempfile.TemporaryDirectory(prefix="medkosh-leak-audit-") as tmp:
        export(session, Path(tmp))
        for path in sorted(Path(tmp).rglob("*")):
            if path.is_file():
                scanner.scan_bytes(f"audit export/{path.name}", path.read_bytes(), "audit export")
    logs = set(log_files(home))
    for path in home_files(home):
        scanner.scan_file(path, "log" if path in logs else "home file")


def summary(scanner: LeakScanner) -> dict[str, Any]:
    by_kind: dict[str, int] = {}
    for h in scanner.hits:
        by_kind[h.kind] = by_kind.get(h.kind, 0) + 1
    return {"canary_values": len(scanner.matcher.canaries),
            "identities": len({c.identity for c in scanner.matcher.canaries}),
            "needles": scanner.matcher.needles, "scanned": dict(sorted(scanner.scanned.items())),
            "bytes_scanned": scanner.bytes_scanned, "hits": len(scanner.hits), "hits_by_kind": by_kind,
            "findings": [h.as_dict() for h in scanner.hits[:200]]}


def iter_paths(paths: Iterable[Path]) -> Iterator[Path]:
    from medkosh.errors import InputError

    for p in paths:
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.is_file())
        elif p.is_file():
            yield p
        else:
            raise InputError("path to scan not found", where=str(p), hint="give existing files or folders")


# ---- crawling the API and the portal --------------------------------------------------------------------

# GET routes the crawl does not call: they leave the site (OIDC), consume a one-time secret the crawler
# cannot know (download tokens: the files behind them are scanned through the catalog) or are API docs.
CRAWL_SKIP = ("/login/oidc", "/api/access/download/", "/docs", "/logout")
PER_SHAPE = 8  # at most this many links per (path, set of query parameter names)
_HREF = re.compile(r"""(?:href|src)\s*=\s*["']([^"'#]+)""")
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


def route_templates(routes: Iterable[Any], prefix: str = "") -> list[str]:
    """GET path templates of an ASGI app's routes (FastAPI/Starlette route objects, included routers
    walked), e.g. /datasets/{dataset_id}."""
    out: list[str] = []
    for r in routes:
        if hasattr(r, "original_router"):  # FastAPI >= 0.16x keeps included routers as wrappers
            ctx = getattr(r, "include_context", None)
            out += route_templates(r.original_router.routes, prefix + (getattr(ctx, "prefix", "") or ""))
        elif getattr(r, "methods", None) and "GET" in r.methods and getattr(r, "path", None):
            out.append(prefix + r.path)
    return sorted(set(out))


def path_records(session: Any) -> list[dict[str, str]]:
    """Values for route path parameters, from the ids in the database: one dict per object, so that
    parameters that belong together (a dataset and its version number) are filled together."""
    from sqlalchemy import text

    def rows(sql: str) -> list[Any]:
        return list(session.execute(text(sql)).all())

    recs: list[dict[str, str]] = []
    for dataset_id, number, vid in rows("SELECT dataset_id, number, id FROM catalog_version"):
        recs.append({"dataset_id": dataset_id, "version": str(number), "version_id": vid})
    for (dataset_id,) in rows("SELECT id FROM catalog_dataset"):
        recs.append({"dataset_id": dataset_id, "version": "latest"})
    for (rid,) in rows("SELECT id FROM access_request"):
        recs.append({"request_id": rid})
    for (jid,) in rows("SELECT id FROM compute_job"):
        recs.append({"job_id": jid})
    for (oid,) in rows("SELECT id FROM compute_output"):
        recs.append({"output_id": oid})
    for (mvid,) in rows("SELECT id FROM model_version"):
        recs.append({"version_id": mvid})
    for vid, mvid in rows("SELECT id, version_id FROM model_validation"):
        recs.append({"version_id": mvid, "validation_id": vid})
    for (uid,) in rows("SELECT id FROM identity_user"):
        recs.append({"user_id": uid})
    for (iid,) in rows("SELECT id FROM identity_institution"):
        recs.append({"institution_id": iid})
    return recs


def fill_routes(templates: Sequence[str], records: Sequence[dict[str, str]]) -> list[str]:
    """Concrete paths: every template without parameters, and each template once per record that has all
    its parameters."""
    out: list[str] = []
    for t in templates:
        if any(t.startswith(s) for s in CRAWL_SKIP):
            continue
        params = _PARAM.findall(t)
        if not params:
            out.append(t)
            continue
        for rec in records:
            if all(p in rec for p in params):
                out.append(_fill(t, rec))
    return list(dict.fromkeys(out))


def _fill(template: str, record: dict[str, str]) -> str:
    return _PARAM.sub(lambda m: urllib.parse.quote(record[m.group(1)], safe=""), template)


@dataclass
class CrawlStats:
    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    bytes: int = 0
    paths: list[str] = field(default_factory=list)
    left: int = 0  # links found but not visited (the limit was reached)


def crawl(get: Any, start: Sequence[str], scanner: LeakScanner, who: str, limit: int = 3000) -> CrawlStats:
    """GET every start path and every same-site link found in the HTML and JSON answers (breadth first, at
    most `limit` requests), scanning each response body and its headers. `get(path)` returns
    (status, headers dict, body bytes)."""
    stats = CrawlStats()
    queue = list(dict.fromkeys(start))
    seen = set(queue)
    shapes: dict[tuple[str, frozenset[str]], int] = {}
    while queue and stats.requests < limit:
        path = queue.pop(0)
        status, headers, body = get(path)
        stats.requests += 1
        stats.bytes += len(body)
        stats.paths.append(path)
        stats.by_status[status] = stats.by_status.get(status, 0) + 1
        head = "\n".join(f"{k}: {v}" for k, v in sorted(headers.items()) if k.lower() != "set-cookie")
        scanner.scan_bytes(f"GET {path} as {who} (headers)", head.encode("utf-8"), "http headers")
        scanner.scan_bytes(f"GET {path} as {who}", body, "http response")
        ctype = str(headers.get("content-type", ""))
        if "html" in ctype or "json" in ctype:
            for link in _HREF.findall(body.decode("utf-8", errors="replace")) + _json_paths(body, ctype):
                link = html.unescape(link)
                if not link.startswith("/") or link.startswith("//") or any(link.startswith(s) for s in CRAWL_SKIP):
                    continue
                if link in seen or len(seen) >= 4 * limit:
                    continue
                seen.add(link)
                # query-string variants of one page (search facets combine without end): a few of each shape
                parts = urllib.parse.urlsplit(link)
                shape = (parts.path, frozenset(k for k, _ in urllib.parse.parse_qsl(parts.query, True)))
                shapes[shape] = shapes.get(shape, 0) + 1
                if shapes[shape] <= PER_SHAPE:
                    queue.append(link)
    stats.left = len(queue)
    return stats


def _json_paths(body: bytes, ctype: str) -> list[str]:
    """Same-site paths mentioned as string values in a JSON answer (links, portal paths)."""
    if "json" not in ctype:
        return []
    return [m.decode("utf-8", "replace") for m in re.findall(rb'"(/(?:api|datasets|access|tre|models|review|'
                                                           rb'surveillance|audit|admin|me)[^"\s]*)"', body)]


# ---- where the canaries went --------------------------------------------------------------------------

def canary_patient_keys(path: Path) -> dict[int, list[str]]:
    """Raw-zone patient keys of each canary identity (numbered as load_canaries numbers them): the zone
    keys a FHIR patient by hospital and UHID (medkosh.ingest.linkage), so each (hospital, UHID) gives one."""
    import orjson

    from medkosh.ingest.linkage import patient_key

    data = orjson.loads(path.read_bytes())
    identities: dict[str, int] = {}
    keys: dict[int, list[str]] = {}
    for i, entry in enumerate(data if isinstance(data, list) else []):
        if not isinstance(entry, dict) or not entry.get("value"):
            continue
        pid = str(entry.get("patient_id") or f"#{i}")
        number = identities.setdefault(pid, len(identities) + 1)
        if str(entry.get("kind", "")).upper() == "MRN" and entry.get("hospital_id"):
            keys.setdefault(number, []).append(patient_key(str(entry["hospital_id"]), str(entry["value"]), "uhid"))
    return keys


def canaries_in_releases(session: Any, path: Path) -> dict[str, list[int]]:
    """For each dataset version (any status) that has a canary identity among its members: which ones."""
    from sqlalchemy import select

    from medkosh.store.tables.catalog import CatalogVersionMemberRow, CatalogVersionRow

    by_key = {k: n for n, ks in canary_patient_keys(path).items() for k in ks}
    if not by_key:
        return {}
    rows = session.execute(select(CatalogVersionRow.dataset_id, CatalogVersionRow.number,
                                  CatalogVersionMemberRow.patient_key)
                           .join(CatalogVersionMemberRow, CatalogVersionMemberRow.version_id == CatalogVersionRow.id)
                           .where(CatalogVersionMemberRow.patient_key.in_(sorted(by_key)))).all()
    out: dict[str, set[int]] = {}
    for dataset_id, number, key in rows:
        out.setdefault(f"{dataset_id}@{number}", set()).add(by_key[key])
    return {ref: sorted(ids) for ref, ids in sorted(out.items())}
