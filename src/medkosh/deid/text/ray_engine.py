"""The Ray engine: the same batches as stream.py, sent as Ray tasks, so a cluster shares a notes
corpus. Needs the `ray` extra. Reading and writing stay on the driver (input order is kept, the
output is renamed into place only when complete); at most `max_in_flight` batches are
outstanding, so driver memory stays bounded however many notes there are."""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from typing import Any

from medkosh.deid.text.stream import (
    BatchResult,
    RunSummary,
    _AtomicOutput,
    batches,
    iter_records,
    process_batch,
)
from medkosh.deid.text.types import Mode
from medkosh.errors import InputError


def deidentify_jsonl_ray(in_path: str | Path, out_path: str | Path, mode: Mode | str = Mode.TAG, *,
                         secret: bytes | None = None, address: str | None = None, max_in_flight: int = 8,
                         profile: str = "default") -> RunSummary:
    try:
        import ray
    except ModuleNotFoundError as exc:
        raise InputError("the Ray engine needs Ray", hint="pip install 'medkosh[ray]'") from exc
    mode = Mode(mode).value
    if mode == Mode.SURROGATE and secret is None:
        from medkosh.deid.pseudonym import dataset_secret

        secret = dataset_secret("notes")
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, ignore_reinit_error=True, log_to_driver=False)
    remote = ray.remote(process_batch)
    in_path, out_path = Path(in_path), Path(out_path)
    summary = RunSummary(workers=int(ray.cluster_resources().get("CPU", 1)), output=str(out_path))
    started = time.perf_counter()
    out = _AtomicOutput(out_path)
    window: deque[Any] = deque()

    def drain() -> None:
        result: BatchResult = ray.get(window.popleft())
        for line in result.lines:
            out.write(line)
        summary.add(result)

    try:
        for batch in batches(iter_records(in_path)):
            window.append(remote.remote(batch, mode, secret, profile))  # type: ignore[call-arg]
            if len(window) >= max_in_flight:
                drain()
        while window:
            drain()
        out.commit()
    except BaseException:
        out.abort()
        raise
    summary.seconds = time.perf_counter() - started
    return summary
