"""Demo step 1: generate the synthetic hospitals' data that every later step works on."""

from __future__ import annotations

from typing import Any


def run(ctx: Any) -> list[str]:
    """Generate ctx.patients patients over ctx.hospitals hospitals into ctx.data_dir/synth and audit it;
    the path goes into ctx.state["synth_dir"] (and the summary into ctx.state["synth"]) for later steps."""
    from medkosh.synth.generate import SynthOptions, generate

    out = ctx.data_dir / "synth"
    summary = generate(SynthOptions(patients=ctx.patients, hospitals=ctx.hospitals, seed=ctx.seed), out)
    from medkosh.store.db import session_scope
    from medkosh.synth.service import record_generated

    with session_scope() as session:  # the demo has a database (run_demo ensures it)
        record_generated(session, summary, actor="demo")
    ctx.state["synth_dir"] = out
    ctx.state["synth"] = summary
    c = summary["counts"]
    hospitals = ", ".join(f"{h['name']} ({h['state']})" for h in summary["hospitals"])
    consents = ", ".join(f"{n} {status.lower()}" for status, n in c["consents"].items())
    return [
        f"{summary['patients']:,} patients in {len(summary['hospitals'])} hospitals: {hospitals}",
        f"{c['fhir_bundles']:,} FHIR bundles ({sum(c['fhir_resources'].values()):,} resources), "
        f"{c['his_rows']:,} HIS rows, {c['notes']:,} notes with {c['phi_spans']:,} gold PHI spans",
        f"{c['dicom_studies']:,} DICOM studies ({c['dicom_instances']:,} files); consents: {consents}",
        f"outcome task: {c['outcomes']['positive']:,} of {c['outcomes']['cohort']:,} diabetics progress within a year; "
        f"{c['canaries']} canary values planted",
        f"written to {out} in {summary['seconds']:.1f} s",
    ]
