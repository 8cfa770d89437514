from __future__ import annotations

import orjson
import pytest

from medkosh.catalog.publish import index_dataset
from medkosh.catalog.search import SearchQuery, icd10_chapter, parse_filters, search, search_cached, size_band
from medkosh.errors import InputError
from medkosh.store.base import utcnow
from medkosh.store.db import session_scope
from medkosh.store.tables.catalog import CatalogDatasetRow

ENTRIES = [
    ("tb-registry", "Tuberculosis treatment registry", "tabular_ehr", "open", ["A15"], ["MH", "KA"], "AIIMS Delhi", 5 << 20),
    ("cxr-tb", "Chest radiographs for tuberculosis", "imaging", "controlled", ["A15", "J18"], ["DL"], "AIIMS Delhi", 50 << 30),
    ("t2d-notes", "Diabetes clinic notes", "notes", "controlled", ["E11"], ["TN"], "CMC Vellore", 200 << 20),
    ("anc-cohort", "Antenatal care cohort", "tabular_ehr", "registered", ["O80", "Z34"], ["UP", "BR"], "KGMU Lucknow", 1 << 10),
]


def add(session, did, name, modality, tier, conditions, states, institution, size, description="A dataset."):  # type: ignore[no-untyped-def]
    now = utcnow()
    row = session.get(CatalogDatasetRow, did) or CatalogDatasetRow(id=did, created_at=now, latest_number=1, rows=10,
                                                                   search_seq=0, search_text="", spec_object="0" * 64)
    row.name, row.description, row.steward, row.institution = name, description, "Steward", institution
    row.modality, row.tier, row.licence = modality, tier, "CC-BY-4.0"
    row.conditions, row.states = orjson.dumps(conditions).decode(), orjson.dumps(states).decode()
    row.metadata_json, row.updated_at, row.size_bytes = orjson.dumps({"keywords": ["india"]}).decode(), now, size
    session.add(row)
    session.flush()
    index_dataset(session, row)


@pytest.fixture
def catalog(db_url: str) -> None:
    with session_scope() as s:
        for entry in ENTRIES:
            add(s, *entry)


def run(text: str = "", **filters: list[str]):  # type: ignore[no-untyped-def]
    with session_scope() as s:
        return search(s, SearchQuery(text=text, filters=filters))


def test_words_prefixes_and_codes(catalog: None) -> None:
    assert {h["id"] for h in run("tubercul").hits} == {"tb-registry", "cxr-tb"}
    assert [h["id"] for h in run("tuberculosis registry").hits] == ["tb-registry"]
    assert [h["id"] for h in run("E11").hits] == ["t2d-notes"]
    assert run("nothing-like-this").total == 0


def test_facets_filter_and_count(catalog: None) -> None:
    everything = run()
    assert everything.total == 4
    assert everything.facets["modality"] == {"tabular_ehr": 2, "imaging": 1, "notes": 1}
    assert everything.facets["chapter"]["I"] == 2 and everything.facets["chapter"]["XV"] == 1
    assert everything.facets["size"] == {"1-100 MB": 1, "100 MB-10 GB": 1, "<1 MB": 1, ">10 GB": 1}
    tb = run("tuberculosis", tier=["controlled"])
    assert [h["id"] for h in tb.hits] == ["cxr-tb"] and tb.facets["state"] == {"DL": 1}
    either = run(tier=["open", "registered"], institution=["AIIMS Delhi"])
    assert [h["id"] for h in either.hits] == ["tb-registry"]


def test_changes_are_seen_by_the_next_search(catalog: None) -> None:
    assert run("malaria").total == 0
    with session_scope() as s:
        add(s, "anc-cohort", "Antenatal care and malaria cohort", "tabular_ehr", "open", ["B54"], ["OD"],
            "KGMU Lucknow", 1 << 10)
    found = run("malaria", state=["OD"])
    assert [h["id"] for h in found.hits] == ["anc-cohort"] and found.facets["tier"] == {"open": 1}
    assert run("antenatal", state=["UP"]).total == 0  # the old facet values are gone


def test_cached_answer_matches_the_database_answer(catalog: None, db_url: str) -> None:
    q = SearchQuery(text="tuberculosis")
    direct = run("tuberculosis")
    cached = search_cached(q)
    if db_url.startswith("postgresql"):
        assert cached is None  # PostgreSQL always answers in the database
    else:
        assert cached is not None and cached.as_dict() == direct.as_dict()


def test_bad_queries_are_one_line_errors() -> None:
    with pytest.raises(InputError, match="unknown search facet"):
        SearchQuery(filters={"colour": ["red"]})
    with pytest.raises(InputError, match="not a facet filter"):
        parse_filters(["modality"])
    with pytest.raises(InputError, match="limit"):
        SearchQuery(limit=1000)


def test_chapters_and_size_bands() -> None:
    assert [icd10_chapter(c) for c in ("A15.0", "E11", "O80", "Z34", "U07.1", "D50", "D10")] == \
        ["I", "IV", "XV", "XXI", "XXII", "III", "II"]
    assert size_band(0) == "<1 MB" and size_band(11 << 30) == ">10 GB"
