"""Same seed -> byte-identical tree (whatever the worker count); the CLI's error lines; the audit event."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from medkosh.synth.generate import SynthOptions, generate

from .conftest import run_cli


def tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def test_same_seed_gives_byte_identical_output(tmp_path: Path) -> None:
    a = generate(SynthOptions(200, 3, 42, workers=1, years=2), tmp_path / "a")
    b = generate(SynthOptions(200, 3, 42, workers=2, years=2), tmp_path / "b")
    assert a["counts"] == b["counts"]
    assert tree_hash(tmp_path / "a") == tree_hash(tmp_path / "b")
    generate(SynthOptions(200, 3, 43, workers=1, years=2), tmp_path / "c")
    assert tree_hash(tmp_path / "a") != tree_hash(tmp_path / "c")


def test_rerun_replaces_an_earlier_output_atomically(tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(SynthOptions(20, 1, 1, workers=1), out)
    first = tree_hash(out)
    generate(SynthOptions(20, 1, 2, workers=1), out)
    assert tree_hash(out) != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temp or old folders left behind


@pytest.mark.parametrize(("args", "needle"), [
    (["--patients", "0"], "--patients"),
    (["--hospitals", "0"], "--hospitals"),
    (["--patients", "5", "--hospitals", "6"], "more hospitals than patients"),
    (["--years", "0"], "--years"),
    (["--outbreak", "dengue:Pune"], "--outbreak"),
    (["--outbreak", "plague:Pune:2024-W38"], "unknown outbreak condition"),
    (["--patients", "50", "--outbreak", "dengue:Atlantis:2024-W38"], "not among the generated districts"),
    (["--patients", "50", "--hospitals", "3", "--seed", "7", "--outbreak", "dengue:Kolkata:2019-W38"],
     "outside the history"),
])
def test_cli_errors_are_one_line(tmp_path: Path, args: list[str], needle: str,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    from medkosh.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["synth", *args, "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], err
    assert "Traceback" not in err and not (tmp_path / "o").exists()


def test_cli_refuses_a_non_synth_folder(tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.txt").write_text("do not delete")
    proc = run_cli("--patients", "5", "--out", str(out), home=tmp_path / "home")
    assert proc.returncode == 2 and "not a medkosh synth output" in proc.stderr
    assert (out / "thesis.txt").read_text() == "do not delete"


def test_cli_json_summary_and_audit_event(tmp_path: Path, sqlite_url: str) -> None:
    """With a database configured the CLI records synth.data.generated (counts only, no patient values)."""
    from click.testing import CliRunner
    from sqlalchemy import select

    from medkosh.cli.main import cli
    from medkosh.store.db import session_scope
    from medkosh.store.tables.audit import AuditEventRow

    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["synth", "--patients", "30", "--hospitals", "2", "--seed", "5",
                                      "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["patients"] == 30 and summary["counts"]["fhir_bundles"] == 30 and summary["out"] == str(out)
    with session_scope() as session:
        rows = session.execute(select(AuditEventRow).where(AuditEventRow.event_type == "synth.data.generated")).scalars().all()
    assert len(rows) == 1
    details = rows[0].details if isinstance(rows[0].details, str) else json.dumps(rows[0].details)
    assert '"patients":30' in details.replace(" ", "")
    canaries = json.loads((out / "canaries.json").read_text())
    assert all(c["value"] not in details for c in canaries)
