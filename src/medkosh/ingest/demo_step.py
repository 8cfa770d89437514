"""Demo step 2: ingest every synthetic hospital's FHIR bundles, HIS extract, clinical notes and DICOM
studies into the raw zone, recording each run (and its audit event) in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson


def run(ctx: Any) -> list[str]:
    from medkosh.ingest.dicom import ingest_dicom
    from medkosh.ingest.fhir import ingest_fhir
    from medkosh.ingest.notes import ingest_notes
    from medkosh.ingest.service import record_run
    from medkosh.ingest.tabular import ingest_table
    from medkosh.ingest.zone import scan_table
    from medkosh.store.db import session_scope

    synth = Path(ctx.state["synth_dir"])
    manifest = orjson.loads((synth / "manifest.json").read_bytes())
    hospitals = [h["id"] for h in manifest["hospitals"]]
    reports = []
    for hid in hospitals:
        if (synth / "fhir" / hid).exists():
            reports.append(ingest_fhir([synth / "fhir" / hid], hid))
        his = synth / "his" / f"{hid}_admissions.csv"
        if his.exists():
            reports.append(ingest_table(his, hid, name="his_admissions"))
        if (synth / "dicom" / hid).exists():
            reports.append(ingest_dicom(synth / "dicom" / hid, hid))
    notes = synth / "notes" / "notes.jsonl"
    if notes.exists():  # after FHIR, so each note links to its patient's key
        reports.extend(ingest_notes(notes))
    with session_scope() as session:
        for report in reports:
            record_run(session, report, actor="demo")

    by_kind: dict[str, dict[str, int]] = {}
    for r in reports:
        k = by_kind.setdefault(r.kind, {"files": 0, "rows": 0, "quarantined": 0, "skipped": 0})
        k["files"] += r.files_ingested
        k["rows"] += sum(r.rows.values())
        k["quarantined"] += len(r.quarantined)
        k["skipped"] += r.files_skipped
    rows: dict[str, int] = {}
    for r in reports:
        for table, n in r.rows.items():
            rows[table] = rows.get(table, 0) + n
    flagged = sum(int(r.extra.get("flagged_for_review", 0)) for r in reports if r.kind == "dicom")
    patients = scan_table("patient", hospitals).select("patient_key").unique().collect().height
    linked = _linkage(hospitals)
    ctx.state["ingest"] = {"sources": hospitals, "rows": rows, "runs": [r.run_id for r in reports],
                           "quarantined": sum(k["quarantined"] for k in by_kind.values()),
                           "flagged_for_review": flagged, "patients": patients, "linkage": linked}
    ctx.state["sources"] = hospitals

    def kind(name: str) -> str:
        k = by_kind.get(name, {"files": 0, "rows": 0, "quarantined": 0, "skipped": 0})
        extra = f", {k['skipped']} already ingested" if k["skipped"] else ""
        return f"{k['files']:,} files → {k['rows']:,} rows, {k['quarantined']} quarantined{extra}"

    fhir_tables = ", ".join(f"{t} {n:,}" for t, n in sorted(rows.items())
                            if not t.startswith("tab_") and t not in ("note", "imaging_instance"))
    return [
        f"FHIR: {kind('fhir')} ({fhir_tables})",
        f"HIS extracts: {kind('table')}; column roles suggested in raw/<hospital>/recipes/",
        f"notes: {kind('notes')}",
        f"DICOM, de-identified on the way in (PS3.15 Basic + modified dates + clean descriptors): "
        f"{kind('dicom')}; {flagged} flagged for burned-in-text review",
        f"{patients:,} patients; one pseudonym per patient across channels: {linked}",
    ]


def _linkage(hospitals: list[str]) -> str:
    """How many HIS rows, notes and images carry a patient_key that the FHIR patient table also has."""
    import polars as pl

    from medkosh.ingest.zone import scan_table

    keys = scan_table("patient", hospitals).select("patient_key").unique()
    parts = []
    for label, table in (("HIS rows", "tab_his_admissions"), ("notes", "note"), ("images", "imaging_instance")):
        frame = scan_table(table, hospitals).select("patient_key")
        total = frame.select(pl.len()).collect().item()
        linked = frame.join(keys, on="patient_key", how="semi").select(pl.len()).collect().item()
        parts.append(f"{linked:,}/{total:,} {label}")
    return ", ".join(parts)
