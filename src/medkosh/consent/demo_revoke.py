"""Demo step: one patient in the published EHR cohort withdraws consent. The synthetic consent manager
sends a signed REVOKED notification (the same path as POST /api/consent/notifications); enforcement
builds version 2 without them, marks version 1 "superseded — consent withdrawn" and erases their raw
records. The patient is shown only by pseudonymous key."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select

DATASET = "ehr-diabetes-cohort"  # the demo's shipped EHR cohort (ctx.state["revoke_dataset"] overrides)


def _pick(session: Any, members: list[str]) -> tuple[str, str] | None:
    """(patient_key, consent_id) of the first member (sorted) with a GRANTED research consent."""
    from medkosh.consent.subjects import raw_zone_subjects
    from medkosh.store.tables.consent import ConsentArtefactRow

    subjects = raw_zone_subjects().filter(pl.col("patient_key").is_in(members) & pl.col("patient_hash").is_not_null())
    for key, source_id, phash in subjects.sort("patient_key").iter_rows():
        consent_id = session.execute(select(ConsentArtefactRow.consent_id).where(
            ConsentArtefactRow.patient_hash == phash, ConsentArtefactRow.status == "GRANTED",
            ConsentArtefactRow.purpose == "DSRCH", ConsentArtefactRow.hip_id == source_id)
            .order_by(ConsentArtefactRow.consent_id)).scalars().first()
        if consent_id is not None:
            return key, consent_id
    return None


def _notify_revoked(synth: Path, consent_id: str) -> str:
    """Sign a REVOKED notification with the synthetic consent manager's key and receive it."""
    from medkosh.consent.jws import ed25519_from_seed
    from medkosh.consent.notifications import receive
    from medkosh.consent.signatures import sign_notification
    from medkosh.store.base import utcnow
    from medkosh.store.db import session_scope

    seed = bytes.fromhex((synth / "consent-manager" / "private.key").read_text().strip())
    body = sign_notification({"requestId": str(uuid.uuid4()), "timestamp": utcnow().isoformat(),
                              "notification": {"consentId": consent_id, "status": "REVOKED"}},
                             ed25519_from_seed(seed))
    with session_scope() as s:
        return receive(s, body).action


def run(ctx: Any) -> list[str]:
    from medkosh.catalog.service import get_version, version_members
    from medkosh.consent.enforce import enforce
    from medkosh.ingest.zone import scan_table
    from medkosh.store.db import session_scope

    synth = Path(ctx.state["synth_dir"])
    dataset = str(ctx.state.get("revoke_dataset", DATASET))
    with session_scope() as s:
        before = get_version(s, f"{dataset}@latest")
        picked = _pick(s, version_members(s, before.ref))
    if picked is None:
        return [f"{before.ref} has no member with a revocable research consent; nothing to show"]
    patient_key, consent_id = picked
    action = _notify_revoked(synth, consent_id)
    report = enforce(actor="demo")
    with session_scope() as s:
        old = get_version(s, before.ref)
        new = get_version(s, f"{dataset}@latest")
        still_in = patient_key in version_members(s, new.ref)
    raw_left = scan_table("patient").filter(pl.col("patient_key") == patient_key).select(pl.len()).collect().item()
    mine = [w for w in report.withdrawn if w["dataset_id"] == dataset]
    grants = mine[0]["grants"] if mine else "unknown"
    others = sorted({f"{w['dataset_id']}@{w['new_version']}" for w in report.withdrawn
                     if w["dataset_id"] != dataset and w["new_version"]})
    ctx.state["consent_revoked"] = {"consent_id": consent_id, "patient_key": patient_key,
                                    "old": old.ref, "new": new.ref}
    return [
        f"consent {consent_id} (patient {patient_key}) revoked by a signed consent-manager notification ({action})",
        f"{old.ref} is now '{old.status.label}': no new access grants; grants still pointing at it: "
        f"{grants if isinstance(grants, str) else len(grants)}",
        f"{new.ref} published with {new.patients:,} patients (was {before.patients:,}); "
        f"patient still present: {'yes' if still_in else 'no'}",
        f"other datasets rebuilt for the same withdrawal: {', '.join(others) or 'none'}",
        f"raw zone: the patient's records erased ({sum(e['rows'] for e in report.erased):,} rows; "
        f"{raw_left} left); see 'medkosh consent show {consent_id}'",
    ]
