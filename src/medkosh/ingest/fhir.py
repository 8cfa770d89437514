"""`medkosh ingest fhir`: FHIR R4 Bundles (JSON, NDJSON, .gz, folders) → Parquet tables.

Fast path: orjson + plain-dict extraction (fhir_extract.py); --strict adds fhir.resources R4B
validation. A faulty file is quarantined with its path and a JSON pointer and the run goes on;
its rows are never written, because a JSON file's rows are handed to the writers only after the
whole file passed, and an NDJSON file is checked line by line before any of its rows is extracted.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import itertools
import operator
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from medkosh.ingest import fhir_extract, sources, zone
from medkosh.ingest import schema as schemas
from medkosh.ingest.archive import ArchiveError, SafeZip, is_zip_name
from medkosh.ingest.fhir_bundle import (
    Entry,
    FaultError,
    FhirInput,
    assign_hi_types,
    check_references,
    infer_hi_type,
    load,
    resource_id,
)
from medkosh.ingest.fhir_values import local_date
from medkosh.ingest.linkage import fhir_patient_key, patient_key, zone_secret
from medkosh.ingest.types import IngestReport, Quarantined
from medkosh.ingest.writer import WriterSet
from medkosh.store.base import new_id

Rows = dict[str, list[dict[str, Any]]]


class _Extractor:
    """Turns one loaded input into rows, with the patient key cache for that input."""

    def __init__(self, source_id: str, run_id: str, secret: bytes, report: IngestReport) -> None:
        self.source_id = source_id
        self.run_id = run_id
        self.secret = secret
        self.report = report

    def scratch(self) -> _Extractor:
        """An extractor for check passes: same keys, its own counters (the run's report is not touched)."""
        return _Extractor(self.source_id, self.run_id, self.secret,
                          IngestReport(self.run_id, self.source_id, "fhir", self.report.destination))

    def rows(self, inp: FhirInput) -> Rows:
        assign_hi_types(inp)
        keys: dict[int, str] = {}
        subject_fallback = self._document_subject(inp)
        document_date = self._document_date(inp)
        out: Rows = {}
        counts, not_tabulated = self.report.resources, self.report.not_tabulated  # locals: hot loop
        table_of, extractors = schemas.RESOURCE_TABLE, fhir_extract.EXTRACTORS
        source_id, run_id = self.source_id, self.run_id
        for entry in inp.entries:
            res = entry.resource
            rtype = res["resourceType"]
            counts[rtype] = counts.get(rtype, 0) + 1
            table = table_of.get(rtype)
            if table is None:
                not_tabulated[rtype] = not_tabulated.get(rtype, 0) + 1
                continue
            if rtype == "MedicationRequest":
                med = inp.resolve(res.get("medicationReference"))
                medication = med.resource if med else self._contained(res, res.get("medicationReference"))
                row, raw_date = fhir_extract.medication_request(res, medication)
            else:
                row, raw_date = extractors[rtype](res)
            enc_entry, encounter_id = self._encounter(inp, res)
            key: str | None
            hi: str | None
            if rtype == "Patient":
                key, idents = self._patient_key(entry, keys)
                row.update(idents)
                hi = None
            else:
                key = self._subject_key(inp, res, keys, subject_fallback)
                hi = entry.hi_type or infer_hi_type(res, enc_entry.resource if enc_entry else None)
                if raw_date is None and enc_entry is not None:
                    raw_date = (enc_entry.resource.get("period") or {}).get("start")
                if raw_date is None:  # e.g. a condition in a discharge summary: the document's date
                    raw_date = entry.doc_date or document_date
            row["source_id"] = source_id
            row["run_id"] = run_id
            row["patient_key"] = key
            row["record_date"] = local_date(raw_date)
            row["hi_type"] = None if hi is None else str(hi)
            row["resource_id"] = resource_id(entry)
            row["encounter_id"] = encounter_id
            table_rows = out.get(table)
            if table_rows is None:
                table_rows = out[table] = []
            table_rows.append(row)
        return out

    def _patient_key(self, entry: Entry, cache: dict[int, str]) -> tuple[str, dict[str, str | None]]:
        key, idents = fhir_patient_key(self.source_id, entry.resource, self.secret)
        cache[id(entry)] = key
        return key, idents

    def _subject_key(self, inp: FhirInput, res: dict[str, Any], cache: dict[int, str],
                     fallback: Any) -> str | None:
        own = res.get("subject") or res.get("patient")
        target = inp.resolve(own)
        if target is not None and target.resource.get("resourceType") == "Patient":  # the common case
            if id(target) not in cache:
                self._patient_key(target, cache)
            return cache[id(target)]
        # A subject given only as a display name (seen in ProjectEKA documents) names no resource:
        # inside a bundle, the document's subject (or the bundle's only Patient) is the patient.
        for ref in (own, fallback, self._only_patient(inp)):
            target = inp.resolve(ref)
            if target is not None and target.resource.get("resourceType") == "Patient":
                if id(target) not in cache:
                    self._patient_key(target, cache)
                return cache[id(target)]
            text = ref.get("reference") if isinstance(ref, dict) else None
            if isinstance(text, str) and "Patient/" in text:
                # A patient outside this input (a standalone resource): key on its logical id.
                logical = text.rsplit("Patient/", 1)[1].split("/", 1)[0]
                return patient_key(self.source_id, logical, "fhir", self.secret)
        return None

    @staticmethod
    def _only_patient(inp: FhirInput) -> dict[str, str] | None:
        if inp.bundle_type is None:
            return None
        patients = [e for e in inp.entries if e.resource.get("resourceType") == "Patient"]
        if len(patients) != 1:
            return None
        entry = patients[0]
        return {"reference": entry.full_url or f"Patient/{entry.resource.get('id')}"}

    @staticmethod
    def _document_subject(inp: FhirInput) -> Any:
        for entry in inp.entries:
            if entry.resource.get("resourceType") == "Composition":
                return entry.resource.get("subject")
        return None

    @staticmethod
    def _document_date(inp: FhirInput) -> Any:
        comps = [e.resource.get("date") for e in inp.entries if e.resource.get("resourceType") == "Composition"]
        if len(comps) == 1 and comps[0]:
            return comps[0]
        return inp.root.get("timestamp") if inp.bundle_type == "document" else None

    @staticmethod
    def _contained(res: dict[str, Any], ref: Any) -> dict[str, Any] | None:
        text = ref.get("reference") if isinstance(ref, dict) else None
        if not isinstance(text, str) or not text.startswith("#"):
            return None
        return next((c for c in res.get("contained") or [] if isinstance(c, dict) and f"#{c.get('id')}" == text), None)

    @staticmethod
    def _encounter(inp: FhirInput, res: dict[str, Any]) -> tuple[Entry | None, str | None]:
        ref = res.get("encounter")
        if ref is None:
            ctx = res.get("context")
            if isinstance(ctx, dict):
                ref = ctx if "reference" in ctx else (ctx.get("encounter") or [None])[0]
        if not isinstance(ref, dict):
            return None, None
        target = inp.resolve(ref)
        if target is not None:
            return target, resource_id(target)
        text = ref.get("reference")
        if isinstance(text, str) and "Encounter/" in text:
            return None, text.rsplit("Encounter/", 1)[1].split("/", 1)[0]
        return None, None


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector for an ingest run (parsing, extraction, Parquet).

    A parsed bundle is hundreds of thousands of dicts and lists, all alive until its rows are out;
    with the collector on, their allocation keeps triggering collections that walk every live
    container (the tree and the buffered rows) and find nothing, since parsed JSON, row dicts and
    column lists hold no reference cycles: that was about 40 % of the fast path's CPU time when it
    ran, and another ~9 % when it still ran between inputs. Reference counting frees every input
    and row group as usual, so memory stays bounded (one NDJSON file was already one pause); the
    caller's setting is restored when the run ends, also when it fails."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        pos = getattr(exc, "pos", len(data))
        pointer = sources.pointer_at(data, pos)
        stripped = data.rstrip()
        if pos >= len(stripped) - 1 or "unexpected end" in str(exc).lower() or "EOF" in str(exc):
            raise FaultError(pointer, f"the file is cut off (truncated JSON at byte {len(data)})") from exc
        msg = str(exc).split(":", 1)[0]
        raise FaultError(pointer, f"not valid JSON: {msg} at byte {pos}") from exc


def _load_checked(data: bytes, strict: bool, prefix: str = "") -> FhirInput:
    parsed = _parse(data)
    inp = load(parsed)
    check_references(inp, data)
    if strict:
        from medkosh.ingest import strict as strict_mod

        strict_mod.validate(data, inp.root["resourceType"], prefix)
    return inp


def ingest_fhir(paths: list[Path], source_id: str, *, out: Path | None = None, strict: bool = False,
                run_id: str | None = None, secret: bytes | None = None,
                progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Ingest FHIR inputs into the raw zone (out=None) or into OUT/<table>.parquet; never raises for a
    bad file (it is quarantined), only for bad arguments or a failing disk."""
    zone.check_source_id(source_id)
    run_id = run_id or new_id("run")
    files = sources.discover(paths)
    started = time.perf_counter()
    report = IngestReport(run_id, source_id, "fhir", str(out) if out else f"raw/{source_id}", files_total=len(files))
    secret = secret if secret is not None else zone_secret()
    tables = {t: schemas.schema(t) for t in schemas.FHIR_TABLES}
    extractor = _Extractor(source_id, run_id, secret, report)
    done_inputs = {} if out else zone.ingested_inputs(source_id)
    new_inputs: dict[str, str] = {}

    def work(stage: Path) -> dict[str, Path]:
        with _gc_paused():
            return _work(stage)

    def _work(stage: Path) -> dict[str, Path]:
        writers = WriterSet(stage, tables)
        try:
            for n, path in enumerate(files, start=1):
                if progress:
                    progress(n, len(files))
                try:
                    # A JSON document is read once and hashed from memory; NDJSON and ZIP are streamed twice.
                    data = None if sources.is_ndjson(path) or is_zip_name(path) else sources.read_bytes(path)
                    digest = sources.sha256_file(path) if data is None else hashlib.sha256(data).hexdigest()
                    if digest in done_inputs or digest in new_inputs:
                        report.files_skipped += 1
                        continue
                    _ingest_file(path, data, strict, extractor, writers)
                except FaultError as fault:
                    report.quarantined.append(Quarantined(str(path), fault.pointer, fault.reason))
                    continue
                except ArchiveError as refused:
                    report.quarantined.append(Quarantined(str(path), refused.member or "", refused.reason()))
                    continue
                except (OSError, ValueError) as exc:
                    report.quarantined.append(Quarantined(str(path), "", " ".join(str(exc).split())))
                    continue
                report.files_ingested += 1
                new_inputs[digest] = run_id
            staged = writers.close(all_tables=out is not None)
        except BaseException:
            writers.abort()
            raise
        for table, n in writers.counts().items():
            if n:
                report.add_rows(table, n)
        return staged

    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        stage = out / f".medkosh-staging-{run_id}"
        stage.mkdir()
        try:
            staged = work(stage)
            for table, path in staged.items():
                os.replace(path, out / f"{table}.parquet")  # each table switches atomically
        finally:
            for leftover in stage.glob("*"):
                leftover.unlink()
            stage.rmdir()
    else:
        with zone.staging(run_id) as stage:
            staged = work(stage)
            zone.publish(source_id, run_id, staged, new_inputs)
    report.seconds = time.perf_counter() - started
    return report


def _ingest_file(path: Path, data: bytes | None, strict: bool, extractor: _Extractor, writers: WriterSet) -> None:
    if is_zip_name(path):
        _ingest_zip(path, strict, extractor, writers)
        return
    if data is not None:
        inp = _load_checked(data, strict)
        for table, rows in checked_rows(extractor, inp).items():
            writers.extend(table, rows)
        return
    # NDJSON: check every line first (streamed), then extract (streamed again): bounded memory, and
    # a bad line quarantines the file before any of its rows reaches a writer.
    scratch = extractor.scratch()
    for number, line in sources.iter_lines(path):
        try:
            checked_rows(scratch, _load_checked(line, strict))
        except FaultError as fault:
            raise FaultError(f"line {number}: {fault.pointer or '/'}", fault.reason) from fault
    for _number, line in sources.iter_lines(path):
        inp = load(orjson.loads(line))
        for table, rows in extractor.rows(inp).items():
            writers.extend(table, rows)


def _zip_members(archive: SafeZip) -> list[Any]:
    members = [m for m in archive.members if m.filename.lower().endswith(sources.ZIP_MEMBER_SUFFIXES)
               and not PurePosixPath(m.filename).name.startswith(".") and "__MACOSX" not in m.filename]
    if not members:
        raise FaultError("", "the archive holds no FHIR files (.json, .ndjson, .jsonl); zip the bundles themselves")
    return members


def _ingest_zip(path: Path, strict: bool, extractor: _Extractor, writers: WriterSet) -> None:
    """A .zip of bundles (checked by medkosh.ingest.archive): every member is checked before any row of
    the archive reaches a writer, so a bad member quarantines the whole archive and nothing is written."""
    with SafeZip(path) as archive:
        members = _zip_members(archive)
        scratch = extractor.scratch()
        for member in members:
            name = member.filename
            if sources.is_ndjson(Path(name)):
                for number, line in archive.lines(member):
                    try:
                        checked_rows(scratch, _load_checked(line, strict))
                    except FaultError as fault:
                        raise FaultError(f"{name} line {number}: {fault.pointer or '/'}", fault.reason) from fault
            else:
                try:
                    checked_rows(scratch, _load_checked(archive.read(member), strict))
                except FaultError as fault:
                    raise FaultError(f"{name}: {fault.pointer or '/'}", fault.reason) from fault
        for member in members:
            if sources.is_ndjson(Path(member.filename)):
                docs: Any = (line for _n, line in archive.lines(member))
            else:
                docs = [archive.read(member)]
            for doc in docs:
                for table, rows in extractor.rows(load(orjson.loads(doc))).items():
                    writers.extend(table, rows)


_TYPE_ERRORS = (AttributeError, TypeError, KeyError, IndexError, ValueError, OverflowError)
_TEXT: frozenset[type] = frozenset({str, type(None)})
_NUMBER: frozenset[type] = frozenset({int, float, type(None)})


def _kinds(records: list[dict[str, Any]], keys: tuple[str, ...]) -> set[type]:
    """The Python types of records[*][keys] (a missing key counts as None), built by C-level map()s."""
    try:
        if len(keys) == 1:
            return set(map(type, map(operator.itemgetter(keys[0]), records)))
        return set(map(type, itertools.chain.from_iterable(map(operator.itemgetter(*keys), records))))
    except KeyError:
        return {type(r.get(k)) for k in keys for r in records}


def _json_name(kinds: set[type] | frozenset[type]) -> str:
    names = {dict: "object", list: "array", bool: "boolean", int: "number", float: "number"}
    return "/".join(sorted({names.get(k, k.__name__) for k in kinds}))


@functools.cache
def _column_checks(table: str) -> tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]:
    """The table's text columns, and its nested columns with their item check (list of text, or list of
    records whose fields are text or numbers); scalar columns come from typed readers (dates, numbers)."""
    import pyarrow as pa

    schema = schemas.schema(table)
    text = tuple(f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
    nested: list[tuple[str, Any]] = []
    for f in schema:
        if not pa.types.is_list(f.type):
            continue
        item = f.type.value_type
        if pa.types.is_struct(item):
            names = [item.field(i).name for i in range(item.num_fields)]
            text_keys = tuple(n for n in names if pa.types.is_string(item.field(n).type))
            groups = [(text_keys, _TEXT), (tuple(n for n in names if n not in text_keys), _NUMBER)]
            nested.append((f.name, tuple((keys, allowed) for keys, allowed in groups if keys)))
        else:
            nested.append((f.name, None))
    return text, tuple(nested)


def checked_rows(extractor: _Extractor, inp: FhirInput) -> Rows:
    """The input's rows, or a FaultError if a resource holds a value of the wrong JSON type (a number
    where FHIR has a string, an object where it has a code, ...): found before any row of the file
    reaches a writer, so the file is quarantined whole instead of failing the run at the next flush.
    The reason names the table and column, never a value or a resource id."""
    try:
        out = extractor.rows(inp)
    except _TYPE_ERRORS as exc:
        raise FaultError("", f"a resource has a value of the wrong JSON type ({type(exc).__name__} while reading "
                         "it); check the file against the FHIR R4 datatypes (--strict names the element)") from exc
    for table, rows in out.items():
        text, nested = _column_checks(table)
        # One C-level pipeline per table (itemgetter → chain → type → set); per column only on a fault.
        if not _kinds(rows, text) <= _TEXT:
            for name in text:
                wrong = {type(row.get(name)) for row in rows} - _TEXT
                if wrong:
                    raise FaultError("", f"a {table} resource has a JSON {_json_name(wrong)} where column {name!r} "
                                     "expects text; check the file against the FHIR R4 datatypes (--strict names "
                                     "the element)")
        for name, fields in nested:
            values = [v for v in map(operator.methodcaller("get", name), rows) if v is not None]
            ok = set(map(type, values)) <= {list}
            if ok:
                items = list(itertools.chain.from_iterable(values))
                if fields is None:
                    ok = set(map(type, items)) <= _TEXT
                else:
                    ok = set(map(type, items)) <= {dict} and all(_kinds(items, keys) <= allowed
                                                                 for keys, allowed in fields)
            if not ok:
                raise FaultError("", f"a {table} resource has a value of the wrong JSON type in column "
                                 f"{name!r}; check the file against the FHIR R4 datatypes (--strict names "
                                 "the element)")
    return out
