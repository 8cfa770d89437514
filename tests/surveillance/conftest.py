from __future__ import annotations

from pathlib import Path

import pytest

from medkosh.surveillance.synthetic import Outbreak, generate


@pytest.fixture(scope="session")
def encounters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic encounter table (3 years, 12 districts) for the query tests."""
    out = tmp_path_factory.mktemp("surv") / "encounters.parquet"
    generate(out, rows=300_000, districts=12, years=3, start="2023-W01", seed=5)
    return out


@pytest.fixture(scope="session")
def outbreak_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 years, 6 districts, a dengue outbreak (×5) in Pune in 2025-W30."""
    out = tmp_path_factory.mktemp("surv") / "outbreak.parquet"
    generate(out, rows=400_000, districts=6, years=3, start="2023-W01",
             outbreaks=[Outbreak("dengue", "Pune", "2025-W30", 5.0)], seed=9)
    return out
