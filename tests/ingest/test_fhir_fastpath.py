"""The FHIR fast path's speed measures keep results and the process's settings as they were."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from medkosh.ingest.fhir import ingest_fhir

SECRET = b"s" * 32


def _write_inputs(folder: Path) -> None:
    folder.mkdir()
    patient = {"resourceType": "Patient", "id": "p1", "identifier": [{"system": "urn:x/uhid", "value": "U1"}]}
    obs = {"resourceType": "Observation", "id": "o1", "status": "final", "subject": {"reference": "Patient/p1"},
           "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]}, "valueQuantity": {"value": 72}}
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"fullUrl": "urn:uuid:1", "resource": patient}, {"fullUrl": "urn:uuid:2", "resource": obs}]}
    (folder / "a.json").write_text(json.dumps(bundle))
    (folder / "b.json").write_text('{"resourceType": "Bundle", "entry": [')  # cut off: quarantined


@pytest.mark.parametrize("enabled_before", [True, False])
def test_ingest_restores_the_callers_garbage_collector_setting(tmp_path: Path, enabled_before: bool) -> None:
    _write_inputs(tmp_path / "in")
    was = gc.isenabled()
    try:
        if enabled_before:
            gc.enable()
        else:
            gc.disable()
        report = ingest_fhir([tmp_path / "in"], "HOSP-GC", out=tmp_path / "out", secret=SECRET)
        assert gc.isenabled() is enabled_before
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
    assert report.rows == {"patient": 1, "observation": 1}
    assert [Path(q.path).name for q in report.quarantined] == ["b.json"]


def test_the_collector_is_paused_during_the_run_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Observed from inside the reader: paused while inputs are read and parsed, on again after."""
    _write_inputs(tmp_path / "in")
    seen: list[bool] = []
    from medkosh.ingest import sources

    original = sources.read_bytes

    def spy(path: Path) -> bytes:
        seen.append(gc.isenabled())
        return original(path)

    monkeypatch.setattr(sources, "read_bytes", spy)
    gc.enable()
    ingest_fhir([tmp_path / "in"], "HOSP-GC", out=tmp_path / "out", secret=SECRET)
    assert seen == [False, False]
    assert gc.isenabled()


ODD_CONCEPTS = [
    None, "text only", [], {}, {"text": "t"}, {"coding": []}, {"coding": "abc"}, {"coding": {"a": 1}},
    {"coding": [{"system": "http://example.org/local", "code": 7, "display": "Seven"},
                {"system": "http://snomed.info/sct", "code": "386661006", "display": "Fever"}], "text": "hot"},
    {"coding": ["x", {"code": None, "display": "no code"}, {"system": None, "code": "A"}]},
    {"coding": [{"system": "urn:local", "code": 0}], "text": "zero"},
    {"coding": [{"system": "http://LOINC.org", "code": "8867-4"}, {"system": "http://snomed.info/sct", "code": "1"}]},
    {"coding": [{"system": "", "code": ""}], "text": "empty code"},
]


@pytest.mark.parametrize("cc", ODD_CONCEPTS)
def test_main_code_readers_agree_with_the_full_codings(cc: object) -> None:
    """first_code, concept_triplet and the Observation category scan read raw codings directly; they
    must give what the definitions in terms of codings() and primary() give."""
    from medkosh.ingest.fhir_bundle import _category_codes
    from medkosh.ingest.fhir_values import codings, concept_triplet, first_code, primary

    main = primary(codings(cc))
    text = cc.get("text") if isinstance(cc, dict) else None
    assert first_code([cc]) == ((main["code"] if main else None) or text if isinstance(cc, dict) else None)
    assert concept_triplet(cc, "reason") == {
        "reason_system": main["system"] if main else None, "reason_code": main["code"] if main else None,
        "reason_display": (main["display"] if main else None) or text}
    assert _category_codes([cc]) == {c["code"] for c in codings(cc) if c["code"]}


def test_date_caches_return_what_parsing_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    from medkosh.ingest import fhir_values as fv

    monkeypatch.setattr(fv, "_CACHE_MAX", 3)  # force the caches to clear while in use
    values = ["2024", "2024-03", "2024-03-05", "2024-03-05T10:00:00+05:30", "2024-03-05T10:00:00",
              "2024-13-01", "nonsense", "", None, 20240305] * 3
    for value in values:
        assert fv.parse_instant(value) == fv._parse_instant(value)
        assert fv.local_date(value) == fv._local_date(value)
    assert len(fv._INSTANTS) <= 3 and len(fv._DATES) <= 3
    assert fv.parse_instant("2024-03-05T10:00:00").isoformat() == "2024-03-05T04:30:00+00:00"  # naive = IST


def test_writer_columns_with_and_without_missing_keys(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from medkosh.ingest.writer import TableWriter

    schema = pa.schema([("a", pa.string()), ("b", pa.int64())])
    full = TableWriter(tmp_path / "full.parquet", schema)
    full.extend([{"b": 1, "a": "x"}, {"a": "y", "b": 2}])  # key order does not matter
    assert full.close()
    assert pq.read_table(tmp_path / "full.parquet").to_pylist() == [{"a": "x", "b": 1}, {"a": "y", "b": 2}]
    partial = TableWriter(tmp_path / "partial.parquet", schema)
    partial.extend([{"a": "x"}, {"a": "y", "b": 2}])  # a row without a column: that cell is null
    assert partial.close()
    assert pq.read_table(tmp_path / "partial.parquet").to_pylist() == [{"a": "x", "b": None}, {"a": "y", "b": 2}]
