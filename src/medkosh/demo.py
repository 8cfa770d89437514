"""The end-to-end demo behind `make demo`: synthetic data through every step of the commons.

Each step is a module with `run(ctx: DemoContext) -> list[str]` (summary lines). Steps run in the
order of STEPS; every capability adds its step here so the demo always shows the whole product.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STEPS: list[tuple[str, str]] = [
    # (title, module) — in the order of the flow: synth → ingest → consent/catalog → access →
    # compute → models → surveillance.
    ("Synthetic data", "medkosh.synth.demo_step"),
    ("Ingest hospital data", "medkosh.ingest.demo_step"),
    ("Anonymise the EHR cohort", "medkosh.deid.tabular.demo_step"),
    ("De-identify clinical notes", "medkosh.deid.text.demo_step"),
    ("Import consent artefacts", "medkosh.consent.demo_step"),
    ("Build the catalog", "medkosh.catalog.demo_step"),
    ("Revoke one consent and enforce", "medkosh.consent.demo_revoke"),
    ("Controlled access", "medkosh.access.demo_step"),
    ("Trusted research environment", "medkosh.compute.demo_step"),
    ("AI models", "medkosh.deployment.demo_step"),
    ("Disease surveillance", "medkosh.surveillance.demo_step"),
]


@dataclass
class DemoContext:
    home: Path
    data_dir: Path
    patients: int = 2000
    hospitals: int = 3
    seed: int = 7
    state: dict[str, Any] = field(default_factory=dict)


@dataclass
class StepReport:
    title: str
    lines: list[str]
    seconds: float


def run_demo(ctx: DemoContext, progress: Any = None) -> list[StepReport]:
    from medkosh.cli._common import ensure_store

    ensure_store()
    reports = []
    for title, module_name in STEPS:
        if progress:
            progress(f"{title} …")
        started = time.perf_counter()
        module = importlib.import_module(module_name)
        lines = module.run(ctx)
        reports.append(StepReport(title, list(lines), time.perf_counter() - started))
    return reports
