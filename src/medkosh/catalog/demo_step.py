"""Demo step: build the three shipped datasets (EHR cohort, clinical notes, chest imaging) from
examples/datasets/, and show the EHR cohort's data card in brief."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

SPECS = ("ehr-diabetes-cohort.yaml", "clinical-notes.yaml", "chest-imaging.yaml")


def examples_dir() -> Path:
    import medkosh

    folder = Path(medkosh.__file__).resolve().parents[2] / "examples" / "datasets"
    if not folder.is_dir():
        from medkosh.errors import InputError

        raise InputError("the example dataset specs are not installed", where=str(folder),
                         hint="run the demo from a source checkout of medkosh")
    return folder


def _ensure_consents(synth: Path) -> int:
    """Import the synthetic consent artefacts unless a consent step already did (idempotent)."""
    import orjson

    from medkosh.consent import service
    from medkosh.consent.signatures import add_trusted_key, trusted_keys
    from medkosh.store.db import session_scope

    with session_scope() as s:
        if sum(service.counts_by_status(s).values()):
            return 0
        cm = orjson.loads((synth / "consent-manager" / "public.json").read_bytes())
        if not trusted_keys(s, cm["id"]):
            add_trusted_key(s, cm["id"], cm["public_key"], alg=cm.get("alg"), actor="demo")
    imported = 0
    for path in sorted((synth / "consents").glob("*.json")):
        with session_scope() as s:
            service.import_artefact(s, path.read_bytes(), where=str(path), actor="demo")
            imported += 1
    return imported


def run(ctx: Any) -> list[str]:
    from medkosh.catalog.build import build
    from medkosh.catalog.service import card
    from medkosh.store.db import session_scope

    synth = Path(ctx.state["synth_dir"])
    os.environ.setdefault("MEDKOSH_SYNTH_DIR", str(synth))  # the specs name the canary list through it
    imported = _ensure_consents(synth)
    lines = [f"imported {imported} consent artefacts"] if imported else []
    built = {}
    for name in SPECS:
        result = build(examples_dir() / name, actor="demo")
        v = result.version
        built[v.dataset_id] = v.ref
        excluded = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in result.excluded.items()) or "none"
        lines.append(f"{v.ref} [{v.tier.value}] {v.rows:,} rows, {v.patients:,} patients, {len(v.files)} files; "
                     f"consent: {result.eligible:,} eligible, excluded {excluded}; id {v.id[:16]}")
    ctx.state["catalog"] = {"datasets": built}
    first = built["ehr-diabetes-cohort"]
    with session_scope() as s:
        md = card(s, first, "md").decode("utf-8")
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    lines.append(f"data card of {first}: {' · '.join(headings)} "
                 f"(medkosh dataset card {first}; /datasets/ehr-diabetes-cohort)")
    from medkosh.catalog.rescan import rescan_version

    with session_scope() as s:
        scans = [rescan_version(s, ref) for ref in built.values()]
    lines.append(f"PHI gate re-run on the published versions (text de-identifier + {scans[0].canaries} canaries): "
                 + ", ".join(f"{r.ref} {r.files} artefacts, {len(r.findings)} findings" for r in scans))
    return lines
