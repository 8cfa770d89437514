"""Enforcement end to end: consent → dataset version 1 → revocation → version 2 without the patient,
old version withdrawn, raw rows erased; dataEraseAt expiry; idempotence and recovery after a failure.

Real components throughout: the raw zone written through the ingest domain's publishing, the catalog's
own build with its default toolkit, artefacts signed by a test consent manager."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from medkosh.consent import service
from medkosh.consent.enforce import enforce
from medkosh.consent.types import ChangeSource, ConsentStatus
from medkosh.store.db import session_scope
from medkosh.store.tables.audit import AuditEventRow

HOSP = "HOSP-A"
N = 6
SPEC = """\
id: t2d-consented
name: Type 2 diabetes outpatients
description: Outpatients with type 2 diabetes at one hospital, for consent enforcement tests.
steward: Dr A. Steward
institution: Example Hospital
modality: tabular_ehr
tier: registered
licence: medkosh-DUA-1.0
conditions: [E11]
states: [MH]
consent: {purpose: DSRCH, hi_types: [OPConsultation], from: 2020-01-01, to: 2025-12-31}
cohort_codes: [E11]
tables:
  - {source: patient, columns: [gender, state]}
  - {source: condition, columns: [code, code_display]}
canaries: canaries.json
"""


def key(i: int) -> str:
    return f"PK{i:03d}"


def write_raw_zone() -> None:
    from medkosh.ingest import schema as schemas
    from medkosh.ingest import zone

    pats, conds = [], []
    for i in range(N):
        pats.append({"source_id": HOSP, "run_id": "run_c1", "patient_key": key(i), "resource_id": f"pat-{i}",
                     "uhid": f"UH{i:05d}", "abha_address": f"person{i}@abdm", "gender": "female",
                     "state": "Maharashtra"})
        for month in (3, 9):
            conds.append({"source_id": HOSP, "run_id": "run_c1", "patient_key": key(i),
                          "record_date": dt.date(2022, month, 10), "hi_type": "OPConsultation",
                          "resource_id": f"cond-{i}-{month}", "encounter_id": f"enc-{i}-{month}",
                          "code_system": "http://hl7.org/fhir/sid/icd-10", "code": "E11.9",
                          "code_display": "Type 2 diabetes"})
    with zone.staging("run_c1") as folder:
        staged = {}
        for name, rows in (("patient", pats), ("condition", conds)):
            schema = schemas.schema(name)
            path = folder / f"{name}.parquet"
            pq.write_table(pa.table({f.name: [r.get(f.name) for r in rows] for f in schema}, schema=schema), path)
            staged[name] = path
        zone.publish(HOSP, "run_c1", staged)


def raw_keys(table: str) -> set[str]:
    from medkosh.ingest.zone import scan_table

    return set(scan_table(table).select("patient_key").collect()["patient_key"].to_list())


@pytest.fixture
def world(db_url, cm, tmp_path: Path):
    """Six patients; person4 consented only to care management; person5's consent ends in 2027."""
    cm.trust()
    write_raw_zone()
    ids = {}
    with session_scope() as s:
        for i in range(N):
            doc = cm.artefact(consent_id=f"consent-{i}", patient=f"person{i}@abdm", hi_types=("OPConsultation",),
                              purpose="CAREMGT" if i == 4 else "DSRCH",
                              erase_at="2027-01-01T00:00:00Z" if i == 5 else "2031-01-01T00:00:00Z", hip=HOSP)
            ids[i] = service.import_artefact(s, orjson.dumps(doc), where="t", actor="test").consent_id
    (tmp_path / "canaries.json").write_text(json.dumps([]))
    spec = tmp_path / "t2d.yaml"
    spec.write_text(SPEC)
    return ids, spec


def build(spec: Path):
    from medkosh.catalog.build import build as catalog_build

    return catalog_build(spec)


def members(ref: str) -> set[str]:
    from medkosh.catalog.service import version_members

    with session_scope() as s:
        return set(version_members(s, ref))


def test_revocation_reaches_the_dataset_and_the_raw_zone(world) -> None:
    from medkosh.catalog.service import get_version
    from medkosh.catalog.types import VersionStatus

    ids, spec = world
    v1 = build(spec).version
    assert members("t2d-consented@1") == {key(i) for i in (0, 1, 2, 3, 5)}  # person4: CAREMGT only

    with session_scope() as s:
        service.change_status(s, ids[1], ConsentStatus.REVOKED, source=ChangeSource.CLI, actor="test")
    report = enforce(actor="test")
    assert report.failed == []
    assert [(w["dataset_id"], w["old_version"], w["new_version"]) for w in report.withdrawn] == [
        ("t2d-consented", v1.id, 2)]
    assert report.withdrawn[0]["grants"] == []
    with session_scope() as s:
        old = get_version(s, "t2d-consented@1")
        assert old.status is VersionStatus.SUPERSEDED_CONSENT_WITHDRAWN
        assert old.status.label == "superseded — consent withdrawn"
        tasks = {t["kind"]: t for t in service.tasks(s, ids[1])}
    assert members("t2d-consented@2") == {key(i) for i in (0, 2, 3, 5)}
    assert {t["state"] for t in tasks.values()} == {"done"}
    assert tasks["withdraw"]["result"]["versions"][0]["dataset_version"] == "t2d-consented@1"
    # The raw zone no longer holds the revoked patient, and only them.
    assert key(1) not in raw_keys("condition") and key(1) not in raw_keys("patient")
    assert raw_keys("condition") == {key(i) for i in range(N) if i != 1}
    assert report.erased == [{"consent_id": ids[1], "patient_keys": 1, "rows": 3}]

    with session_scope() as s:
        events = s.execute(select(AuditEventRow)).scalars().all()
    erased = [e for e in events if e.event_type == "consent.raw.erased"]
    assert [e.subject_id for e in erased] == [key(1)]
    assert all("@abdm" not in e.details for e in events)  # no ABHA address anywhere in the audit log

    again = enforce(actor="test")  # idempotent: nothing left to do
    assert (again.withdrawn, again.erased, again.expired, again.planned) == ([], [], [], 0)


def test_data_erase_at_expires_withdraws_and_erases(world) -> None:
    ids, spec = world
    build(spec)
    later = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
    report = enforce(as_of=later, actor="test")
    assert report.expired == [ids[5]]
    assert [w["new_version"] for w in report.withdrawn] == [2]
    assert key(5) not in members("t2d-consented@2")
    assert key(5) not in raw_keys("condition")
    with session_scope() as s:
        hist = service.history(s, ids[5])
    assert [(h["from"], h["to"], h["source"]) for h in hist][-1] == ("GRANTED", "EXPIRED", "enforcement")


def test_a_failed_withdrawal_stays_pending_and_blocks_erasure_until_rerun(world, monkeypatch) -> None:
    import medkosh.catalog.build as catalog_build
    from medkosh.errors import StoreError

    ids, spec = world
    build(spec)
    with session_scope() as s:
        service.change_status(s, ids[2], ConsentStatus.REVOKED, source=ChangeSource.CLI, actor="test")
    real = catalog_build.rebuild_after_withdrawal

    def broken(*args, **kwargs):
        raise StoreError("object store unavailable")

    monkeypatch.setattr(catalog_build, "rebuild_after_withdrawal", broken)
    report = enforce(actor="test")
    assert [f["kind"] for f in report.failed] == ["withdraw"] and "object store unavailable" in report.failed[0]["error"]
    assert key(2) in raw_keys("condition")  # not erased while its dataset withdrawal is owed
    from medkosh.catalog.service import get_version
    from medkosh.catalog.types import VersionStatus

    with session_scope() as s:
        states = {t["kind"]: (t["state"], t["attempts"]) for t in service.tasks(s, ids[2])}
        # Fail closed: version 1 holds the principal, so it is withdrawn even though no replacement exists yet.
        assert get_version(s, "t2d-consented@1").status is VersionStatus.SUPERSEDED_CONSENT_WITHDRAWN
        assert service.tasks(s, ids[2])[0]["result"] == {"rebuild_owed": ["t2d-consented"]}
    assert states == {"withdraw": ("pending", 1), "erase": ("pending", 0)}

    monkeypatch.setattr(catalog_build, "rebuild_after_withdrawal", real)
    report = enforce(actor="test")
    assert report.failed == [] and [w["new_version"] for w in report.withdrawn] == [2]
    assert key(2) not in members("t2d-consented@2") and key(2) not in raw_keys("condition")
    with session_scope() as s:
        assert get_version(s, "t2d-consented@latest").number == 2
        assert service.tasks(s, ids[2])[0]["result"]["rebuilt_after_failure"] == ["t2d-consented"]


def test_another_live_consent_keeps_the_raw_rows(world, cm) -> None:
    ids, _spec = world
    with session_scope() as s:  # person3 also consented to public-health use
        doc = cm.artefact(consent_id="consent-3-ph", patient="person3@abdm", purpose="PUBHLTH", hip=HOSP)
        service.import_artefact(s, orjson.dumps(doc), where="t", actor="test")
        service.change_status(s, ids[3], ConsentStatus.REVOKED, source=ChangeSource.CLI, actor="test")
    report = enforce(actor="test")
    assert report.retained == [ids[3]] and key(3) in raw_keys("condition")


def test_eligibility_reads_the_raw_zone(world) -> None:
    from medkosh.consent.eligibility import eligibility

    with session_scope() as s:
        snap = eligibility(s, "DSRCH", ["OPConsultation"], (dt.date(2020, 1, 1), dt.date(2025, 12, 31)))
    assert snap.eligible_keys() == {key(i) for i in (0, 1, 2, 3, 5)}
    assert snap.excluded() == {key(4): snap.excluded()[key(4)]} and snap.excluded()[key(4)].value == "purpose_mismatch"
    from medkosh.ingest.zone import scan_table

    result = snap.filter(scan_table("condition"))
    assert result.eligible_rows == 10 and result.excluded == {"purpose_mismatch": 2}
    assert isinstance(result.eligible.collect(), pl.DataFrame)


def test_rotated_index_key_fails_closed_and_withdrawal_still_finds_the_principal(world) -> None:
    from medkosh.consent.eligibility import eligibility
    from medkosh.keys import rotate_key

    ids, _spec = world
    window = (dt.date(2020, 1, 1), dt.date(2025, 12, 31))
    rotate_key("consent-patient-index")
    with session_scope() as s:  # stale index: nobody matches, so nobody is eligible (never the reverse)
        assert eligibility(s, "DSRCH", ["OPConsultation"], window).eligible_keys() == frozenset()
        service.change_status(s, ids[0], ConsentStatus.REVOKED, source=ChangeSource.CLI, actor="test")
    enforce(actor="test")
    assert key(0) not in raw_keys("condition")  # resolved from the verbatim artefact, not the stale index
    with session_scope() as s:
        assert service.reindex(s, actor="test") == N
    with session_scope() as s:
        assert eligibility(s, "DSRCH", ["OPConsultation"], window).eligible_keys() == {key(i) for i in (1, 2, 3, 5)}


def test_a_run_killed_midway_is_completed_by_the_next(world, monkeypatch) -> None:
    """The process dies (KeyboardInterrupt stands in for SIGKILL: nothing catches it) while erasing the
    second of two revoked principals; the next run finishes the work, and nothing is done twice."""
    import medkosh.ingest.service as ingest_service

    ids, spec = world
    build(spec)
    with session_scope() as s:
        for i in (0, 3):
            service.change_status(s, ids[i], ConsentStatus.REVOKED, source=ChangeSource.CLI, actor="test")
    real = ingest_service.erase_patient
    calls = []

    def dies_on_second(session, patient_key, **kwargs):
        calls.append(patient_key)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(session, patient_key, **kwargs)

    monkeypatch.setattr(ingest_service, "erase_patient", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        enforce(actor="test")
    with session_scope() as s:
        states = {(t["consent_id"], t["kind"]): t["state"] for t in service.tasks(s)}
    assert states == {(ids[0], "withdraw"): "done", (ids[3], "withdraw"): "done",
                      (ids[0], "erase"): "done", (ids[3], "erase"): "pending"}
    assert key(0) not in raw_keys("condition") and key(3) in raw_keys("condition")
    assert members("t2d-consented@2") == {key(i) for i in (1, 2, 5)}

    monkeypatch.setattr(ingest_service, "erase_patient", real)
    report = enforce(actor="test")
    assert report.withdrawn == [] and [e["consent_id"] for e in report.erased] == [ids[3]]
    assert key(3) not in raw_keys("condition")
    with session_scope() as s:
        assert {t["state"] for t in service.tasks(s)} == {"done"}
        erasures = s.execute(select(AuditEventRow.subject_id)
                             .where(AuditEventRow.event_type == "consent.raw.erased")).scalars().all()
    assert sorted(erasures) == [key(0), key(3)]  # each erasure audited exactly once


def test_demo_revocation_step_shows_version_two(world, cm, tmp_path: Path) -> None:
    from types import SimpleNamespace

    from medkosh.consent import demo_revoke

    ids, spec = world
    build(spec)
    (tmp_path / "consent-manager").mkdir()
    (tmp_path / "consent-manager" / "private.key").write_text(cm.key.private_bytes_raw().hex() + "\n")
    ctx = SimpleNamespace(state={"synth_dir": tmp_path, "revoke_dataset": "t2d-consented"})
    lines = demo_revoke.run(ctx)
    assert f"consent {ids[0]} (patient {key(0)}) revoked by a signed consent-manager notification" in lines[0]
    assert "t2d-consented@1 is now 'superseded — consent withdrawn'" in lines[1]
    assert lines[2].startswith("t2d-consented@2 published with 4 patients (was 5); patient still present: no")
    assert ctx.state["consent_revoked"]["new"] == "t2d-consented@2"
    with session_scope() as s:
        assert service.history(s, ids[0])[-1]["source"] == "notification"
