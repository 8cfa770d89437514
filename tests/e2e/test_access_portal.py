"""End to end in a real browser (Playwright driving Debian's Chromium): a researcher requests access to a
registered-tier dataset with an ethics document, two committee members approve, the researcher signs the
DUA and downloads a file. Screenshots go to test-artifacts/e2e/."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from medkosh.store.db import dispose_engines, session_scope

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                               "(apt-get install chromium; make test does it)")]

_spec = importlib.util.spec_from_file_location("access_world", Path(__file__).parents[1] / "access" / "world.py")
assert _spec and _spec.loader
world = sys.modules.get("access_world") or importlib.util.module_from_spec(_spec)
if "access_world" not in sys.modules:
    sys.modules["access_world"] = world
    _spec.loader.exec_module(world)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def portal(sqlite_url: str, medkosh_home: Path) -> Iterator[str]:
    """`medkosh serve` in a subprocess on a free port, over a world built in this MEDKOSH_HOME."""
    with session_scope() as s:
        world.build_world(s)
    dispose_engines()
    port = _free_port()
    log = (medkosh_home / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "medkosh.cli.main", "serve", "--port", str(port)],
                            env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("medkosh serve did not start: " + (medkosh_home / "serve.log").read_text()[-2000:])
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(browser: Any, base: str, email: str) -> Any:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(world.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/me")
    return page


def test_request_two_approvals_sign_and_download(portal: str, browser: Any, tmp_path: Path) -> None:
    base = portal
    researcher = _sign_in(browser, base, "researcher@test.in")
    researcher.goto(f"{base}/access/requests/new?dataset=test-registered")
    researcher.get_by_label("Project title").fill("Diabetes care pathways in three states")
    researcher.get_by_label("Lay summary").fill("We look at how quickly people with diabetes get follow-up care.")
    researcher.get_by_label("Purpose (consent purpose code)").select_option("DSRCH")
    researcher.get_by_label("Dataset and version").select_option("test-registered@1")
    researcher.get_by_label("Requested duration (days)").fill("180")
    researcher.get_by_label("Ethics committee").fill("AIIMS Institutional Ethics Committee")
    researcher.get_by_label("Approval number").fill("IEC-2026-117")
    researcher.get_by_label("Approval document (PDF)").set_input_files(
        files=[{"name": "iec-approval.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% approval\n"}])
    _shot(researcher, "01-request-form")
    researcher.get_by_role("button", name="Submit for review").click()
    researcher.wait_for_url(f"{base}/access/requests/req_*")
    request_url = researcher.url
    assert researcher.locator("#request-state").inner_text() == "submitted"
    _shot(researcher, "02-request-submitted")

    for n, email in enumerate(("c1@test.in", "c2@test.in"), start=1):
        reviewer = _sign_in(browser, base, email)
        reviewer.goto(f"{base}/review")
        reviewer.get_by_role("link", name="Diabetes care pathways in three states").click()
        reviewer.get_by_label("Approve").check()
        reviewer.get_by_label("Conditions (one per line)").fill("Acknowledge the data source in publications")
        _shot(reviewer, f"03-review-{n}")
        reviewer.get_by_role("button", name="Record review").click()
        reviewer.wait_for_url(f"{base}/review")
        assert "Nothing to review." in reviewer.content()
        reviewer.context.close()

    researcher.goto(request_url)
    assert researcher.locator("#request-state").inner_text() == "approved"
    _shot(researcher, "04-request-approved")

    researcher.goto(f"{base}/access/datasets/test-registered")
    researcher.get_by_label("I have read this agreement and accept it.").check()
    researcher.get_by_label("Type your full name to sign").fill("Ravi Researcher")
    researcher.get_by_role("button", name="Sign the agreement").click()
    researcher.wait_for_url(f"{base}/access/datasets/test-registered#files")
    assert researcher.locator("#signed").is_visible()
    _shot(researcher, "05-dua-signed")
    with researcher.expect_download() as info:
        researcher.get_by_role("link", name="tables/patient.parquet").click()
    target = tmp_path / "patient.parquet"
    info.value.save_as(target)
    assert target.read_bytes() == b"registered data"

    researcher.goto(f"{base}/me")
    assert "Ravi Researcher" in researcher.locator("#signatures ~ details").first.inner_text()
    _shot(researcher, "06-my-account")
    # the language switch: the same page in Hindi, then keyboard-only use of the skip link
    researcher.get_by_label("Language").select_option("hi")
    researcher.get_by_role("button", name="OK", exact=True).click()
    researcher.wait_for_load_state()
    assert researcher.locator("h1").inner_text() == "मेरा खाता"
    _shot(researcher, "07-hindi")
    researcher.keyboard.press("Tab")
    assert researcher.evaluate("document.activeElement.className") == "skip"


def test_audit_viewer_shows_the_chain_intact(portal: str, browser: Any) -> None:
    auditor = _sign_in(browser, portal, "auditor@test.in")
    auditor.goto(f"{portal}/audit")
    auditor.get_by_role("button", name="Verify the chain").click()
    auditor.wait_for_load_state()
    assert "Chain intact" in auditor.locator("#verify-result").inner_text()
    _shot(auditor, "08-audit-viewer")
