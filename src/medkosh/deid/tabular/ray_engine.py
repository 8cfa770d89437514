"""The Ray engine (extra `medkosh[ray]`): each partition of the table is transformed and counted
into cells by a Ray task; the driver merges the cell counts and runs the same search as the local
engine, so both engines give the same result.

A file input is read by the workers themselves (each scans its own row range, so the data need not
pass through the driver: on a cluster the path must be visible to every node); an in-memory frame
is split into Arrow slices placed in Ray's object store. The dataset secret travels to the tasks
(pseudonyms and date shifts are computed there), so run them only on trusted nodes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl

from medkosh.deid.tabular import encode
from medkosh.deid.tabular.prepare import prepare, scan
from medkosh.deid.tabular.recipe import Recipe
from medkosh.errors import InputError


def _count_partition(source: Any, offset: int, length: int, recipe: Recipe, secret: bytes,
                     columns: list[str]) -> pl.DataFrame:
    if isinstance(source, str):
        lf = scan(source).slice(offset, length)
    else:
        lf = pl.from_arrow(source).lazy()  # type: ignore[union-attr]
    return encode.cell_counts(prepare(lf, recipe, secret), columns)


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise InputError("the Ray engine needs the ray extra", hint="pip install 'medkosh[ray]' or use --engine local") \
            from exc
    if not ray.is_initialized():
        # Join a cluster when RAY_ADDRESS says so; otherwise start a local instance.
        ray.init(address=os.environ.get("RAY_ADDRESS"), include_dashboard=False, log_to_driver=False,
                 ignore_reinit_error=True)
    return ray


def cell_counts_ray(data: Any, recipe: Recipe, secret: bytes, columns: list[str],
                    partitions: int | None = None) -> pl.DataFrame:
    ray = _ray()
    parts = partitions or max(2, int(ray.cluster_resources().get("CPU", 2)))
    task = ray.remote(_count_partition)
    futures = []
    if isinstance(data, str | Path):
        path = str(data)
        rows = scan(path).select(pl.len()).collect().item()
        step = max(1, -(-rows // parts))
        for offset in range(0, rows, step):
            futures.append(task.remote(path, offset, step, recipe, secret, columns))
    else:
        frame = data.collect() if isinstance(data, pl.LazyFrame) else data
        step = max(1, -(-len(frame) // parts))
        for offset in range(0, len(frame), step):
            ref = ray.put(frame.slice(offset, step).to_arrow())
            futures.append(task.remote(ref, 0, step, recipe, secret, columns))
    return encode.merge_counts(ray.get(futures), columns)
