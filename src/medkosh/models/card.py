"""The model card, under the CHAI Applied Model Card headings: filled automatically from lineage, the
latest validation report and the approvals; the developer's own fields fill the rest. A heading nobody
filled says so (it is not silently dropped)."""

from __future__ import annotations

from html import escape
from typing import Any

from sqlalchemy.orm import Session

from medkosh.models.service import get_version_row, version_summary

MISSING = "not provided by the developer"
ICMR = ("autonomy", "safety and risk minimisation", "trustworthiness", "data privacy", "accountability and liability",
        "optimisation of data quality", "accessibility, equity and inclusiveness", "collaboration",
        "non-discrimination and fairness", "validity")


def model_card(session: Session, version_id: str) -> dict[str, Any]:
    from medkosh.deployment.lifecycle import approvals, latest_passing_validation, validations
    from medkosh.validation.run import load_report

    v = get_version_row(session, version_id)
    s = version_summary(session, v)
    dev = s["card"]
    val = latest_passing_validation(session, v.id)
    vals = validations(session, v.id)
    report = load_report(session, val.id) if val else (load_report(session, vals[-1]["id"]) if vals else None)
    perf: dict[str, Any] = {"source": "no validation yet"}
    if report:
        perf = {"validation": report.get("validation_id"), "benchmark": report.get("benchmark"),
                "passed": report["pass"]["passed"], "n": report["n"], "events": report["events"],
                "metrics": {k: report["metrics"][k] for k in ("auroc", "auprc", "sensitivity", "specificity",
                                                               "brier", "ece") if k in report["metrics"]},
                "subgroups": {k: {"gaps": {g: x for g, x in sub["gaps"].items() if g != "largest_gap_by_metric"},
                                  "too_small": [lv["level"] for lv in sub["levels"] if lv["too_small_to_judge"]]}
                              for k, sub in report["subgroups"].items()},
                "not_in_benchmark": report.get("subgroups_not_in_benchmark", [])}
    lineage = s["lineage"]
    return {
        "model": s["id"], "name": s["name"], "state": s["state"], "mode": s["mode"],
        "developer": s["developer"],
        "release": {"version": s["version"], "registered_at": s["registered_at"], "artefact_sha256": lineage.get("sha256"),
                    "notes": dev.get("release_notes", MISSING)},
        "intended_use": dev.get("intended_use", MISSING), "intended_users": dev.get("intended_users", MISSING),
        "out_of_scope_use": dev.get("out_of_scope_use", MISSING),
        "training_data": {"dataset_versions": lineage.get("trained_on", []), "job": lineage.get("job_id"),
                          "representativeness": dev.get("representativeness", "see the training datasets' data cards")},
        "inputs_outputs": s["schema"],
        "performance": perf,
        "limitations": dev.get("limitations", MISSING), "risks": dev.get("risks", MISSING),
        "bias_mitigation": dev.get("bias_mitigation", MISSING),
        "monitoring_plan": dev.get("monitoring_plan", (
            "medkosh monitors input drift (PSI, KS) against the validation data, the clinicians' override rate "
            "and performance once outcomes arrive, with the validation protocol's thresholds; crossing one "
            "suspends the deployment")),
        "approvals": approvals(session, v.id),
        "icmr_2023_principles": dev.get("icmr_principles", {
            "validity": "independent validation on a sealed benchmark" if val else MISSING,
            "non-discrimination and fairness": "subgroup metrics and gaps in the validation report" if val else MISSING,
            "accountability and liability": "clinician approval with registration number; every transition audited",
            "data privacy": "benchmark labels never leave medkosh; predictions log features, never identifiers",
            "safety and risk minimisation": "supervised deployment, automatic suspension on drift",
        }),
    }


def card_html(c: dict[str, Any]) -> str:
    def block(v: Any) -> str:
        if isinstance(v, dict):
            return "<dl>" + "".join(f"<dt>{escape(str(k))}</dt><dd>{block(x)}</dd>" for k, x in v.items()) + "</dl>"
        if isinstance(v, list):
            return "<ul>" + "".join(f"<li>{block(x)}</li>" for x in v) + "</ul>" if v else "—"
        return escape("—" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v))

    heads = [("Developer", "developer"), ("Release", "release"), ("Intended use", "intended_use"),
             ("Intended users", "intended_users"), ("Out-of-scope use", "out_of_scope_use"),
             ("Training data and its representativeness", "training_data"), ("Inputs and outputs", "inputs_outputs"),
             ("Performance, with subgroups", "performance"), ("Limitations", "limitations"), ("Risks", "risks"),
             ("Bias mitigation", "bias_mitigation"), ("Monitoring plan", "monitoring_plan"),
             ("Clinical approvals", "approvals"), ("ICMR 2023 principles addressed", "icmr_2023_principles")]
    body = "".join(f"<h2>{escape(h)}</h2>{block(c.get(k))}" for h, k in heads)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Model card {escape(c["model"])}'
            f"</title></head><body><h1>Model card: {escape(c['name'])} ({escape(c['model'])}, {escape(c['state'])})"
            f"</h1>{body}</body></html>")
