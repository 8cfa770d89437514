"""Validation protocol (versioned YAML) and report types."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

METRICS = ("auroc", "auprc", "sensitivity", "specificity", "ppv", "npv", "brier", "ece", "positive_rate",
           "calibration_slope", "calibration_intercept")
FAIRNESS = ("equalised_odds_difference", "demographic_parity_difference", "auroc_gap")
SUBGROUPS = ("sex", "age_band", "state", "urban_rural", "hospital", "income")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Strict):
    """Either a fixed decision threshold or the highest one reaching a target sensitivity."""

    fixed: float | None = Field(default=None, ge=0, le=1)
    sensitivity: float | None = Field(default=None, gt=0, le=1)

    @model_validator(mode="after")
    def _one(self) -> Threshold:
        if (self.fixed is None) == (self.sensitivity is None):
            raise ValueError("give exactly one of 'fixed' or 'sensitivity'")
        return self


class Bootstrap(_Strict):
    resamples: int = Field(default=2000, ge=100, le=20000)
    seed: int = 7
    cells: int = Field(default=100, ge=20, le=5000)  # score-quantile bins per population


class MinSubgroup(_Strict):
    """Subgroups below either size are reported but flagged too small to judge (and left out of gaps)."""

    n: int = Field(default=30, ge=1)
    events: int = Field(default=5, ge=0)


class Criterion(_Strict):
    """A pass criterion: a metric (overall) or a fairness gap (per subgroup kind) against a bound."""

    metric: str | None = None
    fairness: str | None = None
    subgroup: str | None = None
    bound: Literal["point", "ci_low", "ci_high"] = "point"
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _shape(self) -> Criterion:
        if (self.metric is None) == (self.fairness is None):
            raise ValueError("a criterion names exactly one of 'metric' or 'fairness'")
        if self.metric is not None and self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}; one of {', '.join(METRICS)}")
        if self.fairness is not None and self.fairness not in FAIRNESS:
            raise ValueError(f"unknown fairness measure {self.fairness!r}; one of {', '.join(FAIRNESS)}")
        if self.fairness is not None and self.subgroup not in SUBGROUPS:
            raise ValueError(f"a fairness criterion names its subgroup: one of {', '.join(SUBGROUPS)}")
        if self.min is None and self.max is None:
            raise ValueError("a criterion needs 'min' or 'max'")
        return self

    def label(self) -> str:
        what = self.metric or f"{self.fairness}[{self.subgroup}]"
        parts = [f">= {self.min}" if self.min is not None else "", f"<= {self.max}" if self.max is not None else ""]
        return f"{what} ({self.bound}) {' and '.join(p for p in parts if p)}"


class Monitoring(_Strict):
    """Post-deployment alarms; crossing one suspends the deployment."""

    psi_max: float = Field(default=0.25, gt=0)
    ks_p_min: float = Field(default=1e-4, ge=0, le=1)
    override_rate_max: float = Field(default=0.3, gt=0, le=1)
    auroc_min: float = Field(default=0.6, ge=0, le=1)
    min_predictions: int = Field(default=100, ge=1)  # PSI over 10 bins is noise below ~100
    window: int = Field(default=500, ge=10)  # the latest predictions each check looks at


class Protocol(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$")
    version: int = Field(ge=1)
    task: str
    outcome: str
    threshold: Threshold
    subgroups: list[str] = Field(default_factory=lambda: ["sex", "age_band", "state"])
    metrics: list[str] = Field(default_factory=lambda: list(METRICS))
    bootstrap: Bootstrap = Bootstrap()
    min_subgroup: MinSubgroup = MinSubgroup()
    pass_criteria: list[Criterion] = Field(min_length=1)
    monitoring: Monitoring = Monitoring()

    @model_validator(mode="after")
    def _known(self) -> Protocol:
        for s in self.subgroups:
            if s not in SUBGROUPS:
                raise ValueError(f"unknown subgroup {s!r}; one of {', '.join(SUBGROUPS)}")
        for m in self.metrics:
            if m not in METRICS:
                raise ValueError(f"unknown metric {m!r}; one of {', '.join(METRICS)}")
        return self
