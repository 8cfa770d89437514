"""The executor interface: small on purpose, so Slurm or Kubernetes executors are easy to add.

An executor receives an ExecTask — a command with the sandbox mounts (host paths of the job's code,
inputs and output folders), resources, the log path and a cancel-flag path — and returns when the
command has ended. Everything else (grants, credits, output checking, state) is the service's job.
Executors on other machines need the job folder on a shared filesystem (or must copy it in and the
outputs back); the paths in ExecTask are host paths of the machine that prepared the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from medkosh.compute.sandbox import Mounts, RunResult
from medkosh.compute.types import Resources


@dataclass(frozen=True)
class ExecTask:
    job_id: str
    argv: list[str]
    mounts: Mounts
    resources: Resources
    log_path: Path
    cancel_flag: Path
    sandboxed: bool


class Executor(Protocol):
    name: str

    def execute(self, task: ExecTask) -> RunResult:
        """Run the task to its end (success, failure, timeout or cancellation)."""
        ...


def run_task(task: ExecTask) -> RunResult:
    """The common body: run the sandboxed command, honouring the cancel flag file."""
    from medkosh.compute import sandbox

    return sandbox.run(task.argv, task.mounts, task.resources, task.log_path, sandboxed=task.sandboxed,
                       cancelled=task.cancel_flag.exists)
