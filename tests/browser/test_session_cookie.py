"""End to end in headless Chromium: the session survives a reload and opens in a new tab through the session
cookie; after signing out, Back shows nothing of the page; a deep link opens its page after the sign-in.

The dashboard is served as ``portalytics dashboard`` serves it (dashboard/asgi.py: the app plus the cookie
routes), over the hand-built snapshot of tests/dashboard/published_marts.py.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from reports import audit, user_admin
from reports.principal import Principal, Role
from tests.browser.support import UI_TIMEOUT_MS, eventually, settled
from tests.dashboard.published_marts import STAFF_ID

ADMIN = Principal("root", Role.ADMIN)
PASSWORD = "a long chosen passphrase 42"

pytestmark = pytest.mark.browser


def make_user(settings, username: str, role: Role, scope=()) -> None:
    user_admin.create_user(
        settings, ADMIN, username, role, scope, password=PASSWORD, must_change_password=False
    )


def sign_in(page: Page, username: str) -> None:
    expect(page.get_by_role("heading", name="Sign in to portalytics")).to_be_visible()
    settled(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def browser_window(browser_page: Page) -> Page:
    """A page of a fresh browser profile whose context can open more tabs (the fixture's page cannot)."""
    page = browser_page.context.browser.new_context().new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    return page


def session_cookies(page: Page) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"] == "portalytics_session"]


def sign_ins(settings, username: str) -> list[str]:
    return [r.action for r in audit.read(settings, ADMIN, actor=username, actions=["sign_in", "sign_out"])]


def test_reload_and_a_new_tab_keep_the_session_and_after_sign_out_back_shows_nothing(dashboard, browser_page):
    url, settings = dashboard
    make_user(settings, "sam", Role.STAFF, (STAFF_ID,))
    page = browser_window(browser_page)
    page.goto(url)
    sign_in(page, "sam")
    expect(page.get_by_role("heading", name="My transcript")).to_be_visible()
    settled(page)
    page.get_by_role("link", name="My certificates").click()
    expect(page.get_by_role("heading", name="My certificates")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/staff_certificates$"))

    # The page had the browser store the cookie: HttpOnly, SameSite=Strict, not Secure over plain HTTP, and
    # gone when the browser closes (expires -1).
    [cookie] = eventually(lambda: session_cookies(page), bool)
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"], cookie["path"], cookie["expires"]) == (
        True,
        "Strict",
        False,
        "/",
        -1,
    )
    assert page.evaluate("document.cookie").find("portalytics_session") == -1  # scripts cannot read it

    # F5: the same page, still signed in
    page.reload()
    expect(page.get_by_role("heading", name="My certificates")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in to portalytics")).to_have_count(0)

    # a new tab of the same browser, opened on another page's address: signed in there too
    tab = page.context.new_page()
    tab.goto(f"{url}/staff_compliance")
    expect(tab.get_by_role("heading", name="My compliance")).to_be_visible()
    assert sign_ins(settings, "sam") == ["sign_in"]  # one sign-in for all of it

    # sign out in the first tab
    settled(page)
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    settled(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to portalytics")).to_be_visible()
    expect(page.get_by_text("You signed out.")).to_be_visible()
    assert eventually(lambda: session_cookies(page), lambda cookies: not cookies) == []

    # Back returns to My certificates' address, which shows the sign-in form and nothing of the page
    page.go_back()
    expect(page).to_have_url(re.compile(r"/staff_certificates$"))
    expect(page.get_by_role("heading", name="Sign in to portalytics")).to_be_visible()
    settled(page)
    expect(page.get_by_role("heading", name="My certificates")).to_have_count(0)
    expect(page.get_by_text("Download certificate")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="Sign in to portalytics")).to_be_visible()

    # the other tab is signed out as well (the server ended the session; the cookie is gone)
    tab.reload()
    expect(tab.get_by_role("heading", name="Sign in to portalytics")).to_be_visible()
    expect(tab.get_by_role("heading", name="My compliance")).to_have_count(0)
    assert sign_ins(settings, "sam") == ["sign_out", "sign_in"]


def test_a_deep_link_opens_its_page_after_the_sign_in_when_the_role_may_see_it(dashboard, browser_page):
    url, settings = dashboard
    make_user(settings, "cora", Role.CE_TEAM)
    make_user(settings, "sam", Role.STAFF, (STAFF_ID,))
    page = browser_page
    page.goto(f"{url}/ce_team_attendance")
    sign_in(page, "cora")  # the address shows the sign-in form ...
    expect(page.get_by_text("Page not found")).to_have_count(0)  # ... and no "Page not found"
    expect(page.get_by_role("heading", name="Attendance claims")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/ce_team_attendance$"))

    # the same link for someone whose role has no such page: their own first page
    other = browser_window(browser_page)
    other.goto(f"{url}/ce_team_attendance")
    sign_in(other, "sam")
    expect(other.get_by_role("heading", name="My transcript")).to_be_visible()
    expect(other.get_by_role("heading", name="Attendance claims")).to_have_count(0)
    expect(other.get_by_text("Page not found")).to_have_count(0)
