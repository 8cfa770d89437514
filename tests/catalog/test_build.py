from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from medkosh.catalog import service
from medkosh.catalog.build import build, rebuild_after_withdrawal
from medkosh.catalog.policies import can_grant, check_can_grant
from medkosh.catalog.toolkit import Toolkit
from medkosh.catalog.types import VersionStatus
from medkosh.errors import PolicyViolation
from medkosh.store.db import session_scope
from medkosh.store.objects import ObjectStore
from medkosh.store.tables.audit import AuditEventRow
from medkosh.store.tables.catalog import CatalogVersionRow

from .conftest import Consents


def _e11(keys: list[str]) -> set[str]:
    return {k for i, k in enumerate(keys) if i % 2 == 0}  # the fixture gives even patients E11


def test_build_publishes_a_content_addressed_version(raw_zone: list[str], toolkit: Toolkit,
                                                     make_spec: Callable[..., Path]) -> None:
    result = build(make_spec(), toolkit=toolkit)
    v = result.version
    assert (v.ref, v.status, result.created) == ("t2d-cohort@1", VersionStatus.PUBLISHED, True)
    store = ObjectStore()
    manifest = store.get_bytes(v.manifest_object)
    assert hashlib.sha256(manifest).hexdigest() == v.id
    parsed = orjson.loads(manifest)
    assert {f["path"] for f in parsed["files"]} == {"tables/patient.parquet", "tables/condition.parquet"}
    for f in v.files:  # every file is in the store under its own hash
        assert hashlib.sha256(store.get_bytes(f.sha256)).hexdigest() == f.sha256
    assert parsed["consent_snapshot_id"] == v.consent_snapshot_id
    assert parsed["code_version"] and parsed["spec_sha256"]
    patients = parsed["anonymisation"]["patient"]  # the tabular engine ran under the recipe
    assert patients["k"] >= 3 and parsed["recipes"]["patient"]["recipe"]["privacy"]["k"] == 3
    with session_scope() as s:
        assert set(service.version_members(s, "t2d-cohort@1")) == _e11(raw_zone)
        events = s.execute(select(AuditEventRow.event_type)).scalars().all()
    assert "catalog.version.published" in events


def test_published_version_rescans_clean(raw_zone: list[str], toolkit: Toolkit,
                                         make_spec: Callable[..., Path]) -> None:
    from medkosh.catalog.rescan import rescan_version

    v = build(make_spec(), toolkit=toolkit).version
    with session_scope() as s:
        result = rescan_version(s, v.ref, toolkit)
    assert result.findings == [] and result.canaries == 1 and result.files == 3


def test_released_tables_hold_no_raw_keys_or_identifiers(raw_zone: list[str], toolkit: Toolkit,
                                                         make_spec: Callable[..., Path]) -> None:
    import io

    import polars as pl

    v = build(make_spec(), toolkit=toolkit).version
    patient = next(f for f in v.files if f.path == "tables/patient.parquet")
    frame = pl.read_parquet(io.BytesIO(ObjectStore().get_bytes(patient.sha256)))
    assert set(frame.columns) == {"gender", "birth_date", "state", "person_id"}
    assert not set(frame["person_id"]) & set(raw_zone)  # re-keyed under the dataset's own secret
    assert frame.height <= len(_e11(raw_zone))  # the recipe may suppress a few rows
    counts = frame.group_by("gender", "birth_date").len()["len"]
    assert counts.min() >= 3  # k-anonymous in the released quasi-identifiers


def test_identical_rebuild_is_idempotent(raw_zone: list[str], toolkit: Toolkit,
                                         make_spec: Callable[..., Path]) -> None:
    first = build(make_spec(), toolkit=toolkit)
    again = build(make_spec(), toolkit=toolkit)
    assert again.version.id == first.version.id and not again.created
    with session_scope() as s:
        assert len(s.execute(select(CatalogVersionRow)).scalars().all()) == 1


def test_a_canary_in_a_released_column_fails_closed(raw_zone: list[str], toolkit: Toolkit,
                                                    make_spec: Callable[..., Path]) -> None:
    spec = make_spec(tables="  - {source: condition, columns: [code, code_text]}")
    with pytest.raises(PolicyViolation, match=r"PHI scan found .*CANARY.*nothing was published"):
        build(spec, toolkit=toolkit)
    with session_scope() as s:
        assert s.execute(select(CatalogVersionRow)).scalars().all() == []
        failed = s.execute(select(AuditEventRow).where(AuditEventRow.event_type == "catalog.build.failed")).scalars().all()
    assert len(failed) == 1 and "CANARY-7Q4Z" not in failed[0].details
    assert list(ObjectStore().iter_ids()) == []  # nothing of the refused build reached the store


def test_a_build_killed_before_publishing_leaves_nothing_and_can_be_rerun(
        raw_zone: list[str], toolkit: Toolkit, make_spec: Callable[..., Path]) -> None:
    real_scan = toolkit.scan_paths

    def killed(paths, canaries):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # the process dies after writing every file, before the switch

    toolkit.scan_paths = killed
    with pytest.raises(KeyboardInterrupt):
        build(make_spec(), toolkit=toolkit)
    with session_scope() as s:
        assert s.execute(select(CatalogVersionRow)).scalars().all() == []
    toolkit.scan_paths = real_scan
    assert build(make_spec(), toolkit=toolkit).version.number == 1


def test_withdrawal_walks_from_revocation_to_version_two(raw_zone: list[str], toolkit: Toolkit,
                                                         consents: Consents, make_spec: Callable[..., Path]) -> None:
    v1 = build(make_spec(), toolkit=toolkit).version
    patient = sorted(_e11(raw_zone))[0]
    with session_scope() as s:
        refs = service.versions_containing(s, [patient])
    assert [(r.dataset_id, r.number, r.version_id) for r in refs] == [("t2d-cohort", 1, v1.id)]

    consents.revoked.add(patient)
    result = rebuild_after_withdrawal(None, "t2d-cohort", "consent revoked", toolkit=toolkit)
    assert result.old_version == v1.id and result.new_version.number == 2
    assert result.grants == []  # asked of the access domain: no grant points at version 1
    with session_scope() as s:
        old = service.get_version(s, "t2d-cohort@1")
        new = service.get_version(s, "t2d-cohort@latest")
        assert old.status is VersionStatus.SUPERSEDED_CONSENT_WITHDRAWN
        assert old.status.label == "superseded — consent withdrawn" and old.superseded_by == new.id
        assert new.number == 2 and patient not in service.version_members(s, "t2d-cohort@2")
        assert new.patients == v1.patients - 1
        assert service.versions_containing(s, [patient]) == []
        assert [r.number for r in service.versions_containing(s, [patient], include_withdrawn=True)] == [1]
        shown = service.show_dataset(s, "t2d-cohort")
    assert [v["status_label"] for v in shown["versions"]] == ["published", "superseded — consent withdrawn"]
    assert not can_grant(old) and can_grant(new)
    with pytest.raises(PolicyViolation, match="consent withdrawn; no new access"):
        check_can_grant(old)


def test_refs_by_number_hash_prefix_and_latest(raw_zone: list[str], toolkit: Toolkit,
                                               make_spec: Callable[..., Path]) -> None:
    from medkosh.errors import InputError, NotFoundError

    v = build(make_spec(), toolkit=toolkit).version
    with session_scope() as s:
        assert service.get_version(s, f"t2d-cohort@{v.id}").number == 1
        assert service.get_version(s, f"t2d-cohort@{v.id[:12]}").id == v.id
        assert service.get_version(s, "t2d-cohort").id == v.id
        with pytest.raises(NotFoundError, match="no version t2d-cohort@7"):
            service.get_version(s, "t2d-cohort@7")
        with pytest.raises(InputError, match="not a version"):
            service.get_version(s, "t2d-cohort@abc")
        with service.open_file(s, "t2d-cohort@1", "tables/patient.parquet") as fh:
            assert fh.read(4) == b"PAR1"


def test_rebuild_finds_canaries_without_the_variable_the_spec_named(
        raw_zone: list[str], toolkit: Toolkit, consents: Consents, make_spec: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    spec = make_spec()
    spec.write_text(spec.read_text().replace("canaries: canaries.json", "canaries: ${MK_TEST_SYNTH}/canaries.json"))
    monkeypatch.setenv("MK_TEST_SYNTH", str(spec.parent))
    build(spec, toolkit=toolkit)
    monkeypatch.delenv("MK_TEST_SYNTH")  # as in a later `medkosh consent enforce` process
    consents.revoked.add(sorted(_e11(raw_zone))[1])
    result = rebuild_after_withdrawal(None, "t2d-cohort", toolkit=toolkit)
    assert result.new_version.number == 2
    with session_scope() as s:
        manifest = service.manifest(s, "t2d-cohort@2")
    assert manifest["anonymisation"]["_phi_gate"]["canary_list_sha256"]  # the canary list was read again
