"""Export the audit log so anyone can check it without medkosh (see VERIFY.md in the export)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from medkosh.audit import signing
from medkosh.audit.verify import _iso, iter_rows
from medkosh.store.tables.audit import AuditCheckpointRow

VERIFY_SCRIPT = '''"""Verify a medkosh audit export with the standard library (plus `cryptography` for signatures)."""
import hashlib, json, sys
from pathlib import Path

d = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
prev, seq, hashes = "0" * 64, 0, {}
for line in (d / "events.jsonl").open(encoding="utf-8"):
    e = json.loads(line)
    seq += 1
    assert e["seq"] == seq, f"entry {seq}: sequence gap"
    assert e["prev_hash"] == prev, f"entry {seq}: broken link"
    body = {k: e[k] for k in ("seq", "event_id", "occurred_at", "event_type", "actor", "institution",
                              "subject_type", "subject_id", "outcome", "details")}
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    h = hashlib.sha256(prev.encode() + b"\\n" + payload).hexdigest()
    assert h == e["hash"], f"entry {seq} ({e['event_id']}): content changed"
    prev = hashes[seq] = h
pubs = (d / "public_key.txt").read_text().split()  # the current key first, then rotated-out ones
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
for cp in json.loads((d / "checkpoints.json").read_text()):
    assert cp["public_key"] in pubs, f"checkpoint {cp['seq']}: other key"
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(cp["public_key"]))
    key.verify(bytes.fromhex(cp["signature"]), f"medkosh-audit-checkpoint:{cp['seq']}:{cp['hash']}".encode())
    assert hashes.get(cp["seq"]) == cp["hash"], f"checkpoint {cp['seq']} does not match the log"
print(f"OK: {seq} entries, chain intact")
'''


def write_export(session: Session, out_dir: Path) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / ".events.jsonl.tmp"
    count = 0
    with tmp.open("wb") as fh:
        for seq, event_id, occurred, etype, actor, inst, stype, sid, outcome, details, prev, digest in iter_rows(session):
            fh.write(orjson.dumps({
                "seq": seq, "event_id": event_id, "occurred_at": _iso(occurred), "event_type": etype,
                "actor": actor, "institution": inst, "subject_type": stype, "subject_id": sid,
                "outcome": outcome, "details": orjson.loads(details), "prev_hash": prev, "hash": digest,
            }) + b"\n")
            count += 1
    os.replace(tmp, out_dir / "events.jsonl")
    cps = [{"seq": c.seq, "hash": c.hash, "public_key": c.public_key, "signature": c.signature,
            "signed_at": c.signed_at.isoformat()}
           for c in session.execute(select(AuditCheckpointRow).order_by(AuditCheckpointRow.seq)).scalars()]
    (out_dir / "checkpoints.json").write_text(json.dumps(cps, indent=1))
    current = signing.public_key_hex()
    retired = sorted(signing.trusted_public_keys() - {current})
    (out_dir / "public_key.txt").write_text("\n".join([current, *retired]) + "\n")
    (out_dir / "verify_audit.py").write_text(VERIFY_SCRIPT)
    return {"events": count, "checkpoints": len(cps), "out_dir": str(out_dir)}
