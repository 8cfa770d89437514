"""Pure governance checks for aggregate queries: `check_*` raise, `can_*` return bool."""

from __future__ import annotations

from medkosh.errors import InputError, PolicyViolation
from medkosh.surveillance.types import DatasetSettings, Measure, ProtectionMode, QuerySpec

# Cube sizes a query may produce: beyond these the answer is either useless (everything
# suppressed) or too slow to noise cell by cell.
MAX_DP_CELLS = 100_000
# A disclosure-controlled table where most non-empty cells are small is refused rather than
# published as a sea of suppression symbols: the user should coarsen the grouping.
MAX_SMALL_FRACTION = 0.5
MIN_CELLS_FOR_FRACTION_RULE = 200
BUDGET_TOLERANCE = 1e-9


def check_mode(settings: DatasetSettings, spec: QuerySpec) -> ProtectionMode:
    """The protection a query gets: DP when asked for or when the dataset only allows DP."""
    if spec.epsilon is not None:
        return ProtectionMode.DP
    if settings.mode is ProtectionMode.DP:
        raise PolicyViolation(f"dataset {settings.dataset_id} answers only differentially private queries",
                              hint="add --dp EPSILON (e.g. --dp 0.1)")
    return ProtectionMode.DISCLOSURE


def check_epsilon(settings: DatasetSettings, epsilon: float) -> None:
    if not epsilon > 0:
        raise InputError(f"epsilon must be positive, got {epsilon}", where="--dp")
    if epsilon > settings.max_epsilon_per_query + BUDGET_TOLERANCE:
        raise PolicyViolation(f"epsilon {epsilon:g} exceeds the per-query limit {settings.max_epsilon_per_query:g} "
                              f"of dataset {settings.dataset_id}", hint="ask with a smaller --dp")


def can_spend(settings: DatasetSettings, spent_epsilon: float, spent_delta: float, epsilon: float,
              delta: float) -> bool:
    return (spent_epsilon + epsilon <= settings.epsilon_budget + BUDGET_TOLERANCE
            and spent_delta + delta <= settings.delta_budget + BUDGET_TOLERANCE)


def check_spend(settings: DatasetSettings, spent_epsilon: float, spent_delta: float, epsilon: float,
                delta: float) -> None:
    if not can_spend(settings, spent_epsilon, spent_delta, epsilon, delta):
        left = max(settings.epsilon_budget - spent_epsilon, 0.0)
        raise PolicyViolation(
            f"privacy budget exhausted for dataset {settings.dataset_id}: this query needs ε={epsilon:g}, "
            f"{left:.4g} of {settings.epsilon_budget:g} is left",
            hint="ask with a smaller --dp or ask the data steward for a new budget")


def check_dp_size(cells: int) -> None:
    if cells > MAX_DP_CELLS:
        raise InputError(f"a differentially private answer would have {cells:,} cells",
                         hint=f"group by fewer or coarser dimensions (at most {MAX_DP_CELLS:,} cells)")


def check_not_mostly_small(small: int, nonempty: int) -> None:
    if nonempty >= MIN_CELLS_FOR_FRACTION_RULE and small > MAX_SMALL_FRACTION * nonempty:
        raise PolicyViolation(f"{small:,} of {nonempty:,} cells are below the disclosure threshold",
                              hint="group by fewer or coarser dimensions (e.g. month, state or chapter)")


def check_measure(spec: QuerySpec) -> None:
    if spec.measure is Measure.MEAN and not spec.mean_of:
        raise InputError("a mean needs a column", where="--mean", hint="e.g. --mean age")
    if not spec.by and spec.measure is not Measure.COUNT:
        raise InputError("group a rate or mean by at least one dimension", where="--by")
