from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medkosh.catalog.build import build
from medkosh.catalog.toolkit import Toolkit


@pytest.fixture
def client(raw_zone: list[str], toolkit: Toolkit, make_spec: Callable[..., Path]) -> TestClient:
    build(make_spec(), toolkit=toolkit)
    from medkosh.api.app import create_app

    return TestClient(create_app())


def test_list_show_version_and_manifest(client: TestClient) -> None:
    listed = client.get("/api/datasets").json()["datasets"]
    assert [d["id"] for d in listed] == ["t2d-cohort"]
    shown = client.get("/api/datasets/t2d-cohort").json()
    assert [v["status"] for v in shown["versions"]] == ["published"]
    version = client.get("/api/datasets/t2d-cohort/versions/1").json()
    assert version["id"] == shown["versions"][0]["id"]
    assert {f["path"] for f in version["files"]} == {"tables/patient.parquet", "tables/condition.parquet"}
    manifest = client.get("/api/datasets/t2d-cohort/versions/latest/manifest").json()
    assert manifest["consent_snapshot_id"] == version["consent_snapshot_id"]


def test_search_with_facets(client: TestClient) -> None:
    hit = client.get("/api/datasets/search", params={"q": "diabetes", "facet": ["modality=tabular_ehr"]}).json()
    assert hit["total"] == 1 and hit["facets"]["chapter"] == {"IV": 1}
    miss = client.get("/api/datasets/search", params={"q": "diabetes", "facet": ["tier=open"]}).json()
    assert miss["total"] == 0 and miss["hits"] == []
    bad = client.get("/api/datasets/search", params={"facet": ["colour=red"]})
    assert bad.status_code == 400 and "unknown search facet" in bad.json()["error"]


def test_croissant_endpoint_validates_with_mlcroissant(client: TestClient) -> None:
    mlc = pytest.importorskip("mlcroissant")
    response = client.get("/datasets/t2d-cohort/versions/1/croissant.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    doc = response.json()
    dataset = mlc.Dataset(jsonld=doc)  # raises ValidationError on any error
    assert not dataset.metadata.ctx.issues.errors
    assert {r.name for r in dataset.metadata.record_sets} == {"patient", "condition"}
    for key in ("rai:personalSensitiveInformation", "rai:dataUseCases", "usageInfo"):
        assert doc[key]
    dcat = client.get("/datasets/t2d-cohort/versions/1/dcat.jsonld").json()
    assert dcat["@type"] == "dcat:Dataset" and len(dcat["dcat:distribution"]) == 2


def test_pages_render_catalog_dataset_and_card(client: TestClient) -> None:
    page = client.get("/datasets", params={"q": "diabetes"}, headers={"accept": "text/html"})
    assert page.status_code == 200 and "Type 2 diabetes outpatient cohort" in page.text
    ds = client.get("/datasets/t2d-cohort", headers={"accept": "text/html"})
    assert ds.status_code == 200
    assert "croissant.json" in ds.text and "Consent coverage" in ds.text and "<svg" in ds.text
    hindi = client.get("/datasets?lang=hi", headers={"accept": "text/html"})
    assert hindi.status_code == 200


def test_errors_are_one_line_and_build_needs_a_steward(client: TestClient) -> None:
    missing = client.get("/api/datasets/nope-nope")
    assert missing.status_code == 404 and "\n" not in missing.json()["error"]
    refused = client.post("/api/datasets/build", content=b"id: x", headers={"content-type": "application/yaml"})
    assert refused.status_code in (401, 403)
    assert client.get("/api/datasets/t2d-cohort/versions/1/scan").status_code in (401, 403)
