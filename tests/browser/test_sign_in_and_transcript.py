"""End to end in headless Chromium: a new staff user signs in with their one-time password, changes it, opens
My transcript and downloads it as a PDF that carries their name and the totals shown on screen.

The dashboard is served exactly as ``portalytics dashboard`` serves it (``pipelines.serve.streamlit_command``)
on a free port, over a snapshot built by hand (tests/dashboard/published_marts.py).
"""

from __future__ import annotations

import io
import socket
import subprocess
import time
import urllib.request

import pypdf
import pytest
from playwright.sync_api import expect, sync_playwright

from domain.settings import Settings
from pipelines.serve import streamlit_command
from reports import audit, user_admin
from reports.principal import Principal, Role
from reports.state import dispose_engines
from tests.dashboard.published_marts import STAFF_ID, STAFF_NAME, publish_snapshot

ADMIN = Principal("root", Role.ADMIN)
NEW_PASSWORD = "a long new passphrase 42"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# The machine is slow and shared: generous timeouts everywhere.
SERVER_START_S = 120
UI_TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        # an http:// URL built above, not user input
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as answer:  # noqa: S310
            return answer.status == 200
    except OSError:  # not listening yet
        return False


def wait_until_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the dashboard exited early with code {server.returncode}")
        if healthy(url):
            return
        time.sleep(0.5)
    raise TimeoutError(f"the dashboard did not answer {url}/_stcore/health within {SERVER_START_S} s")


@pytest.fixture
def dashboard(tmp_path):
    """(url, settings) of a dashboard served over a published snapshot in tmp_path; stopped afterwards."""
    settings = Settings(data_dir=tmp_path)
    publish_snapshot(settings)
    port = free_port()
    argv, env = streamlit_command(settings, port)
    argv.append("--server.address=127.0.0.1")
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url, settings
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        dispose_engines()


def test_staff_signs_in_changes_the_one_time_password_and_downloads_the_transcript_pdf(dashboard):
    url, settings = dashboard
    one_time = user_admin.create_user(settings, ADMIN, "zoe", Role.STAFF, STAFF_ID)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(accept_downloads=True)
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)
            page.goto(url)

            page.get_by_label("Username").fill("zoe")
            page.get_by_label("Password", exact=True).fill(one_time)
            page.get_by_role("button", name="Sign in").click()

            expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
            page.get_by_label("One-time password").fill(one_time)
            page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
            page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
            page.get_by_role("button", name="Change password").click()

            # The first page of a staff user is My transcript.
            expect(page.get_by_role("heading", name="My transcript")).to_be_visible()
            expect(page.get_by_text(f"{STAFF_NAME} · Complete History · 5 items")).to_be_visible()
            with page.expect_download() as download:
                page.get_by_role("button", name="Download PDF").click()
            assert download.value.suggested_filename == "transcript_P0001_complete-history.pdf"
            saved = settings.root / download.value.suggested_filename
            download.value.save_as(saved)  # the browser's own copy goes when it closes
        finally:
            browser.close()

    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert f"Name: {STAFF_NAME}" in text
    # hours 1.00 + 1.50 + 4.00 + 2.50 = 9.00; ANCC 1.50 + 4.00 = 5.50 (see published_marts.TRANSCRIPT)
    for line in ("Hours 9.00", "Credits: AMA_PRA_1 1.50", "Credits: ANCC 5.50"):
        assert line in text

    log = [(r.action, r.target) for r in reversed(audit.read(settings, ADMIN))]
    assert "password_change" in [action for action, _ in log]
    assert log[-2:] == [("view", "transcript person P0001"), ("export", "transcript person P0001 pdf")]
