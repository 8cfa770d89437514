"""Compute vocabulary: job and output states, audit events, resource requests."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"

    @property
    def finished(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.TIMED_OUT)


class OutputStatus(StrEnum):
    BLOCKED = "blocked"            # the automatic checks refused it: never released
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"          # two independent checkers approved
    REJECTED = "rejected"
    RELEASED = "released"


class OutputKind(StrEnum):
    TABLE = "table"      # CSV/TSV
    TEXT = "text"        # txt, md, json, log
    IMAGE = "image"      # png/svg figures
    MODEL = "model"      # .onnx
    OTHER = "other"


class ComputeEvent(StrEnum):
    JOB_SUBMITTED = "compute.job.submitted"
    JOB_REFUSED = "compute.job.refused"
    JOB_STARTED = "compute.job.started"
    JOB_FINISHED = "compute.job.finished"
    JOB_CANCELLED = "compute.job.cancelled"
    OUTPUT_CHECKED = "compute.output.checked"
    OUTPUT_REVIEWED = "compute.output.reviewed"
    OUTPUT_RELEASED = "compute.output.released"
    OUTPUT_DOWNLOADED = "compute.output.downloaded"
    ALLOCATION_SET = "compute.allocation.set"


@dataclass(frozen=True)
class Resources:
    cpus: float = 1.0
    memory_mb: int = 2048
    gpus: float = 0.0
    wall_seconds: int = 3600

    @property
    def cpu_hours_max(self) -> float:
        return self.cpus * self.wall_seconds / 3600.0

    @property
    def gpu_hours_max(self) -> float:
        return self.gpus * self.wall_seconds / 3600.0


@dataclass(frozen=True)
class Usage:
    cpu_hours: float
    gpu_hours: float
