"""`medkosh ingest dicom DIR --source S`: de-identify every DICOM file on the way in (the engine of
`medkosh deid dicom`, under the raw zone's secret and linkage key), store it in the content-
addressed object store and index it in the raw-zone table `imaging_instance`.

PatientID is read as the hospital UHID, so a patient's images get the same patient_key as their
FHIR records and HIS rows. Corrupt, truncated or non-DICOM files are quarantined; the run goes on.
"""

from __future__ import annotations

import io
import time
import warnings
from pathlib import Path

from medkosh.deid.dicom import (
    CORRUPT_ERRORS,
    DicomDeidentifier,
    DicomReadError,
    first_line,
    iter_files,
    read_dicom,
)
from medkosh.errors import InputError
from medkosh.ingest import sources, zone
from medkosh.ingest.linkage import patient_key, zone_secret
from medkosh.ingest.schema import schema
from medkosh.ingest.types import HiType, IngestReport, Quarantined
from medkosh.ingest.writer import WriterSet
from medkosh.store.base import new_id
from medkosh.store.objects import ObjectStore

TABLE = "imaging_instance"


def ingest_dicom(folder: Path, source_id: str, *, run_id: str | None = None,
                 secret: bytes | None = None) -> IngestReport:
    zone.check_source_id(source_id)
    if not folder.is_dir():
        raise InputError(f"not a folder: {folder}", hint="give the folder that holds the DICOM files")
    run_id = run_id or new_id("run")
    secret = secret if secret is not None else zone_secret()
    files = iter_files(folder)
    started = time.perf_counter()
    report = IngestReport(run_id, source_id, "dicom", f"raw/{source_id}", files_total=len(files))
    engine = DicomDeidentifier(secret, lambda pid: patient_key(source_id, pid, "uhid", secret))
    store = ObjectStore()
    done = zone.ingested_inputs(source_id)
    new_inputs: dict[str, str] = {}
    flagged = 0
    studies: set[str] = set()
    with zone.staging(run_id) as stage:
        writers = WriterSet(stage, {TABLE: schema(TABLE)})
        for path in files:
            digest = sources.sha256_file(path)
            if digest in done or digest in new_inputs:
                report.files_skipped += 1
                continue
            try:
                ds = read_dicom(path)
                result = engine.deidentify(ds)
                buffer = io.BytesIO()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ds.save_as(buffer, enforce_file_format=False)
            except DicomReadError as exc:
                report.quarantined.append(Quarantined(str(path), "", str(exc)))
                continue
            except CORRUPT_ERRORS as exc:  # read lazily, failed later: this file only, in memory (nothing stored)
                report.quarantined.append(Quarantined(str(path), "", f"corrupt DICOM element ({first_line(exc)})"))
                continue
            data = buffer.getvalue()
            # Objects are de-identified, so one orphaned by a run that dies before publishing holds no identity.
            sha = store.put_bytes(data)
            flagged += result.flagged
            if result.study_uid:
                studies.add(result.study_uid)
            writers.extend(TABLE, [{
                "source_id": source_id, "run_id": run_id, "patient_key": result.patient_key,
                "record_date": result.study_date, "hi_type": str(HiType.DIAGNOSTIC_REPORT),
                "resource_id": result.sop_uid, "encounter_id": None,
                "study_uid": result.study_uid, "series_uid": result.series_uid, "sop_uid": result.sop_uid,
                "sop_class_uid": result.sop_class_uid, "modality": result.modality, "body_part": result.body_part,
                "rows": result.rows, "columns": result.columns, "object_sha256": sha, "object_size": len(data),
                "flagged_for_review": result.flagged, "review_reason": result.review_reason,
            }])
            report.resources["DICOM"] = report.resources.get("DICOM", 0) + 1
            report.files_ingested += 1
            new_inputs[digest] = run_id
        staged = writers.close()
        for table, n in writers.counts().items():
            report.add_rows(table, n)
        zone.publish(source_id, run_id, staged, new_inputs)
    report.extra.update(flagged_for_review=flagged, studies=len(studies))
    report.seconds = time.perf_counter() - started
    return report
