from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from medkosh.catalog.build import build
from medkosh.catalog.spec import load_spec
from medkosh.catalog.toolkit import Toolkit
from medkosh.catalog.types import VersionRef
from medkosh.cli.main import main
from medkosh.errors import InputError


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main([*args])
        raise SystemExit(0)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_cli_list_show_card_croissant_search(raw_zone: list[str], toolkit: Toolkit,
                                             make_spec: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    v = build(make_spec(), toolkit=toolkit).version
    code, out, _ = cli(capsys, "dataset", "list", "--json")
    assert code == 0 and json.loads(out)["datasets"][0]["id"] == "t2d-cohort"
    code, out, _ = cli(capsys, "dataset", "show", "t2d-cohort", "--json")
    assert json.loads(out)["versions"][0]["status_label"] == "published"
    code, out, _ = cli(capsys, "dataset", "show", "t2d-cohort")
    assert "@1" in out and "published" in out
    code, out, _ = cli(capsys, "dataset", "card", f"t2d-cohort@{v.id[:12]}")
    assert out.startswith("# Type 2 diabetes outpatient cohort") and "## Consent coverage" in out
    code, out, _ = cli(capsys, "dataset", "croissant", "t2d-cohort@1")
    assert json.loads(out)["identifier"] == v.id
    code, out, _ = cli(capsys, "dataset", "search", "diabetes", "--facet", "tier=registered", "--json")
    assert json.loads(out)["total"] == 1
    code, out, err = cli(capsys, "dataset", "show", "t2d-cohort@9")
    assert code == 0  # show takes the dataset id; the version part is ignored
    code, out, err = cli(capsys, "dataset", "card", "t2d-cohort@9")
    assert code == 3 and err.startswith("error: no version t2d-cohort@9") and err.count("\n") == 1


def test_cli_build_with_a_bad_spec_fails_in_one_line(sqlite_url: str, make_spec: Callable[..., Path],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    spec = make_spec()
    spec.write_text(spec.read_text().replace("tier: registered", "tier: sometimes"))
    code, _, err = cli(capsys, "dataset", "build", str(spec))
    assert code == 2 and "invalid dataset spec" in err and "#/tier" in err and err.count("\n") == 1


def test_spec_errors_name_the_field(tmp_path: Path, make_spec: Callable[..., Path]) -> None:
    spec = make_spec()
    text = spec.read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("conditions: [E11]", "conditions: [diabetes]"))
    with pytest.raises(InputError, match=r"not ICD-10 codes: diabetes.*#/conditions"):
        load_spec(bad)
    bad.write_text(text.replace("modality: tabular_ehr", "modality: notes"))
    with pytest.raises(InputError, match="needs a table with text_column"):
        load_spec(bad)
    bad.write_text("id: [unclosed")
    with pytest.raises(InputError, match="not valid YAML"):
        load_spec(bad)
    with pytest.raises(InputError, match="no such spec file"):
        load_spec(tmp_path / "missing.yaml")


def test_version_refs() -> None:
    assert VersionRef.parse("ehr-x@2") == VersionRef("ehr-x", number=2)
    assert VersionRef.parse("ehr-x") == VersionRef("ehr-x")
    assert VersionRef.parse("ehr-x@latest") == VersionRef("ehr-x")
    assert VersionRef.parse("ehr-x@" + "a" * 64).version_id == "a" * 64
    for bad in ("EHR@1", "ehr-x@one", "ehr-x@abc", "@1"):
        with pytest.raises(InputError):
            VersionRef.parse(bad)
