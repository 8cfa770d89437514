"""Job start overhead on the local executor: from `submit` to the first line of the researcher's script.

Builds a throwaway platform (SQLite, one granted controlled dataset, an allocation), then repeatedly
submits a job whose script records time.time() as its first statement, with a worker loop polling the
queue as `medkosh job worker` does. Reports the median and spread of (script start - submit call).

    .venv/bin/python benchmarks/bench_job_start.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="medkosh-bench-job-"))
    os.environ["MEDKOSH_HOME"] = str(home)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "access"))
    import world  # type: ignore[import-not-found]

    from medkosh.compute import credits, service
    from medkosh.compute.sandbox import sandbox_available
    from medkosh.compute.spec import load_spec
    from medkosh.identity.types import Principal
    from medkosh.store.db import session_scope
    from medkosh.store.migrate import upgrade

    upgrade(f"sqlite:///{home / 'medkosh.db'}")
    with session_scope() as s:
        w = world.build_world(s)
        credits.set_allocation(s, w.inst, cpu_hours=1000, gpu_hours=0, actor="bench")
    researcher = Principal(w.users["researcher"], via="bench")
    project = home / "proj"
    project.mkdir()
    (project / "main.py").write_text("import time\nopen('/out/t', 'w').write(repr(time.time()))\n")
    (project / "job.yaml").write_text("name: start\nentry: main.py\ndatasets: [test-open@1]\n"
                                      "resources: {cpus: 1, memory_mb: 1024, wall_time: 60s}\n")
    spec, proj = load_spec(project / "job.yaml")
    stop = threading.Event()

    def worker() -> None:  # what `medkosh job worker --poll 0.05` does
        while not stop.is_set():
            job_id = service.claim_next("bench")
            if job_id is None:
                time.sleep(0.05)
                continue
            service.run_job(job_id, worker="bench")

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    overheads = []
    for _ in range(args.runs + 1):
        t0 = time.time()
        with session_scope() as s:
            job_id = service.submit(s, researcher, spec, proj).id
        marker = service.job_dir(job_id) / "out" / "t"
        while True:
            with session_scope() as s:
                state = service.get_job(s, job_id).state
            if state in ("succeeded", "failed", "timed_out", "cancelled"):
                break
            time.sleep(0.02)
        overheads.append(float(marker.read_text()) - t0)
    stop.set()
    overheads = overheads[1:]  # the first run warms imports
    print(json.dumps({"runs": args.runs, "sandboxed": sandbox_available(),
                      "median_s": round(statistics.median(overheads), 3), "min_s": round(min(overheads), 3),
                      "max_s": round(max(overheads), 3), "load_avg_1m": round(os.getloadavg()[0], 1)}))


if __name__ == "__main__":
    main()
