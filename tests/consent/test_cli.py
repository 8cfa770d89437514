"""`medkosh consent …` as an operator runs it: one-line errors, --json documents, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "medkosh.cli.main", "consent", *args], capture_output=True,
                          text=True)


@pytest.mark.slow  # a dozen CLI processes
def test_import_trust_show_revoke_enforce(sqlite_url: str, cm, tmp_path: Path) -> None:
    folder = tmp_path / "consents"
    folder.mkdir()
    for i in range(3):
        (folder / f"c{i}.json").write_bytes(orjson.dumps(cm.artefact(consent_id=f"c{i}", patient=f"p{i}@abdm")))
    forged = cm.artefact(consent_id="c-forged", sign_with=ed25519.Ed25519PrivateKey.generate())
    (folder / "forged.json").write_bytes(orjson.dumps(forged))

    out = run("import", str(folder))
    assert out.returncode == 4 and "has no trusted key" in out.stderr  # nothing trusted yet
    assert out.stderr.strip().splitlines()[-1].startswith("error: 4 of 4 consent artefact(s) rejected")

    public = tmp_path / "public.json"
    public.write_text(json.dumps({"id": cm.id, "alg": "EdDSA", "public_key": cm.public_text}))
    assert run("trust", "add", "--from-json", str(public)).returncode == 0
    listed = json.loads(run("trust", "list", "--json").stdout)
    assert [k["consent_manager_id"] for k in listed] == [cm.id]

    out = run("import", str(folder), "--json")
    assert out.returncode == 4, out.stderr
    doc = json.loads(out.stdout)
    assert doc["counts"] == {"imported": 3}
    assert [r["file"] for r in doc["rejected"]] == [str(folder / "forged.json")]
    assert "c-forged" in doc["rejected"][0]["error"] and "does not verify" in doc["rejected"][0]["error"]
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("error: 1 of 4") and "forged.json" in last

    shown = json.loads(run("show", "c1", "--json").stdout)
    assert shown["status"] == "GRANTED" and "p1@abdm" not in json.dumps(shown)
    assert run("revoke", "c1", "--reason", "withdrawn in writing").returncode == 0
    shown = json.loads(run("show", "c1", "--json").stdout)
    assert [h["to"] for h in shown["history"]] == ["GRANTED", "REVOKED"]
    assert {t["kind"]: t["state"] for t in shown["enforcement"]} == {"withdraw": "pending", "erase": "pending"}

    out = run("expire", "c1")
    assert out.returncode == 5 and "REVOKED is final" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert run("revoke", "nope").returncode == 3

    report = json.loads(run("enforce", "--json").stdout)
    assert report["failed"] == [] and report["withdrawn"] == []
    shown = json.loads(run("show", "c1", "--json").stdout)
    assert {t["state"] for t in shown["enforcement"]} == {"done"}

    counts = json.loads(run("list", "--json").stdout)["counts"]
    assert counts == {"GRANTED": 2, "REVOKED": 1}


def test_bad_flags_are_one_line(sqlite_url: str) -> None:
    out = run("enforce", "--as-of", "yesterday")
    assert out.returncode == 2 and "--as-of" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    out = run("import", "/no/such/place")
    assert out.returncode == 2 and "no such file" in out.stderr
    out = run("eligibility", "--purpose", "CAREMGT", "--hi-types", "OPConsultation")
    assert out.returncode == 6 and "cannot have purpose CAREMGT" in out.stderr
