"""Allowed state changes for jobs and outputs, and who makes them.

'system' is the job runner; 'owner' the researcher who submitted the job; 'checker' a committee
member who is not on the job's team.
"""

from __future__ import annotations

from medkosh.compute.types import JobState, OutputStatus
from medkosh.errors import ConflictError

JOB_TRANSITIONS: dict[tuple[JobState, JobState], frozenset[str]] = {
    (JobState.QUEUED, JobState.RUNNING): frozenset({"system"}),
    (JobState.QUEUED, JobState.CANCELLED): frozenset({"owner", "admin"}),
    (JobState.QUEUED, JobState.FAILED): frozenset({"system"}),  # e.g. its grant lapsed before it started
    (JobState.RUNNING, JobState.SUCCEEDED): frozenset({"system"}),
    (JobState.RUNNING, JobState.FAILED): frozenset({"system"}),
    (JobState.RUNNING, JobState.TIMED_OUT): frozenset({"system"}),
    (JobState.RUNNING, JobState.CANCELLED): frozenset({"system"}),  # after the owner asked
}

OUTPUT_TRANSITIONS: dict[tuple[OutputStatus, OutputStatus], frozenset[str]] = {
    (OutputStatus.PENDING_REVIEW, OutputStatus.APPROVED): frozenset({"checker"}),
    (OutputStatus.PENDING_REVIEW, OutputStatus.REJECTED): frozenset({"checker"}),
    (OutputStatus.APPROVED, OutputStatus.RELEASED): frozenset({"owner", "checker", "admin"}),
}


def check_job(current: str, target: JobState, who: str) -> None:
    allowed = JOB_TRANSITIONS.get((JobState(current), target))
    if allowed is None:
        raise ConflictError(f"a {current} job cannot become {target}",
                            hint="see `medkosh job show` for its state")
    if who not in allowed:
        raise ConflictError(f"only {', '.join(sorted(allowed))} may move a job from {current} to {target}")


def check_output(current: str, target: OutputStatus, who: str) -> None:
    allowed = OUTPUT_TRANSITIONS.get((OutputStatus(current), target))
    if allowed is None:
        raise ConflictError(f"an output that is {current} cannot become {target}",
                            hint="blocked outputs are never released; rejected ones need a new job")
    if who not in allowed:
        raise ConflictError(f"only {', '.join(sorted(allowed))} may move an output from {current} to {target}")
