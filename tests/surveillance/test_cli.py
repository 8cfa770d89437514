"""The stable CLI: medkosh query / surveillance run / surveillance alerts, with --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medkosh.cli.main import main


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    main(argv)
    return json.loads(capsys.readouterr().out)


def test_query_and_surveillance_cli(outbreak_table: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDKOSH_SURVEILLANCE_MATERIALISE", "0")
    out = _json(capsys, ["query", str(outbreak_table), "--by", "district,week", "--count", "--from", "2025-W28",
                         "--to", "2025-W31", "--condition", "dengue", "--json"])
    assert out["mode"] == "disclosure" and out["by"] == ["district", "week"]
    pune = {r["week"]: r["value"] for r in out["rows"] if r["district"] == "Pune"}
    assert pune["2025-W30"] is not None and pune["2025-W30"] > (pune["2025-W28"] or 0)
    dp = _json(capsys, ["query", str(outbreak_table), "--by", "state", "--count", "--dp", "0.5", "--as", "usr_x",
                        "--json"])
    assert dp["mode"] == "dp" and dp["epsilon_spent"] == 0.5
    run = _json(capsys, ["surveillance", "run", "--source", str(outbreak_table), "--json"])
    assert run["series"] > 0 and run["alerts"] >= 1
    alerts = _json(capsys, ["surveillance", "alerts", "--json"])["alerts"]
    first = next(a for a in alerts if a["condition"] == "dengue")
    assert {"condition_name", "icd10", "district", "week", "statistic", "threshold"} <= set(first)
    assert (first["district"], first["week"], first["icd10"]) == ("Pune", "2025-W30", "A90-A91")
    budget = _json(capsys, ["surveillance", "budget", str(outbreak_table), "--as", "usr_x", "--json"])
    assert budget["epsilon_spent"] == 0.5


def test_cli_errors_are_one_line(outbreak_table: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["query", str(outbreak_table), "--by", "planet"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: unknown dimension")
    with pytest.raises(SystemExit):
        main(["surveillance", "alerts"])
    assert "no surveillance run" in capsys.readouterr().err
