"""Model registry types: lifecycle states, deployment modes, the input/output schema."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class State(StrEnum):
    REGISTERED = "registered"
    VALIDATED = "validated"
    APPROVED = "approved"
    DEPLOYED = "deployed"
    SUSPENDED = "suspended"
    RETIRED = "retired"


class Mode(StrEnum):
    SHADOW = "shadow"  # predictions logged, never returned to the caller
    SUPERVISED = "supervised"  # each prediction waits for a clinician to accept or override
    ACTIVE = "active"  # returned to the caller directly


class Feature(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    type: str = "float"
    unit: str = ""
    impute: float | None = None  # value used when the input omits the feature (training median)
    min: float | None = None
    max: float | None = None


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    classes: list[int] = Field(default_factory=lambda: [0, 1])
    score: str = "probability of the positive class"


class ModelSchema(BaseModel):
    """What a version takes and returns (the TRE example's schema.json has this shape)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    task: str = ""
    features: list[Feature] = Field(min_length=1)
    output: Output = Output()
    algorithm: str = ""

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]
