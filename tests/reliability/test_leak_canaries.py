"""Leak canaries end to end (issue #11 part 1).

Unit tests show the scanner finds a planted canary in every rendering and container it claims to read (so
the end-to-end test can fail), and does not cry wolf on clean data. The slow test runs the whole demo and
scans everything medkosh can release or show: dataset versions, cards, Croissant/DCAT, released job
outputs, validation reports, model cards, an audit export, logs, the demo's own stdout/stderr, and every
API route and portal page as every demo user. Zero hits is the bar."""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from medkosh.reliability import leaks

from .conftest import DemoRun

AADHAAR = "344527105836"
CANARIES = [
    leaks.Canary("NAME", "Ilavrisha Kanarivala", 1),
    leaks.Canary("AADHAAR", AADHAAR, 1),
    leaks.Canary("ABHA_NUMBER", "91-1663-1523-4494", 1),
    leaks.Canary("PHONE", "6913757430", 1),
    leaks.Canary("EMAIL", "ilavrisha.kanarivala76@outlook.com", 1),
    leaks.Canary("ABHA_ADDRESS", "ilavrishakana53676@abdm", 1),
    leaks.Canary("MRN", "2024/0100123", 1),
    leaks.Canary("PAN", "LQIPK2696W", 1),
    leaks.Canary("DATE", "1975-03-12", 1),
    leaks.Canary("PATIENT_ID", "65d67200-998f-4ddb-b1bd-8e1b7a217521", 1),
]
CLEAN_TEXT = ("Patient P0ea3d1f4c6bb7b430433, 54 y, male, West Bengal. HbA1c 8.1 % on 2024-05-02. "
              "Study 2.25.332121503727675527590712828816068452725; sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08. "
              "Counts 3445 2710 5837 and 9 1663 1523 4494 7; phone 06913757431.")


def scanner() -> leaks.LeakScanner:
    return leaks.LeakScanner(CANARIES)


def kinds(hits: list[leaks.Hit]) -> set[str]:
    return {h.kind for h in hits}


def test_each_canary_expands_into_its_common_renderings() -> None:
    r = leaks.renderings
    assert {"3445 2710 5836", "344527105836", "3445-2710-5836", "3445.2710.5836"} <= set(r("AADHAAR", AADHAAR))
    assert {"91-1663-1523-4494", "91166315234494", "91 1663 1523 4494"} <= set(r("ABHA_NUMBER", "91-1663-1523-4494"))
    phone = set(r("PHONE", "6913757430"))
    assert {"+91 69137 57430", "+916913757430", "+91-6913757430", "06913757430", "69137 57430",
            "0 6913757430"} <= phone
    name = set(r("NAME", "Ilavrisha Kanarivala"))
    assert {"ILAVRISHA KANARIVALA", "ilavrisha kanarivala", "Kanarivala Ilavrisha", "Kanarivala^Ilavrisha",
            "Kanarivala, Ilavrisha", "Kanarivala", "Ilavrisha"} <= name
    assert {"ilavrisha.kanarivala76", "ilavrisha.kanarivala76%40outlook.com"} <= set(
        r("EMAIL", "ilavrisha.kanarivala76@outlook.com"))
    assert "ilavrishakana53676" in r("ABHA_ADDRESS", "ilavrishakana53676@abdm")
    assert {"12/03/1975", "12-Mar-1975", "12th March 1975", "19750312", "1975-03-12"} <= set(r("DATE", "1975-03-12"))
    assert {"20240100123", "2024-0100123"} <= set(r("MRN", "2024/0100123"))


@pytest.mark.parametrize("text", [
    "Aadhaar: 3445 2710 5836", "uid 3445-2710-5836.", "UID:344527105836", "3445\n2710\n5836",
    "ABHA 91 1663 1523 4494", "abha=91166315234494", "Mob +91 69137 57430", "tel:+91-6913757430", "ph 0 69137-57430",
    "Name: ILAVRISHA KANARIVALA", "KANARIVALA^ILAVRISHA", "kanarivala, ilavrisha", "Smt. Kanarivala W/o Ramesh",
    "mail ILAVRISHA.KANARIVALA76@OUTLOOK.COM", "to=ilavrisha.kanarivala76%40outlook.com", "ilavrishakana53676@sbx",
    "MRN 2024-0100123", "PAN lqipk2696w", "DOB 12th March 1975", "born 12/03/1975",
    "ref 65d67200998f4ddbb1bd8e1b7a217521", "&lt;b&gt;Ilavrisha&#32;Kanarivala&lt;/b&gt;", "\\u0049lavrisha K.",
])
def test_a_planted_rendering_in_text_is_found(text: str) -> None:
    hits = scanner().scan_text("probe.txt", f"some context before. {text} and after")
    assert hits, f"missed {text!r}"


def test_clean_text_and_near_misses_are_not_hits() -> None:
    assert scanner().scan_text("clean.txt", CLEAN_TEXT) == []
    # a canary's digits inside a longer number are not that canary
    assert scanner().scan_text("n.txt", "serial 73445271058361 and 1691375743011") == []


def test_hits_never_carry_the_canary_value() -> None:
    hits = scanner().scan_text("probe.txt", "Aadhaar 3445 2710 5836, Ilavrisha Kanarivala, LQIPK2696W")
    assert {"AADHAAR", "NAME", "PAN"} <= kinds(hits)
    dumped = json.dumps([h.as_dict() for h in hits])
    for value in ("3445 2710 5836", "344527105836", "Ilavrisha", "Kanarivala", "LQIPK2696W"):
        assert value not in dumped


def _parquet(frame: dict[str, list[Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table(frame), buf, compression="zstd")
    return buf.getvalue()


def test_parquet_cells_are_decoded_including_numbers_and_compressed_pages() -> None:
    clean = _parquet({"person_id": ["Pabc", "Pdef"], "value_num": [1.5, 2.0], "phone": [9123456780, 8123456789]})
    assert scanner().scan_bytes("clean.parquet", clean) == []
    as_int = _parquet({"person_id": ["Pabc", "Pdef"], "phone": [9123456780, 6913757430]})
    assert kinds(scanner().scan_bytes("int.parquet", as_int)) == {"PHONE"}
    as_text = _parquet({"note": ["routine visit", "seen with Ilavrisha  KANARIVALA today"] * 500})
    hits = scanner().scan_bytes("text.parquet", as_text)
    assert "NAME" in kinds(hits) and any(h.layer == "text" and "column note" in h.where for h in hits)


def test_gzip_and_zip_members_are_unpacked() -> None:
    gz = gzip.compress(b"log line: patient aadhaar 3445-2710-5836 seen\n" * 10)
    assert kinds(scanner().scan_bytes("app.log.gz", gz)) == {"AADHAAR"}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("results/summary.csv", "group,count\nall,12\n")
        zf.writestr("results/by_person.csv", "name,count\nKanarivala Ilavrisha,1\n")
    hits = scanner().scan_bytes("outputs.zip", buf.getvalue())
    assert kinds(hits) == {"NAME"} and all("by_person.csv" in h.source for h in hits)


def _dicom(tmp_path: Path, private_value: str | None, name: str = "P0ea3d1f4c6bb7b430433") -> bytes:
    import pydicom
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    path = tmp_path / "probe.dcm"
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.PatientName = name
    ds.PatientID = "P0ea3d1f4c6bb7b430433"
    ds.Modality = "DX"
    if private_value is not None:
        block = ds.private_block(0x0011, "MEDKOSH PROBE", create=True)
        block.add_new(0x01, "LO", private_value)
        seq_item = pydicom.Dataset()
        seq_item.add_new(0x00081030, "LO", "chest")
        ds.add_new(0x00081110, "SQ", pydicom.Sequence([seq_item]))
    ds.save_as(path, enforce_file_format=True)
    return path.read_bytes()


def test_dicom_headers_are_walked_including_private_tags(tmp_path: Path) -> None:
    assert scanner().scan_bytes("clean.dcm", _dicom(tmp_path, None)) == []
    hits = scanner().scan_bytes("private.dcm", _dicom(tmp_path, "ref 6913757430"))
    assert kinds(hits) == {"PHONE"} and any("(0011,1001)" in h.where for h in hits)
    assert kinds(scanner().scan_bytes("pn.dcm", _dicom(tmp_path, None, name="KANARIVALA^ILAVRISHA"))) == {"NAME"}


def test_load_canaries_reads_synth_output_and_adds_the_source_patient_id(tmp_path: Path) -> None:
    path = tmp_path / "canaries.json"
    path.write_text(json.dumps([
        {"value": "Oriyash Kanarikar", "kind": "NAME", "patient_id": "p-1", "forms": []},
        {"value": AADHAAR, "kind": "AADHAAR", "patient_id": "p-1", "forms": []},
        {"value": "Vemulika Sonkanary", "kind": "NAME", "patient_id": "p-2", "forms": []},
    ]))
    got = leaks.load_canaries(path)
    assert [(c.kind, c.identity) for c in got] == [("PATIENT_ID", 1), ("NAME", 1), ("AADHAAR", 1),
                                                   ("PATIENT_ID", 2), ("NAME", 2)]
    (tmp_path / "bad.json").write_text("{not json")
    from medkosh.errors import InputError

    with pytest.raises(InputError, match="cannot read the canary list"):
        leaks.load_canaries(tmp_path / "bad.json")


def test_scope_excludes_only_the_raw_zone_sealed_inputs_and_pre_check_job_outputs() -> None:
    out = leaks.out_of_scope
    for rel in ("raw/hosp01/patient/a.parquet", "demo-data/synth/canaries.json", "keys/pseudonym-x",
                "objects/ab/cdef", "medkosh.db", "medkosh.db-wal", "work/jobs/job_1/out/metrics.json"):
        assert out(rel), rel
    for rel in ("work/jobs/job_1/job.log", "demo-data/notes-deid/notes.jsonl", "reports/validation-x.html",
                "demo-data/anonymised/ehr-cohort.parquet", "logs/medkosh.log", "rawdata.txt"):
        assert not out(rel), rel


def test_crawl_follows_links_scans_bodies_and_caps_facet_combinations() -> None:
    pages = {
        "/": (200, {"content-type": "text/html"}, b'<a href="/a">a</a> <a href="/search?q=&amp;facet=x1">f</a>'),
        "/a": (200, {"content-type": "application/json"}, b'{"next": "/api/b", "n": 1}'),
        "/api/b": (200, {"content-type": "text/plain"}, b"contact +91 69137 57430"),
    }

    def get(path: str) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/search"):
            n = path.count("facet=")
            links = "".join(f'<a href="{path}&amp;facet=y{n}{i}">x</a>' for i in range(3))
            return 200, {"content-type": "text/html"}, links.encode()
        return pages.get(path, (404, {"content-type": "application/json"}, b'{"error": "no"}'))

    sc = scanner()
    stats = leaks.crawl(get, ["/"], sc, "tester", limit=500)
    assert {"/", "/a", "/api/b"} <= set(stats.paths)
    assert {h.source for h in sc.hits} == {"GET /api/b as tester"}
    assert stats.requests < 100  # facet combinations stop after a few of each shape


def test_route_templates_and_filling_from_records() -> None:
    class R:
        def __init__(self, path: str, methods: set[str]) -> None:
            self.path, self.methods = path, methods

    class Included:
        def __init__(self, routes: list[Any]) -> None:
            self.original_router = type("X", (), {"routes": routes})()
            self.include_context = type("C", (), {"prefix": "/api"})()

    routes = [R("/datasets/{dataset_id}", {"GET"}), R("/logout", {"POST"}),
              Included([R("/datasets/{dataset_id}/versions/{version}", {"GET"}), R("/docs", {"GET"})])]
    templates = leaks.route_templates(routes)
    assert templates == ["/api/datasets/{dataset_id}/versions/{version}", "/api/docs", "/datasets/{dataset_id}"]
    filled = leaks.fill_routes(templates, [{"dataset_id": "d 1", "version": "2"}, {"request_id": "r"}])
    assert filled == ["/api/datasets/d%201/versions/2", "/api/docs", "/datasets/d%201"]


# ---- end to end ---------------------------------------------------------------------------------------

_USER_LINE = re.compile(r"^\s+(\S+)\s+(\S+@\S+)\s+(demo-\S+)\s")


def _demo_users(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m[2], m[3]) for step in report["steps"] for line in step["lines"] if (m := _USER_LINE.match(line))]


def _login(client: Any, email: str, password: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    r = client.post("/login", data={"email": email, "password": password, "next": "/me", "csrf_token": token[1]})
    assert r.status_code == 303, f"{email} could not sign in: {r.status_code}"


@pytest.mark.slow
@pytest.mark.timeout(2400)  # the first user of the shared demo run waits for it (minutes on a loaded CI box)
def test_no_canary_reaches_anything_medkosh_releases_or_shows(demo_run: DemoRun, demo_home: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from fastapi.testclient import TestClient

    from medkosh.api.app import create_app
    from medkosh.store.db import session_scope

    caplog.set_level(logging.DEBUG)
    medkosh_home = demo_home
    report = demo_run.report
    canaries = leaks.load_canaries(medkosh_home / "demo-data" / "synth" / "canaries.json")
    sc = leaks.LeakScanner(canaries)

    # The canaries were live: they are in the hospital inputs and the raw zone (so a scanner that works on
    # this data finds them there), and their notes went through the note de-identifier whose output is scanned.
    probe = leaks.LeakScanner(canaries)
    for path in leaks.iter_paths([medkosh_home / "raw", medkosh_home / "demo-data" / "synth" / "notes"]):
        probe.scan_file(path)
    assert {"NAME", "PHONE", "AADHAAR"} <= kinds(probe.hits), "the canaries never reached the raw zone"
    assert (medkosh_home / "demo-data" / "notes-deid" / "notes.jsonl").is_file()
    with session_scope() as s:
        in_versions = leaks.canaries_in_releases(s, medkosh_home / "demo-data" / "synth" / "canaries.json")
    assert in_versions, "no canary identity is a member of any dataset version: the releases test nothing"

    sc.scan_bytes("demo stdout", demo_run.stdout, "demo output")
    sc.scan_bytes("demo stderr", demo_run.stderr, "demo output")
    with session_scope() as s:
        leaks.scan_home(sc, medkosh_home, s)
        start = leaks.path_records(s)
    app = create_app()
    start_paths = leaks.fill_routes(leaks.route_templates(app.routes), start)
    users = _demo_users(report)
    assert len(users) >= 5, "the demo printed no sign-in lines"
    crawled: dict[str, int] = {}
    for email, password in [(None, None), *users]:
        client = TestClient(app, follow_redirects=False)
        if email and password:
            _login(client, email, password)

        def get(path: str, c: Any = client) -> tuple[int, dict[str, str], bytes]:
            r = c.get(path)
            return r.status_code, dict(r.headers), r.content

        stats = leaks.crawl(get, start_paths, sc, email or "anonymous")
        assert stats.left == 0, f"crawl as {email} stopped at its limit with {stats.left} links left"
        assert 500 not in stats.by_status, f"a page failed while crawling as {email}"
        crawled[email or "anonymous"] = stats.requests

    sc.scan_text("log records while crawling", caplog.text, "log")  # what the app logged while serving
    summary = leaks.summary(sc)
    for category in ("dataset file", "data card", "croissant", "dcat", "manifest", "released output",
                     "validation report", "model card", "audit export", "log", "home file", "http response",
                     "demo output"):
        assert summary["scanned"].get(category), f"nothing scanned as {category}: {summary['scanned']}"
    assert summary["hits"] == 0, json.dumps(summary["findings"][:20], indent=1)


def test_home_scan_reads_logs_and_outputs_but_not_the_raw_zone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    files = {
        "raw/hosp01/patient/part-0.txt": "Ilavrisha Kanarivala, 3445 2710 5836",   # out of scope: holds identities
        "demo-data/synth/canaries.json": "[\"344527105836\"]",                      # out of scope: sealed input
        "work/jobs/job_1/out/result.csv": "name\nKanarivala Ilavrisha\n",          # out of scope: before checking
        "work/jobs/job_1/job.log": "step 2: loaded 40 rows\nphone +91-6913757430 seen\n",  # in scope: a log
        "demo-data/notes-deid/notes.jsonl": "{\"text\": \"[NAME] seen\"}\n",       # in scope, clean
    }
    for rel, text in files.items():
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text(text)
    in_scope = leaks.home_files(home)
    assert [p.relative_to(home).as_posix() for p in in_scope] == ["demo-data/notes-deid/notes.jsonl",
                                                                  "work/jobs/job_1/job.log"]
    assert leaks.log_files(home) == [home / "work/jobs/job_1/job.log"]
    sc = scanner()
    for path in in_scope:
        sc.scan_file(path)
    assert {(Path(h.source).name, h.kind) for h in sc.hits} == {("job.log", "PHONE")}


def test_leak_scan_command_exits_1_on_a_hit_and_0_when_clean(tmp_path: Path) -> None:
    """Through `python -m medkosh.cli.main` (a command's exit code must survive that path too)."""
    import subprocess
    import sys

    canaries = tmp_path / "canaries.json"
    canaries.write_text('["Ilavrisha Kanarivala", "3445 2710 5836"]')
    (tmp_path / "clean.txt").write_text("nothing to see\n")
    (tmp_path / "leaky.txt").write_text("x KANARIVALA^ILAVRISHA y\n")

    def run(*paths: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "medkosh.cli.main", "reliability", "leak-scan", "--no-released",
                               "--canaries", str(canaries), "--json", *map(str, paths)],
                              capture_output=True, text=True, timeout=120, check=False)

    clean = run(tmp_path / "clean.txt")
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout)["hits"] == 0
    leaky = run(tmp_path / "clean.txt", tmp_path / "leaky.txt")
    assert leaky.returncode == 1, leaky.stderr
    report = json.loads(leaky.stdout)
    assert report["hits"] >= 1 and "kanarivala" not in leaky.stdout.lower()  # findings are masked
    missing = run(tmp_path / "nowhere.txt")
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1 and "nowhere.txt" in missing.stderr
