"""`medkosh query DATASET_ID@VERSION` reads the version's encounter table through the catalog."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from medkosh.audit.service import Actor
from medkosh.errors import InputError, PolicyViolation
from medkosh.store.base import utcnow
from medkosh.store.db import session_scope
from medkosh.store.objects import ObjectStore
from medkosh.surveillance import service
from medkosh.surveillance.types import Dimension, QuerySpec


def _publish(encounters: Path, tier: str, extra_files: dict[str, bytes]) -> None:
    """A catalog version row pointing at the table in the object store (what a build leaves behind)."""
    from medkosh.store.tables.catalog import CatalogDatasetRow, CatalogVersionFileRow, CatalogVersionRow

    store = ObjectStore()
    files = {"tables/encounters.parquet": store.put_file(encounters)}
    files |= {path: store.put_bytes(data) for path, data in extra_files.items()}
    vid = hashlib.sha256(b"surv-test-" + tier.encode()).hexdigest()
    now = utcnow()
    with session_scope() as s:
        s.add(CatalogDatasetRow(id="surv-feed", name="Feed", description="", steward="s", institution="i",
                                modality="ehr", tier=tier, licence="x", conditions="[]", states="[]",
                                metadata_json="{}", spec_object="0" * 64, created_at=now, updated_at=now,
                                latest_version=vid, latest_number=1, size_bytes=0, rows=0, search_seq=1,
                                search_text=""))
        s.flush()
        s.add(CatalogVersionRow(id=vid, dataset_id="surv-feed", number=1, status="published", tier=tier,
                                created_at=now, code_version="t", manifest_object="0" * 64,
                                consent_snapshot_id="snap", patients=1, rows=1, size_bytes=1))
        s.flush()
        for path, sha in files.items():
            s.add(CatalogVersionFileRow(version_id=vid, path=path, sha256=sha, size=1,
                                        media_type="application/vnd.apache.parquet", rows=None))


def test_controlled_version_answers_only_with_dp(sqlite_url: str, encounters: Path) -> None:
    _publish(encounters, "controlled", {"tables/patients.parquet": b"PAR1 not really"})
    actor = Actor("usr_a")
    with pytest.raises(PolicyViolation, match="only differentially private"), session_scope() as s:
        service.query(s, "surv-feed@1", QuerySpec(by=(Dimension.STATE,)), actor)
    with session_scope() as s:
        result = service.query(s, "surv-feed@1", QuerySpec(by=(Dimension.STATE,), epsilon=0.5), actor,
                               allow_paths=False)
        assert result.mode == "dp" and result.rows
        assert service.budget(s, "surv-feed@1", "usr_a").epsilon_spent == pytest.approx(0.5)
        with pytest.raises(InputError, match="cannot tell which table"):
            service.resolve_source(s, "surv-feed@1", table="tables/nothing.parquet")


def test_open_version_uses_disclosure_control(sqlite_url: str, encounters: Path) -> None:
    _publish(encounters, "open", {})
    with session_scope() as s:
        result = service.query(s, "surv-feed@1", QuerySpec(by=(Dimension.CONDITION,)), Actor("usr_b"))
    assert result.mode == "disclosure"
    assert any(r["condition"] == "dengue" and r["value"] for r in result.rows)
