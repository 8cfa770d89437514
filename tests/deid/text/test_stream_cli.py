"""Streaming JSONL/txt de-identification and the `medkosh deid text|review` commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from medkosh.deid.text.stream import deidentify_jsonl
from medkosh.errors import InputError

NOTES = [
    {"id": "n1", "text": "Pt Ramesh Kumar S/o Suresh, ph 9876543210, seen 12/03/2024 by Dr. Sharma.", "patient_id": "p1"},
    {"id": "n2", "text": "Wife Sunita called. श्री रमेश शर्मा visited on 14/03/2024.", "patient_id": "p1"},
    {"id": "n3", "text": "No identifiers: BP 120/80, Lasix 40 mg, Parkinson's disease.", "patient_id": "p2"},
]


def _write(path: Path, notes: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(n, ensure_ascii=False) + "\n" for n in notes), encoding="utf-8")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "medkosh.cli.main", *args], capture_output=True, text=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_jsonl_roundtrip_keeps_order_and_offsets(tmp_path: Path, workers: int) -> None:
    src = _write(tmp_path / "in.jsonl", NOTES * 150)  # several batches
    out = tmp_path / "out.jsonl"
    summary = deidentify_jsonl(src, out, "tag", workers)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert summary.notes == len(rows) == 450
    assert [r["id"] for r in rows[:3]] == ["n1", "n2", "n3"]
    for row, note in zip(rows, NOTES * 150, strict=True):
        assert set(row) == {"id", "text", "spans"}  # nothing else (no patient_id) passes through
        for s in row["spans"]:
            assert note["text"][s["start"]:s["end"]].strip()
    assert "Ramesh" not in out.read_text(encoding="utf-8")
    assert rows[2]["spans"] == [] and rows[2]["text"] == NOTES[2]["text"]
    assert summary.labels["NAME"] >= 3 * 150


def test_txt_directory_to_directory(tmp_path: Path) -> None:
    src = tmp_path / "notes"
    (src / "ward").mkdir(parents=True)
    (src / "a.txt").write_text(NOTES[0]["text"], encoding="utf-8")
    (src / "ward" / "b.txt").write_text(NOTES[1]["text"], encoding="utf-8")
    out = tmp_path / "clean"
    summary = deidentify_jsonl(src, out, "redact", 1)
    assert summary.notes == 2
    assert "Ramesh" not in (out / "a.txt").read_text(encoding="utf-8")
    assert (out / "ward" / "b.txt").exists() and (out / "spans.jsonl").exists()


def test_bad_line_is_a_one_line_error_and_leaves_no_output(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(NOTES[0]) + "\n{not json\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError) as exc:
        deidentify_jsonl(src, out, "tag", 1)
    assert "in.jsonl:2" in str(exc.value)
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl*"))


def test_cli_text_json_summary(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", NOTES)
    out = tmp_path / "out.jsonl"
    res = _run("deid", "text", "--input", str(src), "--output", str(out), "--mode", "surrogate", "--json")
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["notes"] == 3 and summary["spans_per_label"]["NAME"] >= 3 and "mb_per_s" in summary
    assert "Ramesh" not in out.read_text(encoding="utf-8")
    bad = _run("deid", "text", "--input", str(src), "--output", str(out), "--mode", "blur")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "--mode" in bad.stderr


def test_cli_review_json(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", NOTES)
    res = _run("deid", "review", "--input", str(src), "--id", "n1", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["notes"][0]["id"] == "n1" and data["notes"][0]["spans"]
    sample = json.loads(_run("deid", "review", "--input", str(src), "--sample", "2", "--json").stdout)
    assert len(sample["notes"]) == 2


@pytest.mark.ray
def test_ray_engine(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from medkosh.deid.text.ray_engine import deidentify_jsonl_ray

    src = _write(tmp_path / "in.jsonl", NOTES * 5)
    out = tmp_path / "out.jsonl"
    summary = deidentify_jsonl_ray(src, out, "tag", max_in_flight=2)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert summary.notes == 15 and [r["id"] for r in rows[:3]] == ["n1", "n2", "n3"]
