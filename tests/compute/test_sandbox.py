"""The sandbox holds: no network, nothing outside the grants readable, nothing outside /out writable."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from medkosh.compute import service
from medkosh.compute.spec import load_spec
from medkosh.compute.types import JobState
from medkosh.errors import PermissionDenied
from medkosh.store.db import session_scope

ESCAPES = """
import json, os, socket, sys
result = {}
def attempt(name, fn):
    try:
        fn()
        result[name] = "ALLOWED"
    except Exception as exc:
        result[name] = "refused: " + type(exc).__name__
attempt("socket_connect", lambda: socket.create_connection(("127.0.0.1", PORT), timeout=2))
attempt("socket_dns", lambda: socket.getaddrinfo("example.org", 80))
attempt("read_secret", lambda: open(SECRET).read())
attempt("read_db", lambda: open(DB).read(1))
attempt("read_keys", lambda: os.listdir(KEYS))
attempt("write_data", lambda: open("/data/test-controlled/evil.txt", "w").write("x"))
attempt("write_code", lambda: open("/code/evil.txt", "w").write("x"))
attempt("write_root", lambda: open("/evil.txt", "w").write("x"))
attempt("read_other_dataset", lambda: os.listdir("/data/test-registered"))
result["granted_read"] = open("/data/test-controlled/tables/patient.parquet", "rb").read().decode()
result["data_listing"] = sorted(os.listdir("/data"))
open("/out/result.json", "w").write(json.dumps(result))
"""


@pytest.fixture
def listener() -> Any:
    """A real TCP server on the host that a sandboxed job must not reach."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    hits: list[int] = []

    def accept() -> None:
        try:
            while True:
                conn, _ = srv.accept()
                hits.append(1)
                conn.close()
        except OSError:
            return

    threading.Thread(target=accept, daemon=True).start()
    yield srv.getsockname()[1], hits
    srv.close()


def test_job_cannot_escape(w: Any, tmp_path: Path, listener: Any, medkosh_home: Path, make_project: Any,
                           submit_and_run: Any) -> None:
    import shutil

    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap not installed (make test installs it)")
    port, hits = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    script = (ESCAPES.replace("PORT", str(port)).replace("SECRET", repr(str(secret)))
              .replace("DB", repr(str(medkosh_home / "medkosh.db"))).replace("KEYS", repr(str(medkosh_home / "keys"))))
    spec_path = make_project(tmp_path / "proj", script, datasets=["test-controlled@1"])
    done = submit_and_run(spec_path)
    assert done.state == JobState.SUCCEEDED, service.read_log(done.id)[0]
    assert done.sandboxed is True
    out = json.loads((service.job_dir(done.id) / "out" / "result.json").read_text())
    assert out["granted_read"] == "controlled data"
    assert out["data_listing"] == ["test-controlled"]
    for name in ("socket_connect", "socket_dns", "read_secret", "read_db", "read_keys", "write_data", "write_code",
                 "write_root", "read_other_dataset"):
        assert out[name].startswith("refused"), (name, out[name])
    assert hits == []
    assert not (medkosh_home / "evil.txt").exists()


def test_job_for_ungranted_dataset_is_refused_before_it_starts(w: Any, tmp_path: Path, make_project: Any,
                                                                principal: Any) -> None:
    P = principal
    spec, project = load_spec(make_project(tmp_path / "p", "print('hi')", datasets=["test-controlled@1"]))
    with session_scope() as s, pytest.raises(PermissionDenied, match="no active grant"):
        service.submit(s, P(w.users["outsider"]), spec, project)
    with session_scope() as s:
        assert service.list_jobs(s) == []
        from sqlalchemy import text

        refused = s.execute(text("SELECT count(*) FROM audit_event WHERE event_type='compute.job.refused'")).scalar()
        assert refused == 1


def test_wall_time_limit_kills_the_job(w: Any, tmp_path: Path, make_project: Any, submit_and_run: Any) -> None:
    spec_path = make_project(tmp_path / "p", "import time\nprint('start', flush=True)\ntime.sleep(30)\n",
                              datasets=["test-controlled@1"])
    spec_path.write_text(spec_path.read_text().replace("wall_time: 60s", "wall_time: 2s"))
    done = submit_and_run(spec_path)
    assert done.state == JobState.TIMED_OUT
    log, _ = service.read_log(done.id)
    assert "start" in log and "timed out" in log


def test_memory_limit_applies(w: Any, tmp_path: Path, make_project: Any, submit_and_run: Any) -> None:
    script = "x = bytearray(3 * 1024 * 1024 * 1024)\nprint('allocated')\n"
    done = submit_and_run(make_project(tmp_path / "p", script, datasets=["test-controlled@1"]))
    assert done.state == JobState.FAILED
    assert "MemoryError" in service.read_log(done.id)[0]


def test_controlled_data_refuses_to_run_without_a_sandbox(w: Any, tmp_path: Path, monkeypatch: Any,
                                                           make_project: Any, submit_and_run: Any) -> None:
    monkeypatch.setattr(service, "sandbox_available", lambda: False)
    done = submit_and_run(make_project(tmp_path / "p", "open('/out/x.txt','w').write('1')",
                                            datasets=["test-controlled@1"]))
    assert done.state == JobState.FAILED and "never runs unsandboxed" in (done.error or "")
    assert not (service.job_dir(done.id) / "out" / "x.txt").exists()


def test_sealed_benchmarks_are_never_mounted(w: Any, tmp_path: Path, make_project: Any, principal: Any) -> None:
    """A version sealed as a benchmark is refused for jobs even to a researcher holding a grant."""
    from medkosh.models.service import seal_benchmark

    spec, project = load_spec(make_project(tmp_path / "p", "print('hi')", datasets=["test-controlled@1"]))
    with session_scope() as s:
        queued = service.submit(s, principal(w.users["researcher"]), spec, project).id
    with session_scope() as s:
        seal_benchmark(s, principal(w.users["steward"]), w.versions["controlled"].ref)
    with session_scope() as s, pytest.raises(PermissionDenied, match="sealed benchmark"):
        service.submit(s, principal(w.users["researcher"]), spec, project)
    assert service.claim_next("t") == queued  # queued before the seal: refused when it starts
    done = service.run_job(queued, worker="t")
    assert done.state == JobState.FAILED and "sealed benchmark" in (done.error or "")
