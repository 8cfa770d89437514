"""Executors run a prepared job somewhere: `local` (this machine's worker pool) or `ray` (a cluster)."""

from __future__ import annotations

from medkosh.compute.executors.base import ExecTask, Executor
from medkosh.errors import InputError


def get_executor(name: str) -> Executor:
    if name == "local":
        from medkosh.compute.executors.local import LocalExecutor

        return LocalExecutor()
    if name == "ray":
        from medkosh.compute.executors.ray_executor import RayExecutor

        return RayExecutor()
    raise InputError(f"unknown executor {name!r}", hint="use local or ray")


__all__ = ["ExecTask", "Executor", "get_executor"]
