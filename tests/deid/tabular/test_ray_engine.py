"""The Ray engine (per-partition cell counts, merged) gives the local engine's result."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medkosh.deid.tabular import anonymise

from .conftest import adult_recipe

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    yield
    ray.shutdown()


@pytest.mark.ray
@pytest.mark.slow
@pytest.mark.parametrize("kw", [{"k": 5, "supp": 0.05}, {"k": 5, "l": 3, "supp": 0.05}])
def test_ray_equals_local(arx_dir: Path, local_ray: None, kw: dict) -> None:
    rec = adult_recipe(arx_dir, **kw)
    local = anonymise(arx_dir / "adult.csv", rec, seed=1)
    on_ray = anonymise(arx_dir / "adult.csv", rec, engine="ray", seed=1, partitions=3)
    assert on_ray.table.equals(local.table)
    for key in ("transformation", "suppressed_rows", "rows_in", "rows_out", "information_loss",
                "risk_before", "risk_after", "k", "l", "t"):
        assert on_ray.report[key] == local.report[key], key
    assert on_ray.report["engine"] == "ray"
    # an in-memory frame is split into Arrow slices in Ray's object store
    import polars as pl

    frame = pl.read_csv(arx_dir / "adult.csv", separator=";", infer_schema=False)
    from_frame = anonymise(frame, rec, engine="ray", seed=1, partitions=4)
    assert from_frame.table.equals(local.table)
