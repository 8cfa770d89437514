"""Pure checks for the trusted research environment (route-level rules live in medkosh.access.policies)."""

from __future__ import annotations

from dataclasses import dataclass

from medkosh.errors import NotFoundError, PermissionDenied
from medkosh.identity.types import Principal, Role


@dataclass(frozen=True)
class JobFacts:
    owner_id: str
    institution_id: str
    team: frozenset[str]
    checkers: frozenset[str] = frozenset()  # committee members of the datasets the job reads


def _is_checker_for(principal: Principal, job: JobFacts) -> bool:
    """Output checkers are committee members of the job's institution or of a dataset the job reads;
    another institution's committee never sees the job (isolation between institutions)."""
    return principal.has_role(Role.COMMITTEE) and (principal.institution_id == job.institution_id
                                                   or principal.id in job.checkers)


def check_can_submit(principal: Principal) -> None:
    if not principal.has_role(Role.RESEARCHER):
        raise PermissionDenied("only researchers submit jobs", hint="ask your steward for the researcher role")


def can_see_job(principal: Principal, job: JobFacts) -> bool:
    """The owner and team see a job; admins see all; its output checkers see it to check its outputs."""
    return (principal.id == job.owner_id or principal.id in job.team or principal.has_role(Role.ADMIN)
            or _is_checker_for(principal, job))


def check_can_see_job(principal: Principal, job: JobFacts) -> None:
    if not can_see_job(principal, job):
        raise NotFoundError("no such job", hint="check the job id with `medkosh job list`")


def check_can_cancel(principal: Principal, job: JobFacts) -> None:
    if principal.id != job.owner_id and not principal.has_role(Role.ADMIN):
        check_can_see_job(principal, job)
        raise PermissionDenied("only the job's owner or an admin can cancel it")


def check_can_review_output(principal: Principal, job: JobFacts) -> None:
    """Two independent checkers: committee members who are not the author nor on the job's team."""
    if not principal.has_role(Role.COMMITTEE):
        raise PermissionDenied("only output checkers (committee members) review outputs")
    check_can_see_job(principal, job)
    if principal.id == job.owner_id or principal.id in job.team:
        raise PermissionDenied("you cannot check the outputs of your own job",
                               hint="another committee member must review it")


def can_download_output(principal: Principal, job: JobFacts) -> bool:
    return principal.id == job.owner_id or principal.id in job.team


def check_can_download_output(principal: Principal, job: JobFacts) -> None:
    if not can_download_output(principal, job):
        check_can_see_job(principal, job)
        raise PermissionDenied("released outputs are downloadable by the job's team only")
