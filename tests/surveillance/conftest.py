from __future__ import annotations

from pathlib import Path

import pytest

from medkosh.surveillance.synthetic import Outbreak, generate


@pytest.fixture(scope="session")
def encounters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic encounter table (3 years, 12 districts) with a dengue outbreak in Pune."""
    out = tmp_path_factory.mktemp("surv") / "encounters.parquet"
    generate(out, rows=300_000, districts=12, years=3, start="2023-W01",
             outbreaks=[Outbreak("dengue", "Pune", "2025-W30", 4.0)], seed=5)
    return out
