"""Safe people: users, institutions, roles, credentials (identity verification and trainings),
password and API-token authentication, sessions, and optional OIDC login."""

from medkosh.identity.types import Institution, Principal, Role, Training, User

__all__ = ["Institution", "Principal", "Role", "Training", "User"]
