"""Local executor: the job runs in a sandboxed child process of this machine's worker."""

from __future__ import annotations

from medkosh.compute.executors.base import ExecTask, run_task
from medkosh.compute.sandbox import RunResult


class LocalExecutor:
    name = "local"

    def execute(self, task: ExecTask) -> RunResult:
        return run_task(task)
