"""Ray executor: the job becomes a Ray task that asks for its CPUs, GPUs and memory, so a Ray cluster
(e.g. a national GPU facility) schedules it; the task runs the same sandboxed command on its node.

Connects to RAY_ADDRESS when set (an existing cluster), else starts a local Ray instance.
"""

from __future__ import annotations

import os
from typing import Any

from medkosh.compute.executors.base import ExecTask, run_task
from medkosh.compute.sandbox import RunResult
from medkosh.errors import InputError

_remote: Any = None


def _ensure_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise InputError("the Ray executor needs the ray extra", hint="pip install 'medkosh[ray]'") from exc
    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        if address:
            ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
        else:
            ray.init(num_cpus=max(1, os.cpu_count() or 1), include_dashboard=False, ignore_reinit_error=True,
                     log_to_driver=False, configure_logging=False)
    return ray


def _task_body(task: ExecTask) -> RunResult:
    return run_task(task)


class RayExecutor:
    name = "ray"

    def execute(self, task: ExecTask) -> RunResult:
        global _remote
        ray = _ensure_ray()
        if _remote is None:
            _remote = ray.remote(max_retries=0)(_task_body)
        options: dict[str, Any] = {"num_cpus": task.resources.cpus, "num_gpus": task.resources.gpus}
        if task.resources.memory_mb:
            options["memory"] = int(task.resources.memory_mb) * 1024 * 1024
        result: RunResult = ray.get(_remote.options(**options).remote(task))
        return result
