"""`medkosh job submit|list|show|logs|cancel|run|worker`: code goes to the data."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from medkosh.cli._common import emit_json, ensure_store, info

app = typer.Typer(help="Submit and follow jobs in the trusted research environment.", no_args_is_help=True)
AS = typer.Option(None, "--as", help="Act as this user (email or id); or set MEDKOSH_TOKEN.")


@app.callback()
def _group() -> None:
    """Submit and follow jobs in the trusted research environment."""


@app.command("submit")
def submit(spec_path: Path = typer.Argument(..., help="The job's SPEC.yaml."), as_user: str = AS,
           wait: bool = typer.Option(False, "--wait", help="Run it now on this machine and wait for the end."),
           json_out: bool = typer.Option(False, "--json")) -> None:
    """Queue a job: grants, credits and the package allow-list are checked first."""
    from medkosh.cli._acting import cli_principal
    from medkosh.compute import service
    from medkosh.compute.spec import load_spec
    from medkosh.store.db import session_scope

    ensure_store()
    spec, project = load_spec(spec_path)
    with session_scope() as s:
        row = service.submit(s, cli_principal(s, as_user), spec, project)
        job = service.view(row)
    info(f"job {job.id} queued ({job.executor}, {job.resources['cpus']:g} CPU, {job.resources['gpus']:g} GPU)")
    if wait:
        claimed = service.claim_next("cli")
        while claimed is not None and claimed != job.id:  # earlier queued jobs run first (fair share)
            service.run_job(claimed, worker="cli")
            claimed = service.claim_next("cli")
        if claimed == job.id:
            job = service.run_job(job.id, worker="cli")
        with session_scope() as s:
            job = service.view(service.get_job(s, job.id))
    if json_out:
        emit_json(job.as_dict())
    else:
        typer.echo(f"{job.id}  {job.state}")
    if wait and job.state != "succeeded":
        raise typer.Exit(1)


@app.command("list")
def list_cmd(as_user: str = typer.Option(None, "--as", help="Only jobs this user may see."),
             state: str = typer.Option(None, help="queued, running, succeeded, failed, cancelled, timed_out"),
             json_out: bool = typer.Option(False, "--json")) -> None:
    """Jobs with their state (operators see all; --as or MEDKOSH_TOKEN narrows to one user's view)."""
    import os

    from medkosh.cli._acting import cli_principal
    from medkosh.compute import service
    from medkosh.compute.types import JobState
    from medkosh.errors import InputError
    from medkosh.store.db import session_scope

    if state and state not in {s.value for s in JobState}:
        raise InputError(f"unknown state {state!r}", hint="use " + ", ".join(s.value for s in JobState))
    ensure_store()
    with session_scope() as s:
        who = cli_principal(s, as_user) if (as_user or os.environ.get("MEDKOSH_TOKEN")) else None
        jobs = [service.view(r) for r in service.list_jobs(s, who, state)]
    if json_out:
        emit_json([j.as_dict() for j in jobs])
        return
    for j in jobs:
        typer.echo(f"{j.id}  {j.state:<10} {j.executor:<6} {j.name}  ({j.submitted_at[:19]})")


@app.command("show")
def show(job_id: str = typer.Argument(...), json_out: bool = typer.Option(False, "--json")) -> None:
    """A job's spec, state, resources, charge and outputs."""
    from medkosh.compute import outputs, service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        job = service.view(service.get_job(s, job_id))
        outs = [outputs.view(s, o).as_dict() for o in outputs.outputs_of(s, job_id)]
    data = job.as_dict() | {"outputs": outs}
    if json_out:
        emit_json(data)
        return
    typer.echo(f"{job.id}  {job.name}\n  state: {job.state}  executor: {job.executor}  sandboxed: {job.sandboxed}")
    typer.echo(f"  datasets: {', '.join(d['ref'] for d in job.datasets)}")
    typer.echo(f"  charged: {job.cpu_hours:.4f} CPU-h, {job.gpu_hours:.4f} GPU-h")
    if job.error:
        typer.echo(f"  error: {job.error}")
    for o in outs:
        typer.echo(f"  output {o['id']}  {o['status']:<14} {o['path']}")


@app.command("logs")
def logs(job_id: str = typer.Argument(...), follow: bool = typer.Option(False, "-f", "--follow")) -> None:
    """Print a job's log; -f follows it until the job ends."""
    from medkosh.compute import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        service.get_job(s, job_id)
    if follow:
        for chunk in service.follow_log(job_id):
            sys.stdout.write(chunk)
            sys.stdout.flush()
        return
    text, _ = service.read_log(job_id)
    sys.stdout.write(text)


@app.command("cancel")
def cancel(job_id: str = typer.Argument(...), as_user: str = AS) -> None:
    """Cancel a queued job, or ask a running one to stop."""
    import getpass
    import os

    from medkosh.cli._acting import cli_principal
    from medkosh.compute import service
    from medkosh.store.db import session_scope

    ensure_store()
    with session_scope() as s:
        who = cli_principal(s, as_user) if (as_user or os.environ.get("MEDKOSH_TOKEN")) else f"cli:{getpass.getuser()}"
        row = service.cancel(s, who, job_id)
        state = row.state
    typer.echo(f"{job_id}  {'cancelled' if state == 'cancelled' else 'cancellation requested'}")


@app.command("worker")
def worker(once: bool = typer.Option(False, "--once", help="Run what is queued now, then exit."),
           poll: float = typer.Option(1.0, min=0.05, help="Seconds between queue checks."),
           slots: int = typer.Option(1, min=1, max=64, help="Jobs run at the same time.")) -> None:
    """Run queued jobs in fair-share order (the local executor's worker pool; Ray jobs go to Ray)."""
    import socket
    from concurrent.futures import ThreadPoolExecutor

    from medkosh.compute import service

    ensure_store()
    name = f"{socket.gethostname()}:{__import__('os').getpid()}"
    info(f"worker {name}: {slots} slot(s); Ctrl-C stops")
    with ThreadPoolExecutor(max_workers=slots) as pool:
        running: set = set()
        while True:
            running = {f for f in running if not f.done()}
            while len(running) < slots:
                job_id = service.claim_next(name)
                if job_id is None:
                    break
                running.add(pool.submit(service.run_job, job_id, worker=name))
            if once and not running:
                return
            time.sleep(poll)
