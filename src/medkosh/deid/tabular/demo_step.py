"""Demo step: anonymise the synthetic hospitals' admissions (the HIS extracts) with the shipped
recipe examples/recipes/ehr-cohort.yaml, and show the re-identification risk before and after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

RECIPE = "ehr-cohort.yaml"


def recipe_path() -> Path:
    """The shipped recipe, examples/recipes/ehr-cohort.yaml in the source tree."""
    from medkosh.errors import NotFoundError

    path = Path(__file__).resolve().parents[4] / "examples" / "recipes" / RECIPE
    if not path.exists():
        raise NotFoundError("the demo's anonymisation recipe is missing", where=str(path),
                            hint="run the demo from a medkosh source checkout")
    return path


def run(ctx: Any) -> list[str]:
    import polars as pl

    from medkosh.deid.tabular.api import anonymise_to_file
    from medkosh.deid.tabular.prepare import scan
    from medkosh.errors import InputError

    synth_dir = Path(ctx.state["synth_dir"])
    extracts = sorted((synth_dir / "his").glob("*_admissions.csv"))
    if not extracts:
        raise InputError("no HIS admissions extracts to anonymise", where=str(synth_dir / "his"),
                         hint="run the synthetic data step first")
    # One cohort across hospitals; every value as text, as the hospitals exported it.
    cohort = pl.concat([scan(p) for p in extracts], how="vertical_relaxed")
    out_dir = Path(ctx.data_dir) / "anonymised"
    output, report_path = out_dir / "ehr-cohort.parquet", out_dir / "ehr-cohort-report.json"
    report = anonymise_to_file(cohort, recipe_path(), output, report_path, seed=ctx.seed)
    ctx.state["anonymised_cohort"] = output
    ctx.state["anonymised_cohort_report"] = report
    before, after = report["risk_before"], report["risk_after"]
    levels = ", ".join(f"{q} level {lvl}/{report['transformation_depth'][q]}"
                       for q, lvl in report["transformation"].items())
    return [
        f"{report['rows_in']:,} admissions from {len(extracts)} hospitals → {report['rows_out']:,} released, "
        f"{report['suppressed_rows']:,} suppressed; k={int(report['k'])} achieved (recipe {RECIPE})",
        f"generalisation: {levels} ({report['nodes_evaluated']} of {report['nodes_total']} nodes evaluated)",
        f"risk before → after: prosecutor max {before['prosecutor_max']:.2f} → {after['prosecutor_max']:.2f}, "
        f"average {before['prosecutor_avg']:.3f} → {after['prosecutor_avg']:.3f}, sample uniques "
        f"{before['sample_uniques']:.1%} → {after['sample_uniques']:.1%}, estimated population uniques "
        f"{before['population_uniques']:.2%} → {after['population_uniques']:.2%}",
        f"information loss {report['information_loss']['loss']:.3f}; written to {output} (+ report)",
    ]
