"""Demo step: disease surveillance over a district feed with an injected dengue outbreak.

The demo's few thousand patients are too few for weekly series per district, so the step writes a
population-scale encounter feed with the surveillance generator — the synthetic hospitals'
districts first, so the portal shows the places of the demo — injects a dengue outbreak in the
first hospital's district, runs EARS and Farrington, and stores the alerts the portal shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

OUTBREAK_WEEK = "2025-W30"


def _districts(ctx: Any) -> list[tuple[str, str]]:
    from medkosh.surveillance.synthetic import DISTRICTS

    names: list[tuple[str, str]] = []
    synth_dir = ctx.state.get("synth_dir")
    manifest = Path(synth_dir) / "manifest.json" if synth_dir else None
    if manifest is not None and manifest.exists():
        for h in orjson.loads(manifest.read_bytes()).get("hospitals", []):
            pair = (str(h.get("district") or "").strip(), str(h.get("state") or "").strip())
            if pair[0] and pair[1] and pair not in names:
                names.append(pair)
    for pair in DISTRICTS:  # a few more districts so the heat table has a neighbourhood
        if len(names) >= 8:
            break
        if pair[0] not in {n for n, _ in names}:
            names.append(pair)
    return names


def run(ctx: Any) -> list[str]:
    from medkosh.audit.service import Actor
    from medkosh.store.db import session_scope
    from medkosh.surveillance import runs
    from medkosh.surveillance.synthetic import Outbreak, generate

    districts = _districts(ctx)
    target = districts[0][0]
    feed = Path(ctx.data_dir) / "surveillance" / "encounters.parquet"
    manifest = generate(feed, rows=600_000, district_names=districts, years=3, start="2023-W01",
                        outbreaks=[Outbreak("dengue", target, OUTBREAK_WEEK, 5.0)], seed=ctx.seed)
    with session_scope() as session:
        summary = runs.run(session, str(feed), Actor("demo", role="steward"))
    with session_scope() as session:
        found = runs.alerts(session, summary["run_id"])
    ctx.state["surveillance"] = {"run_id": summary["run_id"], "feed": str(feed), "alerts": len(found["alerts"])}
    hit = next((a for a in found["alerts"] if a["condition"] == "dengue" and a["district"] == target
                and a["week"] == OUTBREAK_WEEK), None)
    lines = [f"{manifest['rows']:,} encounters in {len(districts)} districts, {summary['first_week']} – "
             f"{summary['last_week']}; dengue outbreak injected in {target}, {OUTBREAK_WEEK}",
             f"{summary['series']} weekly series checked with EARS C1/C2/C3 and Farrington in {summary['seconds']:.1f} s: "
             f"{summary['alerts']} alerts in the last 52 weeks"]
    if hit:
        lines.append(f"detected: {hit['condition_name']} ({hit['icd10']}) in {hit['district']}, {hit['week']}: "
                     f"{hit['observed_display']} cases, {hit['method']} statistic {hit['statistic']:.2f} "
                     f"> threshold {hit['threshold']:.2f}")
    else:
        lines.append(f"the injected outbreak in {target} was NOT detected (see the alert table)")
    lines.append("portal: /surveillance (alerts, chart, heat table) and /surveillance/query (query builder)")
    return lines
