"""ABDM consent artefacts for the synthetic patients, signed by a synthetic consent manager.

The mix exercises every branch of consent enforcement: most patients GRANTED for research (DSRCH)
with a date range, some for care management only, some REVOKED, some EXPIRED, a few DENIED, and some
granted artefacts whose dataEraseAt has already passed. hiTypes vary; careContexts point at the
patient's encounters as (UHID, encounter id).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from medkosh.consent.jws import canonical_json, ed25519_from_seed, public_key_hex, sign_detached
from medkosh.synth.chart import Chart
from medkosh.synth.identity import Doctor, Patient, new_uuid
from medkosh.synth.population import Hospital

CONSENT_MANAGER_ID = "medkosh-synth-cm"
HIU_ID = "medkosh-hiu"
HI_TYPES = ("OPConsultation", "Prescription", "DischargeSummary", "DiagnosticReport", "ImmunizationRecord",
            "HealthDocumentRecord", "WellnessRecord")
PURPOSES = {
    "DSRCH": "Disease Specific Healthcare Research",
    "CAREMGT": "Care Management",
    "PUBHLTH": "Public Health",
}
PURPOSE_REF = "www.abdm.gov.in"
FUTURE_ERASE = dt.datetime(2031, 3, 31, 18, 29, 59)  # well after any run of the generator


def manager_key(seed: int) -> ed25519.Ed25519PrivateKey:
    """The synthetic consent manager's Ed25519 key, fixed by the seed (so signatures are reproducible)."""
    return ed25519_from_seed(hashlib.sha256(f"medkosh-synth-consent-manager:{seed}".encode()).digest())


def manager_public(seed: int) -> dict[str, str]:
    return {"id": CONSENT_MANAGER_ID, "alg": "EdDSA", "public_key": public_key_hex(manager_key(seed))}


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def consent(r: random.Random, p: Patient, h: Hospital, doctors: list[Doctor], chart: Chart, start: dt.date,
            end: dt.date, key: ed25519.Ed25519PrivateKey) -> dict[str, Any]:
    roll = r.random()
    if roll < 0.68:
        status, purpose = "GRANTED", r.choice(("DSRCH",) * 9 + ("PUBHLTH",))
    elif roll < 0.78:
        status, purpose = "GRANTED", "CAREMGT"
    elif roll < 0.86:
        status, purpose = "REVOKED", "DSRCH"
    elif roll < 0.93:
        status, purpose = "EXPIRED", "DSRCH"
    elif roll < 0.95:
        status, purpose = "DENIED", "DSRCH"
    else:
        status, purpose = "GRANTED", "DSRCH"  # granted, but dataEraseAt already passed (below)
    created = dt.datetime.combine(end, dt.time(9, 0)) - dt.timedelta(days=r.randint(30, 400), minutes=r.randint(0, 600))
    range_from = dt.datetime.combine(start, dt.time(0, 0))
    if r.random() < 0.3:  # some patients share only part of their history
        range_from += dt.timedelta(days=r.randint(90, 540))
    range_to = dt.datetime.combine(end, dt.time(23, 59, 59))
    if status == "EXPIRED" or roll >= 0.95:
        erase = created + dt.timedelta(days=r.randint(30, 200))
    else:
        erase = FUTURE_ERASE - dt.timedelta(days=r.randint(0, 700))
    hi_types = sorted(r.sample(HI_TYPES, r.randint(2, len(HI_TYPES))), key=HI_TYPES.index)
    contexts = [e for e in chart.encounters if r.random() < 0.85] or chart.encounters[:1]
    requester = doctors[r.randrange(max(1, len(doctors) - 2))]
    detail = {
        "schemaVersion": "v0.5",
        "consentId": new_uuid(r),
        "createdAt": _iso(created),
        "patient": {"id": p.abha_address},
        "careContexts": [{"patientReference": p.uhid, "careContextReference": e.id} for e in contexts],
        "purpose": {"code": purpose, "text": PURPOSES[purpose], "refUri": PURPOSE_REF},
        "hip": {"id": h.id, "name": h.name},
        "hiu": {"id": HIU_ID, "name": "medkosh research commons"},
        "consentManager": {"id": CONSENT_MANAGER_ID},
        "requester": {"name": f"Dr. {requester.person.full}",
                      "identifier": {"type": "REGNO", "value": requester.registration,
                                     "system": "https://www.nmc.org.in"}},
        "hiTypes": hi_types,
        "permission": {
            "accessMode": "VIEW" if purpose == "CAREMGT" else r.choice(("STORE", "STORE", "QUERY")),
            "dateRange": {"from": _iso(range_from), "to": _iso(range_to)},
            "dataEraseAt": _iso(erase),
            "frequency": {"unit": "HOUR", "value": 1, "repeats": 0},
        },
    }
    signature = sign_detached(canonical_json(detail), key, "EdDSA", kid=CONSENT_MANAGER_ID)
    return {"consentDetail": detail, "status": status, "signature": signature}
