"""The same job gives the same outputs on the local executor and on a local Ray instance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medkosh.compute import outputs
from medkosh.compute.types import JobState
from medkosh.store.db import session_scope
from medkosh.store.objects import ObjectStore

SCRIPT = """
import hashlib, os
digest = hashlib.sha256(open("/data/test-controlled/tables/patient.parquet", "rb").read()).hexdigest()
with open("/out/summary.csv", "w") as fh:
    fh.write("item,n\\n")
    fh.write(f"files,{len(os.listdir('/data/test-controlled/tables')) * 20}\\n")
open("/out/digest.txt", "w").write(digest[:16] + "\\n")
"""


@pytest.mark.ray
def test_local_and_ray_give_the_same_outputs(w: Any, tmp_path: Path, make_project: Any, submit_and_run: Any) -> None:
    pytest.importorskip("ray")
    results = {}
    for executor in ("local", "ray"):
        spec = make_project(tmp_path / executor, SCRIPT, datasets=["test-controlled@1"],
                            extra=f"executor: {executor}\n")
        done = submit_and_run(spec)
        assert done.state == JobState.SUCCEEDED, done.error
        assert done.executor == executor
        with session_scope() as s:
            results[executor] = {o.path: ObjectStore().get_bytes(o.checked_object or o.raw_object)
                                 for o in outputs.outputs_of(s, done.id)}
    assert results["local"] == results["ray"]
    assert results["local"]["summary.csv"] == b"item,n\nfiles,20\n"
    import ray

    ray.shutdown()
