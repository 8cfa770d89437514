"""Secrets stay outside the database and out of every log, export and released file, and can be rotated.

The realistic flow is the demo itself (synthetic hospitals → ingest → consent → anonymise → catalog →
access → TRE job → models → surveillance), run as a separate process with the raw zone's key provided
by the environment (as a KMS would) and every other key in HOME/keys; then every rotatable key is
rotated with `medkosh keys rotate`. Every key that ever existed (current, retired, the environment's)
is then searched for, as lowercase/uppercase hex, base64 (standard and URL-safe, with and without
padding) and raw bytes, in: every file under MEDKOSH_HOME except keys/ (database, WAL, object store
with every released file, raw zone, job folders and logs), a text dump of every SQLite table, every
captured stdout/stderr, and two audit exports. On PostgreSQL (and SQLite) a smaller in-process flow
is dumped table by table."""

from __future__ import annotations

import base64
import json
import os
import secrets
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

KEY_FILE_MODE = 0o600


def renderings(key: bytes) -> list[bytes]:
    """Every common way a key could be written out."""
    out = [key, key.hex().encode(), key.hex().upper().encode()]
    for enc in (base64.b64encode, base64.urlsafe_b64encode):
        text = enc(key)
        out += [text, text.rstrip(b"=")]
    return sorted(set(out))


class KeyScanner:
    def __init__(self, keys: dict[str, bytes]) -> None:
        assert keys, "no keys to look for"
        self.needles = [(label, r) for label, key in keys.items() for r in renderings(key)]
        self.hits: list[str] = []
        self.scanned = 0

    def scan(self, where: str, data: bytes) -> None:
        self.scanned += 1
        for label in dict.fromkeys(label for label, needle in self.needles if needle in data):
            self.hits.append(f"{label} found in {where}")

    def scan_files(self, paths: Iterable[Path], root: Path) -> None:
        for path in paths:
            if path.is_file():
                self.scan(str(path.relative_to(root)), path.read_bytes())


def _keys_on_disk(keys_dir: Path) -> dict[str, bytes]:
    """Current (<name>.key) and retired (<name>.key.<id>.retired) secrets, by file name."""
    found = {}
    for path in sorted(keys_dir.iterdir()):
        if path.name.endswith(".key") or path.name.endswith(".retired"):
            found[path.name] = bytes.fromhex(path.read_text().strip())
    return found


def _assert_modes(keys_dir: Path) -> None:
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700, f"{keys_dir} is not 0700"
    for path in keys_dir.iterdir():
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == KEY_FILE_MODE, f"{path.name} has mode {mode:04o}, not 0600"


def _sqlite_dump(db: Path) -> bytes:
    conn = sqlite3.connect(db)
    try:
        return "\n".join(conn.iterdump()).encode("utf-8", errors="surrogateescape")
    finally:
        conn.close()


class Runner:
    """Runs `medkosh …` as an operator would, keeping every byte it printed."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd = env, cwd
        self.outputs: list[tuple[str, bytes]] = []

    def __call__(self, *args: str, ok: bool = True, timeout: int = 1200) -> subprocess.CompletedProcess[bytes]:
        out = subprocess.run([sys.executable, "-m", "medkosh.cli.main", *args], env=self.env, cwd=self.cwd,
                             capture_output=True, timeout=timeout)
        self.outputs += [(f"stdout of medkosh {' '.join(args)}", out.stdout),
                         (f"stderr of medkosh {' '.join(args)}", out.stderr)]
        if ok:
            assert out.returncode == 0, f"medkosh {' '.join(args)} failed:\n{out.stderr.decode()[-3000:]}"
        return out


@pytest.mark.slow
def test_demo_then_rotation_leaves_no_key_anywhere(medkosh_home: Path, tmp_path: Path) -> None:
    from medkosh.keys import key_id

    raw_zone_key = secrets.token_bytes(32)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDKOSH_")}
    env |= {"MEDKOSH_HOME": str(medkosh_home), "MEDKOSH_KEY_PSEUDONYM_RAW": raw_zone_key.hex(),
            "MEDKOSH_LOG_LEVEL": "DEBUG", "MEDKOSH_AUDIT_CHECKPOINT_EVERY": "50"}
    medkosh = Runner(env, tmp_path)
    keys_dir = medkosh_home / "keys"

    demo = medkosh("demo", "--patients", "200", "--hospitals", "2", "--no-serve", "--json")
    assert len(json.loads(demo.stdout)["steps"]) > 5
    # the environment's key was used, and never written to a file
    assert not (keys_dir / "pseudonym-raw.key").exists()
    listed = json.loads(medkosh("keys", "list", "--json").stdout)
    by_name = {k["name"]: k for k in listed["keys"]}
    assert by_name["pseudonym-raw"]["source"] == "MEDKOSH_KEY_PSEUDONYM_RAW"
    assert by_name["pseudonym-raw"]["key_id"] == key_id(raw_zone_key)
    assert {"audit-ed25519", "consent-patient-index", "web"} <= set(by_name)
    assert all(k["mode"] == "0600" for k in listed["keys"] if k["source"] == "file")
    assert listed["dir_mode"] == "0700"

    seen = _keys_on_disk(keys_dir) | {"env MEDKOSH_KEY_PSEUDONYM_RAW": raw_zone_key}
    medkosh("audit", "export", str(tmp_path / "export-before"))
    # rotate everything that may be rotated; the raw zone's key is refused twice over (environment, linkage)
    rotated = {}
    dataset_key = next(n for n in by_name if n.startswith("pseudonym-") and n != "pseudonym-raw")
    for name, extra in (("audit-ed25519", []), ("consent-patient-index", []), ("web", []),
                        (dataset_key, ["--break-linkage"])):
        seen |= _keys_on_disk(keys_dir)
        rotated[name] = json.loads(medkosh("keys", "rotate", name, *extra, "--json").stdout)
        assert rotated[name]["old_key_id"] != rotated[name]["new_key_id"]
    assert int(rotated["consent-patient-index"]["consent_artefacts_reindexed"]) > 0
    refused = medkosh("keys", "rotate", "pseudonym-raw", ok=False)
    assert refused.returncode == 2 and refused.stderr.decode().count("\n") == 1
    assert b"MEDKOSH_KEY_PSEUDONYM_RAW" in refused.stderr and b"Traceback" not in refused.stderr
    linkage = medkosh("keys", "rotate", dataset_key, ok=False)
    assert linkage.returncode == 2 and b"--break-linkage" in linkage.stderr
    seen |= _keys_on_disk(keys_dir)
    assert not list(keys_dir.glob("audit-ed25519.key.*.retired")), "the retired audit private key must be deleted"

    # old checkpoints stay verifiable after the audit key rotation, in medkosh and in an export
    verify = json.loads(medkosh("audit", "verify", "--json").stdout)
    assert verify["ok"] and verify["checkpoints"] >= 2, verify
    export = tmp_path / "export-after"
    medkosh("audit", "export", str(export))
    checked = subprocess.run([sys.executable, str(export / "verify_audit.py"), str(export)], capture_output=True,
                             text=True, timeout=300)
    assert checked.returncode == 0 and checked.stdout.startswith("OK"), checked.stderr[-2000:]
    signers = {cp["public_key"] for cp in json.loads((export / "checkpoints.json").read_text())}
    assert len(signers) == 2, "checkpoints before and after the rotation are signed by the old and new key"

    _consent_index_matches_new_key(env)
    _assert_modes(keys_dir)

    scanner = KeyScanner(seen)
    assert len(seen) >= 10, sorted(seen)
    scanner.scan_files((p for p in sorted(medkosh_home.rglob("*")) if keys_dir not in p.parents), medkosh_home)
    scanner.scan("SQLite dump", _sqlite_dump(medkosh_home / "medkosh.db"))
    for where, data in medkosh.outputs:
        scanner.scan(where, data)
    for folder in (tmp_path / "export-before", export):
        scanner.scan_files(sorted(folder.rglob("*")), tmp_path)
    assert scanner.scanned > 300
    assert not scanner.hits, "\n".join(scanner.hits[:50])


def _consent_index_matches_new_key(env: dict[str, str]) -> None:
    """After rotating consent-patient-index, every artefact's patient_hash is keyed with the new key, so a
    withdrawal still finds its patient (checked in a fresh process that reads the keys from disk)."""
    script = ("from sqlalchemy import select\n"
              "from medkosh.consent.service import load_artefact\n"
              "from medkosh.consent.subjects import patient_hash\n"
              "from medkosh.store.db import session_scope\n"
              "from medkosh.store.tables.consent import ConsentArtefactRow\n"
              "with session_scope() as s:\n"
              "    rows = list(s.execute(select(ConsentArtefactRow)).scalars())\n"
              "    bad = [r.consent_id for r in rows if patient_hash(load_artefact(r).patient_id) != r.patient_hash]\n"
              "print(len(rows), len(bad))\n")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    total, bad = map(int, out.stdout.split())
    assert total > 0 and bad == 0, f"{bad} of {total} consent artefacts no longer match their patient"


def _dump_tables(url: str) -> bytes:
    """Every row of every table, as text (what `pg_dump --data-only` would hold)."""
    from sqlalchemy import column, create_engine, inspect, select, table, text

    engine = create_engine(url)
    parts = []
    try:
        with engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                cols = [c["name"] for c in inspect(conn).get_columns(name)]
                t = table(name, *[column(c) for c in cols])
                for row in conn.execute(select(t)):
                    parts.append(repr(tuple(row)))
                    for value in row:
                        if isinstance(value, bytes | memoryview):
                            parts.append(bytes(value).hex())
            if engine.dialect.name == "postgresql":
                parts.append(str(conn.execute(text("SELECT current_database()")).scalar()))
    finally:
        engine.dispose()
    return "\n".join(parts).encode("utf-8", errors="surrogateescape")


def test_rotation_in_process_on_each_database(db_url: str, medkosh_home: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch, caplog: Any,
                                              capfd: pytest.CaptureFixture[str]) -> None:
    """The access world (people, datasets, DUAs, signed download links), audit checkpoints, a rotation of
    the audit and web keys and an environment-provided consent index key; then every table is dumped."""
    import importlib.util
    import logging

    from sqlalchemy import select

    from medkosh.access import downloads
    from medkosh.audit.service import checkpoint_now
    from medkosh.audit.verify import export, verify_database
    from medkosh.consent.subjects import patient_hash
    from medkosh.errors import InputError
    from medkosh.identity.secrets import _web_secret_for
    from medkosh.keys import get_or_create_key, key_id, list_keys, rotate
    from medkosh.store.db import session_scope
    from medkosh.store.tables.audit import AuditEventRow

    caplog.set_level(logging.DEBUG)
    index_key = secrets.token_bytes(32)
    monkeypatch.setenv("MEDKOSH_KEY_CONSENT_PATIENT_INDEX", index_key.hex())
    assert get_or_create_key("consent-patient-index") == index_key
    assert patient_hash("someone@abdm") == patient_hash("someone@abdm", index_key)
    assert not (medkosh_home / "keys" / "consent-patient-index.key").exists()

    world = sys.modules.get("access_world")
    if world is None:
        spec = importlib.util.spec_from_file_location("access_world",
                                                      Path(__file__).parents[1] / "access" / "world.py")
        assert spec and spec.loader
        world = sys.modules["access_world"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(world)
    _web_secret_for.cache_clear()
    with session_scope() as s:
        world.build_world(s)
        url_before = downloads.issue_url(s, None, "test-open@1", "README.md")
        checkpoint_now(s)
    keys_dir = medkosh_home / "keys"
    seen = _keys_on_disk(keys_dir) | {"env consent index": index_key}
    assert {"audit-ed25519.key", "web.key"} <= set(seen)

    with pytest.raises(InputError, match="comes from the environment"):
        rotate("consent-patient-index", actor="test")
    for name in ("audit-ed25519", "web"):
        details = rotate(name, actor="test")
        assert details["old_key_id"] == key_id(seen[f"{name}.key"])
        seen |= _keys_on_disk(keys_dir)
    _web_secret_for.cache_clear()
    with session_scope() as s:
        url_after = downloads.issue_url(s, None, "test-open@1", "README.md")
        checkpoint_now(s)
        assert verify_database(s).ok
        events = list(s.execute(select(AuditEventRow).where(AuditEventRow.event_type == "system.key.rotated"))
                      .scalars())
        export(s, tmp_path / "export")
    assert [e.subject_id for e in events] == ["audit-ed25519", "web"]
    assert url_before != url_after
    assert {i.name: i.source for i in list_keys()}["consent-patient-index"] == "MEDKOSH_KEY_CONSENT_PATIENT_INDEX"
    _assert_modes(keys_dir)

    scanner = KeyScanner(seen)
    scanner.scan(f"tables of {db_url.split(':', 1)[0]}", _dump_tables(db_url))
    scanner.scan_files(sorted((tmp_path / "export").rglob("*")), tmp_path)
    scanner.scan_files((p for p in sorted(medkosh_home.rglob("*")) if keys_dir not in p.parents), medkosh_home)
    scanner.scan("log records", "\n".join(r.getMessage() + repr(r.args) for r in caplog.records).encode())
    captured = capfd.readouterr()
    scanner.scan("captured stdout/stderr", (captured.out + captured.err).encode())
    scanner.scan("URLs", f"{url_before}\n{url_after}".encode())
    assert not scanner.hits, "\n".join(scanner.hits)


def test_scanner_finds_each_rendering() -> None:
    key = secrets.token_bytes(32)
    for text in (key.hex(), key.hex().upper(), base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode()):
        scanner = KeyScanner({"k": key})
        scanner.scan("x", f'{{"details": "{text}"}}'.encode())
        assert scanner.hits == ["k found in x"]
    scanner = KeyScanner({"k": key})
    scanner.scan("raw", b"\x00" + key + b"\x00")
    scanner.scan("other", secrets.token_bytes(32).hex().encode())
    assert scanner.hits == ["k found in raw"]
