"""The MedkoshError tree. Each error knows its HTTP status, its CLI exit code and its one-line message.

A user-facing line reads: what failed [at where]: how to fix it.
"""

from __future__ import annotations


class MedkoshError(Exception):
    http_status = 400
    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def user_line(self) -> str:
        line = self.message.rstrip(".")
        if self.where:
            line += f" (at {self.where})"
        if self.hint:
            line += f"; {self.hint.rstrip('.')}"
        # One line, always: user data with newlines must not break the contract.
        return " ".join(line.split("\n"))

    def __str__(self) -> str:
        return self.user_line()


class InputError(MedkoshError):
    """Bad input from the user: a file, a flag, a field."""


class NotFoundError(MedkoshError):
    http_status = 404
    exit_code = 3


class AuthenticationError(MedkoshError):
    http_status = 401
    exit_code = 4


class PermissionDenied(MedkoshError):
    http_status = 403
    exit_code = 4


class ConflictError(MedkoshError):
    """The request contradicts the current state (e.g. a forbidden workflow transition)."""

    http_status = 409
    exit_code = 5


class PolicyViolation(MedkoshError):
    """A governance rule refuses the action (consent, privacy budget, disclosure control, credits)."""

    http_status = 422
    exit_code = 6


class PayloadTooLarge(MedkoshError):
    http_status = 413


class RateLimited(MedkoshError):
    http_status = 429
    exit_code = 7


class StoreError(MedkoshError):
    """The database or object store failed; the message names the fault."""

    http_status = 503
    exit_code = 8


class IntegrityError(MedkoshError):
    """Stored data failed a check (hash chain, content hash)."""

    http_status = 500
    exit_code = 9
