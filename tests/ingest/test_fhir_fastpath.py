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


def test_the_collector_runs_again_between_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pause covers one input at a time: with the collector on, it is on again when the next
    file is read (observed from inside the reader)."""
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
    assert seen == [True, True]
