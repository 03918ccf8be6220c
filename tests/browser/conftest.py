"""Fixtures of the browser tests: a dashboard served over a hand-built snapshot, and a headless Chromium
page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from domain.settings import Settings
from reports.state import dispose_engines
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, UI_TIMEOUT_MS, served
from tests.dashboard.published_marts import publish_snapshot

Publisher = Callable[[Settings], object]


@pytest.fixture
def serve_dashboard(tmp_path) -> Iterator[Callable[[Publisher], tuple[str, Settings]]]:
    """``serve_dashboard(publish)``: publish a snapshot into tmp_path with ``publish(settings)``, serve the
    dashboard over it and return ``(url, settings)``; the server is stopped afterwards."""
    with ExitStack() as servers:

        def serve(publish: Publisher) -> tuple[str, Settings]:
            settings = Settings(data_dir=tmp_path)
            publish(settings)
            return servers.enter_context(served(settings)), settings

        try:
            yield serve
        finally:
            servers.close()
            dispose_engines()


@pytest.fixture
def dashboard(serve_dashboard) -> tuple[str, Settings]:
    """(url, settings) of a dashboard over the staff / education-manager snapshot (published_marts)."""
    return serve_dashboard(publish_snapshot)


@pytest.fixture
def browser_page() -> Iterator[Page]:
    """A page of a headless Debian Chromium that accepts downloads, with generous timeouts."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(accept_downloads=True)
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)
            yield page
        finally:
            browser.close()
