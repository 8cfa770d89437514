"""Demo step: trust the synthetic consent manager, import its signed artefacts (showing that a tampered
one is refused), preview research eligibility over the raw zone, and run the first enforcement pass
(consents already past dataEraseAt expire and their raw records are erased)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson

ALL_HI_TYPES = ("OPConsultation", "Prescription", "DischargeSummary", "DiagnosticReport", "ImmunizationRecord",
                "HealthDocumentRecord", "WellnessRecord")


def trust_synth_manager(synth: Path) -> str:
    """Trust consent-manager/public.json (idempotent); returns the consent manager's id."""
    from medkosh.consent.signatures import add_trusted_key
    from medkosh.store.db import session_scope

    cm = orjson.loads((synth / "consent-manager" / "public.json").read_bytes())
    with session_scope() as s:
        add_trusted_key(s, cm["id"], cm["public_key"], alg=cm.get("alg"), actor="demo")
    return str(cm["id"])


def _tamper_check(first: Path) -> str:
    """Alter one artefact in memory (widen its hiTypes) and show that the import refuses it."""
    from medkosh.consent import service
    from medkosh.consent.signatures import SignatureError
    from medkosh.store.db import session_scope

    doc = orjson.loads(first.read_bytes())
    forged = copy.deepcopy(doc)
    forged["consentDetail"]["consentId"] = doc["consentDetail"]["consentId"] + "-forged"
    forged["consentDetail"]["hiTypes"] = list(ALL_HI_TYPES)
    try:
        with session_scope() as s:
            service.import_artefact(s, orjson.dumps(forged), where="(demo) tampered copy", actor="demo")
    except SignatureError:
        return "a copy with widened hiTypes is refused: its signature no longer verifies"
    raise AssertionError("a tampered consent artefact was accepted")  # the demo must never hide this


def run(ctx: Any) -> list[str]:
    from medkosh.consent import service
    from medkosh.consent.eligibility import eligibility
    from medkosh.consent.enforce import enforce
    from medkosh.store.db import session_scope

    synth = Path(ctx.state["synth_dir"])
    cm_id = trust_synth_manager(synth)
    files = sorted((synth / "consents").glob("*.json"))
    actions: dict[str, int] = {}
    for start in range(0, len(files), 500):
        with session_scope() as s:
            done, refused = service.import_many(s, ((p.read_bytes(), str(p)) for p in files[start:start + 500]),
                                                actor="demo")
        for _where, result in done:
            actions[result.action] = actions.get(result.action, 0) + 1
        if refused:
            actions["rejected"] = actions.get("rejected", 0) + len(refused)
    tamper = _tamper_check(files[0]) if files else "no artefacts to check"
    report = enforce(actor="demo")
    with session_scope() as s:
        counts = service.counts_by_status(s)
        snap = eligibility(s, "DSRCH", ALL_HI_TYPES, None)
    ctx.state["consent"] = {"counts": counts, "snapshot_id": snap.snapshot_id}
    imported = ", ".join(f"{n:,} {a.replace('_', ' ')}" for a, n in sorted(actions.items()))
    status = ", ".join(f"{n:,} {k.lower()}" for k, n in sorted(counts.items()))
    reasons = snap.reason_counts()
    eligible = reasons.pop("eligible", 0)
    excluded = ", ".join(f"{k.replace('_', ' ')} {n:,}" for k, n in reasons.items()) or "none"
    rows = sum(e["rows"] for e in report.erased)
    return [
        f"trusted consent manager {cm_id}; {len(files):,} artefacts, signatures verified (EdDSA JWS): {imported}",
        f"tamper check: {tamper}",
        f"status: {status}",
        f"enforce: {len(report.expired)} granted consents past dataEraseAt marked expired; raw records of "
        f"{len(report.erased):,} ended consents erased ({rows:,} rows; audit: consent.raw.erased)",
        f"research (DSRCH) eligibility over the raw zone: {eligible:,} patients eligible; excluded: {excluded}",
    ]
