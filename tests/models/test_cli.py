"""The CLI contract: model register/list/show with --json, one-line errors with non-zero exits
(pickle refused, unknown version, forbidden transition), and validate refusing an unsealed benchmark."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from medkosh.cli.main import main

    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_register_list_show_and_errors(sqlite_url: str, h: Any, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from medkosh.store.db import session_scope

    with session_scope(sqlite_url) as s:
        h.people(s)
    (tmp_path / "m.onnx").write_bytes(h.onnx_model())
    (tmp_path / "schema.json").write_text(json.dumps(h.SCHEMA))
    (tmp_path / "m.pkl").write_bytes(pickle.dumps({"model": 1}))
    base = ["--schema", str(tmp_path / "schema.json"), "--as", "researcher@example.org"]
    code, _, err = _cli(["model", "register", "toy", "--onnx", str(tmp_path / "m.pkl"), *base], capsys)
    assert code == 2 and err.count("\n") == 1 and "arbitrary code" in err and "Traceback" not in err
    code, out, _ = _cli(["model", "register", "toy", "--onnx", str(tmp_path / "m.onnx"), *base, "--json"], capsys)
    assert code == 0 and json.loads(out)["id"] == "toy@1"
    code, out, _ = _cli(["model", "list", "--json"], capsys)
    rows = json.loads(out)
    assert [(r["id"], r["state"], r["mode"]) for r in rows] == [("toy@1", "registered", None)]
    code, out, _ = _cli(["model", "show", "toy@1", "--json"], capsys)
    assert json.loads(out)["schema"]["features"][0]["name"] == "female"
    code, _, err = _cli(["model", "show", "toy@9"], capsys)
    assert code == 3 and "no model version" in err
    code, _, err = _cli(["model", "deploy", "toy@1", "--as", "steward@example.org"], capsys)
    assert code == 6 and "passing validation" in err
    code, _, err = _cli(["validate", "toy@1", "--benchmark", "nope@1", "--protocol",
                         str(Path(__file__).parents[2] / "examples" / "protocols" / "diabetes-complication-1y.yaml"),
                         "--as", "steward@example.org"], capsys)
    assert code != 0 and err.startswith("error: ") and err.count("\n") == 1
