"""TRIPOD+AI (2024) items a medkosh validation report covers, decided from the report's content, so the
checklist cannot claim an item the report does not hold. Items about study design or recruitment that a
platform cannot know are listed as 'developer' (answered in the model card) or 'not covered'."""

from __future__ import annotations

from typing import Any

# (item, title, how it is judged): a key path in the report that must be present and non-empty, or a source.
ITEMS: list[tuple[str, str, str]] = [
    ("5a", "Data sources (benchmark, its version and hospitals)", "benchmark"),
    ("6a", "Eligibility (at-risk cohort definition of the task)", "task"),
    ("7", "Data preparation (imputation with the training medians)", "preprocessing"),
    ("8a", "Outcome definition and timing", "protocol.outcome"),
    ("9a", "Predictors (names, units)", "model.features"),
    ("10", "Sample size (patients and events)", "n"),
    ("11", "Missing data handling", "preprocessing"),
    ("12e", "Performance measures: discrimination", "metrics.auroc"),
    ("12e-cal", "Performance measures: calibration", "metrics.calibration_slope"),
    ("12e-cu", "Clinical utility (decision curve)", "decision_curve"),
    ("12f", "Uncertainty (confidence intervals)", "ci_method"),
    ("14", "Fairness: performance across subgroups", "subgroups"),
    ("20a", "Participants: outcome counts", "events"),
    ("23a", "Model performance with CIs", "metrics"),
    ("23b", "Heterogeneity across subgroups", "subgroups"),
    ("24", "Model updating / recalibration", "developer"),
    ("26", "Interpretation and limitations", "developer"),
    ("27", "Usability and monitoring plan", "developer"),
    ("explain", "Explainability (permutation importance)", "explainability.permutation_importance"),
    ("explain-shap", "Explainability (SHAP summary)", "explainability.shap"),
]


def _get(report: dict[str, Any], path: str) -> Any:
    cur: Any = report
    for part in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def checklist(report: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for item, title, how in ITEMS:
        if how == "developer":
            status = "developer (model card)"
        else:
            v = _get(report, how)
            status = "covered" if v not in (None, [], {}, "") else "not covered"
        rows.append({"item": item, "title": title, "status": status})
    return rows
