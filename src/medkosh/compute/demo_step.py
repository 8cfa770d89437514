"""Demo step: the trusted research environment end to end — allocations, a sandboxed training job on the
granted EHR cohort, automatic output checks, two checkers' approvals, release — and the trained ONNX
model handed to the models step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import medkosh


def _example_dir() -> Path:
    folder = Path(medkosh.__file__).resolve().parents[2] / "examples" / "tre-training"
    if not (folder / "job.yaml").exists():
        from medkosh.errors import InputError

        raise InputError("the worked TRE example is missing", where=str(folder),
                         hint="run the demo from a medkosh source checkout (make demo)")
    return folder


def run(ctx: Any) -> list[str]:
    from medkosh.compute import credits, outputs, service
    from medkosh.compute.sandbox import sandbox_available
    from medkosh.compute.spec import load_spec
    from medkosh.identity.service import get_user
    from medkosh.identity.types import Principal
    from medkosh.store.db import session_scope
    from medkosh.store.objects import ObjectStore

    users = ctx.state["access"]["users"]
    with session_scope() as s:
        people = {k: get_user(s, uid) for k, uid in users.items()}
        admin = Principal(people["admin"], via="demo")
        for inst in sorted({p.institution_id for p in people.values()}):
            credits.set_allocation(s, inst, cpu_hours=500.0, gpu_hours=50.0, actor=admin.audit_actor())
    spec, project = load_spec(_example_dir() / "job.yaml")
    researcher = Principal(people["researcher"], via="demo")
    with session_scope() as s:
        job_id = service.submit(s, researcher, spec, project).id
    claimed = service.claim_next("demo")
    while claimed is not None and claimed != job_id:
        service.run_job(claimed, worker="demo")
        claimed = service.claim_next("demo")
    job = service.run_job(job_id, worker="demo")
    lines = [f"allocations: 500 CPU-h and 50 GPU-h per institution for {credits.quarter_of()}",
             f"job {job.id} ({spec.name}) on {', '.join(d['ref'] for d in job.datasets)}: {job.state}, "
             f"{'sandboxed (bubblewrap: no network, read-only data)' if job.sandboxed else 'NOT sandboxed'}, "
             f"charged {job.cpu_hours * 3600:.1f} CPU-seconds"]
    if job.state != "succeeded":
        log, _ = service.read_log(job.id)
        tail = log.strip().splitlines()[-2:] if log.strip() else []
        lines.append(f"the training job did not succeed ({job.error}); log: {' | '.join(tail)}")
        return lines
    with session_scope() as s:
        outs = outputs.outputs_of(s, job.id)
        summary = {o.path: o.status for o in outs}
        pending = [o.id for o in outs if o.status == "pending_review"]
    lines.append("automatic checks: " + ", ".join(f"{p} {st}" for p, st in sorted(summary.items())))
    for checker in ("committee1", "committee2"):
        for oid in pending:
            with session_scope() as s:
                outputs.decide(s, Principal(people[checker], via="demo"), oid, "approve", "aggregate only; fine")
    with session_scope() as s:
        released = []
        for oid in pending:
            row = outputs.release(s, researcher, oid)
            released.append(row)
        by_path = {o.path: o for o in outputs.outputs_of(s, job.id)}
    lines.append(f"two independent checkers approved {len(pending)} output(s); released to the researcher: "
                 + ", ".join(sorted(o.path for o in released)))
    released_paths = {p: o for p, o in by_path.items() if o.status == "released"}
    model = released_paths.get("model.onnx")  # only what passed the airlock goes on to the registry
    schema_row = released_paths.get("schema.json")
    metrics_row = released_paths.get("metrics.json")
    store = ObjectStore()
    if metrics_row is not None:
        metrics = json.loads(store.get_bytes(metrics_row.checked_object or metrics_row.raw_object))
        lines.append(f"training metrics (aggregate): {metrics}")
    if model is not None and schema_row is not None:
        ctx.state["tre_model"] = {
            "job_id": job.id, "model_object": model.raw_object,
            "schema": json.loads(store.get_bytes(schema_row.checked_object or schema_row.raw_object)),
            "trained_on": [d["version_id"] for d in job.datasets], "datasets": [d["ref"] for d in job.datasets]}
        lines.append(f"ONNX model {model.raw_object[:12]}… handed to the model registry step")
    else:
        lines.append("model or schema not released by the airlock; nothing handed to the model registry")
    if not sandbox_available():
        lines.append("note: bubblewrap is not installed here; registered-tier jobs ran unsandboxed (logged)")
    lines.append(f"portal: /tre/jobs/{job.id}; CLI: medkosh job show {job.id}")
    return lines
