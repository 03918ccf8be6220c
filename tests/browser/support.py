"""Shared steps of the browser tests: serve the dashboard on a free port and sign a new user in through the
UI."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from domain.settings import Settings
from pipelines.serve import streamlit_command

CHROMIUM = "/usr/bin/chromium"  # Debian's; the tests never download a browser
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

T = TypeVar("T")


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


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    """The dashboard served exactly as ``portalytics dashboard`` serves it, on a free port; its URL."""
    port = free_port()
    argv, env = streamlit_command(settings, port)
    argv.append("--server.address=127.0.0.1")
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def sign_in_and_change_password(
    page: Page, url: str, username: str, one_time: str, new_password: str
) -> None:
    """Open the dashboard, sign in with the one-time password and replace it: the user lands on their first
    page."""
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(one_time)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("One-time password").fill(one_time)
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Repeat the new password").fill(new_password)
    page.get_by_role("button", name="Change password").click()


def eventually(
    read: Callable[[], T], until: Callable[[T], bool], timeout_s: float = UI_TIMEOUT_MS / 1000
) -> T:
    """``read()`` again until ``until`` holds of its value (or the timeout passes): the browser gets a
    download before the server has run the button's callback, so what the callback writes lands a moment
    later."""
    deadline = time.monotonic() + timeout_s
    value = read()
    while not until(value) and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value


def settled(page: Page) -> None:
    """Wait until the script run that the last action started has finished: while it runs, Streamlit marks the
    previous run's elements stale. Call it after waiting for something the new run shows, before the next
    action, so the action never lands on a page that is still being replaced."""
    expect(page.locator("[data-stale='true']")).to_have_count(0)


def choose(page: Page, combobox, option: str, attempts: int = 3) -> None:
    """Pick ``option`` in a Streamlit selectbox: open its list and click the option. A rerun that lands
    between the two (the page's own, on a slow machine) closes the list again, so open it again then."""
    for attempt in range(attempts):
        settled(page)
        combobox.click()
        try:
            page.get_by_role("option", name=option).click(timeout=UI_TIMEOUT_MS // attempts)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
