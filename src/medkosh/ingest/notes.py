"""`medkosh ingest notes FILE.jsonl`: clinical notes → the raw-zone table `note`.

One JSON object per line: id, hospital_id, patient_id (the FHIR Patient id) or uhid, encounter_id,
date, note_type, text (the layout `medkosh synth` writes; gold PHI spans, if present, are not kept).
A note's patient_key is the one its patient already has in the zone (looked up by UHID, else by the
FHIR Patient id in the `patient` table), so ingest FHIR first; a note whose patient is unknown keys
on its UHID, or failing that on the FHIR id, exactly as the FHIR ingest would.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from medkosh.errors import InputError
from medkosh.ingest import sources, zone
from medkosh.ingest.fhir_values import local_date, parse_instant
from medkosh.ingest.linkage import patient_key, zone_secret
from medkosh.ingest.schema import schema
from medkosh.ingest.types import HiType, IngestReport, Quarantined
from medkosh.ingest.writer import WriterSet
from medkosh.store.base import new_id

TABLE = "note"
_HI_BY_TYPE = {"opd": HiType.OP_CONSULTATION, "discharge": HiType.DISCHARGE_SUMMARY,
               "discharge_summary": HiType.DISCHARGE_SUMMARY, "lab": HiType.DIAGNOSTIC_REPORT,
               "lab_report": HiType.DIAGNOSTIC_REPORT, "radiology": HiType.DIAGNOSTIC_REPORT,
               "prescription": HiType.PRESCRIPTION}


def _keys_by_fhir_id(source_id: str) -> dict[str, str]:
    frame = (zone.scan_table("patient", [source_id]).select("resource_id", "patient_key")
             .drop_nulls().unique().collect()) if source_id in zone.list_sources() else pl.DataFrame()
    return dict(zip(frame["resource_id"].to_list(), frame["patient_key"].to_list(), strict=True)) \
        if frame.height else {}


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    for number, raw in sources.iter_lines(path):
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            yield number, None, f"not valid JSON ({str(exc).split(':', 1)[0]})"
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
            yield number, None, "a note needs a 'text' string"
            continue
        yield number, doc, None


def ingest_notes(path: Path, source_id: str | None = None, *, secret: bytes | None = None) -> list[IngestReport]:
    """One report per hospital found in the file (or only `source_id`'s notes when given). A line that is
    not a note quarantines the whole file (nothing from it is published)."""
    if not path.is_file():
        raise InputError(f"no such file: {path}", hint="give a JSONL file of notes")
    secret = secret if secret is not None else zone_secret()
    problems = [(n, why) for n, _doc, why in _lines(path) if why]
    hospitals: dict[str, int] = {}
    if not problems:
        for _n, doc, _why in _lines(path):
            assert doc is not None
            hid = str(doc.get("hospital_id") or source_id or "")
            if source_id is None or hid == source_id:
                hospitals[hid] = hospitals.get(hid, 0) + 1
    if not hospitals and source_id is None and not problems:
        raise InputError(f"no notes with a hospital_id in {path}", hint="pass --source HOSPITAL_ID")
    reports = []
    digest = sources.sha256_file(path)
    for hid in sorted(hospitals) or [source_id or "unknown"]:
        zone.check_source_id(hid)
        reports.append(_ingest_one(path, hid, digest, secret, problems))
    return reports


def _ingest_one(path: Path, source_id: str, digest: str, secret: bytes,
                problems: list[tuple[int, str]]) -> IngestReport:
    run_id = new_id("run")
    started = time.perf_counter()
    report = IngestReport(run_id, source_id, "notes", f"raw/{source_id}", files_total=1)
    if problems:
        n, why = problems[0]
        report.quarantined.append(Quarantined(str(path), f"line {n}", why))
        report.seconds = time.perf_counter() - started
        return report
    input_key = f"{digest}:{source_id}"  # one file can feed several hospitals
    if input_key in zone.ingested_inputs(source_id):
        report.files_skipped = 1
        report.seconds = time.perf_counter() - started
        return report
    known = _keys_by_fhir_id(source_id)
    unlinked = 0
    with zone.staging(run_id) as stage:
        writers = WriterSet(stage, {TABLE: schema(TABLE)})
        for _n, doc, _why in _lines(path):
            assert doc is not None
            if str(doc.get("hospital_id") or source_id) != source_id:
                continue
            fhir_id = str(doc.get("patient_id") or "")
            key: str | None
            if doc.get("uhid"):
                key = patient_key(source_id, str(doc["uhid"]), "uhid", secret)
            elif fhir_id in known:
                key = known[fhir_id]
            else:
                unlinked += 1
                key = patient_key(source_id, fhir_id, "fhir", secret) if fhir_id else None
            note_type = str(doc.get("note_type") or "") or None
            writers.extend(TABLE, [{
                "source_id": source_id, "run_id": run_id, "patient_key": key, "record_date": local_date(doc.get("date")),
                "hi_type": str(_HI_BY_TYPE.get((note_type or "").lower(), HiType.OP_CONSULTATION)),
                "resource_id": None if doc.get("id") is None else str(doc["id"]),
                "encounter_id": None if doc.get("encounter_id") is None else str(doc["encounter_id"]),
                "note_id": None if doc.get("id") is None else str(doc["id"]), "note_type": note_type,
                "date": parse_instant(doc.get("date")), "text": doc["text"],
            }])
        staged = writers.close()
        for table, n in writers.counts().items():
            report.add_rows(table, n)
        zone.publish(source_id, run_id, staged, {input_key: run_id})
    report.files_ingested = 1
    if unlinked:
        report.warnings.append(f"{unlinked} note(s) name a patient not yet in {source_id}'s patient table; "
                               "ingest the FHIR bundles first so notes link to the same patient_key")
    report.seconds = time.perf_counter() - started
    return report
