"""The explorer in a real browser: `streamlit run app.py` on the examples store, driven by Debian's
Chromium through Playwright. Skipped when Chromium or Playwright is missing — failed instead when
env CI is set, so CI cannot pass without running it.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import docx
import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
EARLIEST_TITLE = "浙江省卫生和计划生育委员会关于做好2018年家庭医生签约服务工作的通知（示例）"
WAIT_MS = 60_000


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser test may not be skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def sync_api():
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright import sync_api
    except ImportError:
        require(False, "playwright is missing: pip install -e '.[test]'")
    return sync_api


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit not healthy after {timeout}s:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def server(sync_api, examples_db, tmp_path_factory, request):
    """`streamlit run app.py -- --db <examples store>` on a free port; stopped at the end."""
    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--", "--db", str(examples_db)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    request.addfinalizer(stop)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, process, log)
    return url


@pytest.fixture(scope="module")
def browser(sync_api, server):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser context (so a fresh Streamlit session) on the app's first page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(server)
        page.get_by_text("Corpus overview").wait_for()
        yield page
    finally:
        context.close()


def open_view(page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(name, exact=True).click()


def wait_until_idle(page, sync_api) -> None:
    """Until the script run is over (the running indicator is gone)."""
    sync_api.expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=WAIT_MS)


def test_timeline_shows_the_first_document(page, sync_api, tmp_path):
    open_view(page, "Timeline")
    first = page.get_by_test_id("stAlertContentSuccess")
    sync_api.expect(first).to_contain_text(EARLIEST_TITLE, timeout=WAIT_MS)
    sync_api.expect(first).to_contain_text("2018-03-28")
    wait_until_idle(page, sync_api)
    sync_api.expect(page.get_by_test_id("stVegaLiteChart")).to_be_visible()
    page.screenshot(path=str(tmp_path / "timeline.png"), full_page=True)
    assert (tmp_path / "timeline.png").stat().st_size > 10_000


def test_verify_an_uploaded_docx_and_download_the_report(page, sync_api, tmp_path):
    manuscript = tmp_path / "paper.docx"
    document = docx.Document()
    document.add_paragraph("国家卫生健康委办公厅2022年印发《国家卫生健康委办公厅关于开展医防融合试点城市建设工作的通知（示例）》，"
                           "要求开展医防融合试点城市建设。")
    document.save(manuscript)
    open_view(page, "Verify manuscript")
    page.locator("input[type=file]").set_input_files(str(manuscript))
    sync_api.expect(page.get_by_text("1 citation(s), 1 with problems")).to_be_visible(timeout=WAIT_MS)
    wait_until_idle(page, sync_api)
    page.screenshot(path=str(tmp_path / "verify.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download JSON").click()
    report = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert report["manuscript"] == "paper.docx"
    checks = {c["kind"]: c["status"] for c in report["citations"][0]["checks"]}
    assert checks["exists"] == "ok" and checks["year"] == "mismatch"
    with page.expect_download() as download:
        page.get_by_role("button", name="Download Word (annotated)").click()
    annotated = docx.Document(download.value.path())
    assert len(list(annotated.comments)) == 1  # one Word comment per citation


def test_an_unreadable_upload_is_reported(page, sync_api, tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"this is not a zip archive")
    open_view(page, "Verify manuscript")
    page.locator("input[type=file]").set_input_files(str(broken))
    sync_api.expect(page.get_by_test_id("stAlertContentError")).to_contain_text("broken.docx: not a valid .docx",
                                                                               timeout=WAIT_MS)


def test_verify_pasted_text(page, sync_api):
    # the second verification in this server process: the verifier's cached corpus must still work
    open_view(page, "Verify manuscript")
    page.get_by_label("…or paste text").fill("《三明市推进医防协同促进医防融合的若干措施（示例）》（示明卫发〔2019〕25号）提出推进医防融合。")
    page.get_by_role("button", name="Verify pasted text").click()
    sync_api.expect(page.get_by_text("1 citation(s), 0 with problems")).to_be_visible(timeout=WAIT_MS)
    sync_api.expect(page.get_by_role("button", name="Download HTML")).to_be_visible()
