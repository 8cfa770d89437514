"""Pure catalog rules: which versions may receive new access grants, which tier a modality may take."""

from __future__ import annotations

from medkosh.catalog.types import Modality, Tier, VersionInfo, VersionStatus
from medkosh.errors import PolicyViolation

# Versions a new access grant may point at. A superseded version (a newer build exists) stays
# citable and grantable, as on PhysioNet; one withdrawn for consent never gets a new grant.
GRANTABLE = frozenset({VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED})


def can_grant(version: VersionInfo) -> bool:
    return version.status in GRANTABLE


def check_can_grant(version: VersionInfo) -> None:
    """Raise unless a new access grant may be made to this version (called by the access domain)."""
    if not can_grant(version):
        hint = "request access to the latest version"
        if version.superseded_by:
            hint = f"request access to the version that replaced it ({version.dataset_id}@latest)"
        raise PolicyViolation(f"{version.ref} is {version.status.label}; no new access can be granted to it",
                              hint=hint)


def check_tier_fits(modality: Modality, tier: Tier) -> None:
    """Record-level notes and images are never 'open' (open is for aggregate or synthetic data)."""
    if tier is Tier.OPEN and modality in (Modality.NOTES, Modality.IMAGING):
        raise PolicyViolation(f"a {modality.value} dataset cannot be in the open tier",
                              hint="use tier 'registered' or 'controlled'; open is for aggregate or synthetic data")
