"""The TRE through its CLI and its API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from medkosh.compute import service
from medkosh.store.db import session_scope

SCRIPT = "import csv\nw = csv.writer(open('/out/counts.csv', 'w'))\nw.writerow(['group', 'n'])\nw.writerow(['a', 23])\nprint('done')\n"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "medkosh.cli.main", *args], capture_output=True, text=True)


def test_cli_submit_wait_list_show_logs_credits(w: Any, tmp_path: Path, make_project: Any) -> None:
    spec = make_project(tmp_path / "p", SCRIPT, datasets=["test-controlled@1"])
    out = _cli("job", "submit", str(spec), "--as", "researcher@test.in", "--wait", "--json")
    assert out.returncode == 0, out.stderr
    job = json.loads(out.stdout)
    assert job["state"] == "succeeded"
    listed = json.loads(_cli("job", "list", "--json").stdout)
    assert [j["id"] for j in listed] == [job["id"]] and listed[0]["state"] == "succeeded"
    shown = json.loads(_cli("job", "show", job["id"], "--json").stdout)
    assert shown["outputs"][0]["path"] == "counts.csv" and shown["outputs"][0]["status"] == "pending_review"
    assert "done" in _cli("job", "logs", job["id"]).stdout
    assert "done" in _cli("job", "logs", job["id"], "-f").stdout
    credits = json.loads(_cli("credits", "show", "--json").stdout)
    assert credits[0]["cpu_hours_allocated"] == 100.0 and credits[0]["cpu_hours_committed"] > 0
    oid = shown["outputs"][0]["id"]
    assert _cli("outputs", "approve", oid, "--as", "researcher@test.in").returncode == 4  # authors can't check
    assert _cli("outputs", "approve", oid, "--as", "c1@test.in").returncode == 0
    assert _cli("outputs", "approve", oid, "--as", "c2@test.in").returncode == 0
    assert _cli("outputs", "release", oid, "--as", "researcher@test.in").returncode == 0
    dest = tmp_path / "counts.csv"
    assert _cli("outputs", "download", oid, str(dest), "--as", "researcher@test.in").returncode == 0
    assert dest.read_text() == "group,n\na,25\n"


def test_cli_errors_are_one_line(w: Any, tmp_path: Path, make_project: Any) -> None:
    spec = make_project(tmp_path / "p", SCRIPT, datasets=["test-controlled@1"])
    spec.write_text(spec.read_text() + "requirements: [tensorflow]\n")
    out = _cli("job", "submit", str(spec), "--as", "researcher@test.in")
    assert out.returncode == 2 and "allow-list" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    out = _cli("job", "submit", str(spec))
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert _cli("job", "show", "job_nope").returncode == 3
    assert _cli("job", "cancel", "job_nope").returncode == 3


def test_api_submit_and_follow(w: Any, tmp_path: Path) -> None:
    from medkosh.api.app import create_app
    from medkosh.identity import service as ids

    with session_scope() as s:
        _, token = ids.issue_token(s, w.users["researcher"].id, "api", days=1)
        _, checker = ids.issue_token(s, w.users["committee1"].id, "api", days=1)
    client = TestClient(create_app())
    h = {"Authorization": f"Bearer {token}"}
    spec = ("name: api-job\nentry: main.py\ndatasets: [test-controlled@1]\n"
            "resources: {cpus: 1, memory_mb: 1024, wall_time: 60s}\n")
    r = client.post("/api/jobs", headers=h, data={"spec": spec}, files=[("files", ("main.py", SCRIPT.encode()))])
    assert r.status_code == 201, r.text
    job_id = r.json()["id"]
    assert client.get("/api/jobs", headers=h).json()[0]["state"] == "queued"
    assert service.claim_next("t") == job_id
    service.run_job(job_id, worker="t")
    logs = client.get(f"/api/jobs/{job_id}/logs", headers=h).json()
    assert "done" in logs["text"] and logs["state"] == "succeeded"
    more = client.get(f"/api/jobs/{job_id}/logs", headers=h, params={"offset": logs["next_offset"]}).json()
    assert more["text"] == ""
    queue = client.get("/api/outputs/review", headers={"Authorization": f"Bearer {checker}"}).json()
    assert [o["path"] for o in queue] == ["counts.csv"]
    bad = client.post("/api/jobs", headers=h, data={"spec": spec},
                      files=[("files", ("../../etc/evil.py", b"x"))])
    assert bad.status_code == 400 and "unsafe file name" in bad.json()["error"]
    assert client.get("/api/jobs/job_unknown", headers=h).status_code == 404
    page = client.get(f"/tre/jobs/{job_id}", headers={**h, "accept": "text/html"})
    assert page.status_code == 200 and "counts.csv" in page.text
