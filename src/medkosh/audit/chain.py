"""The hash chain's arithmetic, kept free of any database code so an outside auditor can reuse it.

hash_n = sha256( prev_hash_n || "\\n" || canonical_json(entry_n without prev_hash and hash) )
canonical_json = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False), UTF-8.
Details hold only strings, integers, booleans, null, lists and objects (floats are stored as
strings) so that any JSON library reproduces the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson

GENESIS = "0" * 64
FIELDS = ("seq", "event_id", "occurred_at", "event_type", "actor", "institution", "subject_type",
          "subject_id", "outcome", "details")


def normalise_details(value: Any) -> Any:
    """Make details canonical-safe: floats → str, tuples/sets → lists, unknown objects → str."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): normalise_details(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise_details(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(normalise_details(v) for v in value)
    return str(value)


def canonical_details(details: dict[str, Any]) -> str:
    return json.dumps(normalise_details(details), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, seq: int, event_id: str, occurred_at: str, event_type: str,
               actor: str | None, institution: str | None, subject_type: str | None,
               subject_id: str | None, outcome: str, details_json: str) -> str:
    """Hash of one entry. details_json is the stored canonical text (parsed and re-serialised)."""
    body = {
        "seq": seq, "event_id": event_id, "occurred_at": occurred_at, "event_type": event_type,
        "actor": actor, "institution": institution, "subject_type": subject_type,
        "subject_id": subject_id, "outcome": outcome, "details": orjson.loads(details_json),
    }
    # orjson with sorted keys gives the same bytes as the stdlib canonical form for these types.
    payload = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(prev_hash.encode() + b"\n" + payload).hexdigest()


def checkpoint_message(seq: int, hash_hex: str) -> bytes:
    return f"medkosh-audit-checkpoint:{seq}:{hash_hex}".encode()
