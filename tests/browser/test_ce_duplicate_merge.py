"""End to end in headless Chromium: a CE-team user signs in with their one-time password, changes it, opens
the Duplicate queue and merges a cluster with a reason. The decision is in the state store, and the page says
it is applied by the next materialize until a snapshot that carries it is published.

Snapshot: tests/ce/duplicates/snapshot.py (clusters CE3 third account, CE1 Robert/Bob Smith, CE6 twins).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reports import user_admin
from reports.principal import Principal, Role
from reports.state import DecisionAction, list_decisions
from tests.browser.support import settled, sign_in_and_change_password
from tests.ce.duplicates.snapshot import materialized, publish

ADMIN = Principal("root", Role.ADMIN)
NEW_PASSWORD = "ce team passphrase 2026"
REASON = "same license, birth date and phone"
MERGED_CE1 = "CE1 · personal + organisation · 2 accounts · merged"
PENDING = "Merge recorded: applied by the next materialize."

pytestmark = pytest.mark.browser


def pick(page, label: str, option: re.Pattern) -> None:
    """Choose ``option`` in the Streamlit selectbox labelled ``label`` (a combobox with a list of options)."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option).click()


def alert(page, text: str):
    """The message box (st.info, st.success, ...) saying ``text`` (the queue table may hold the same
    words)."""
    return page.get_by_test_id("stAlert").filter(has_text=text)


def show(page, view: str) -> None:
    """Choose a view of the queue (the "Show" radio buttons)."""
    page.locator(".st-key-dup_view").get_by_text(view, exact=True).click()
    expect(page.locator(".st-key-dup_view").get_by_role("radio", name=view, exact=True)).to_be_checked()
    settled(page)


def test_ce_team_merges_a_cluster_which_stays_pending_until_the_next_materialize(
    serve_dashboard, browser_page
):
    url, settings = serve_dashboard(lambda s: publish(s.root))
    one_time = user_admin.create_user(settings, ADMIN, "cora", Role.CE_TEAM)

    page = browser_page
    sign_in_and_change_password(page, url, "cora", one_time, NEW_PASSWORD)

    # The CE team lands on the Duplicate queue; the third account CE3 comes first, so open CE1.
    expect(page.get_by_role("heading", name="Duplicate queue")).to_be_visible()
    settled(page)
    pick(page, "Cluster", re.compile(r"^CE1 · personal \+ organisation · 2 accounts · undecided"))
    # CE1 (the organisation SSO account) is the recommended survivor, preselected.
    # (by key: CE3's form is still on the page, stale, while CE1's is drawn)
    expect(page.locator(".st-key-dup_survivor_CE1").get_by_role("combobox")).to_have_value("CE1")
    settled(page)
    page.locator(".st-key-dup_reason_CE1").get_by_role("textbox").fill(REASON)
    page.get_by_role("button", name="Merge the others into the survivor").click()

    expect(
        alert(page, "Merge into CE1 recorded (decision 1); applied by the next materialize.")
    ).to_be_visible()
    settled(page)
    [decision] = list_decisions(settings)
    assert (decision.id, decision.action, decision.decided_by, decision.reason) == (
        1,
        DecisionAction.MERGE,
        "cora",
        REASON,
    )
    assert (decision.cluster_id, decision.survivor_account_id, decision.merged_account_ids) == (
        "CE1",
        "CE1",
        ("CE2",),
    )

    # Decided clusters: CE1 is merged, and pending until a materialize publishes the decision.
    show(page, "Decided")
    expect(page.get_by_role("combobox", name="Cluster")).to_have_value(MERGED_CE1)
    expect(alert(page, "Merged into CE1 by cora on ")).to_be_visible()
    expect(alert(page, PENDING)).to_be_visible()

    # The next materialize runs (its result published by hand, as domain.ce.merges folds the decision).
    publish(settings.root, "snapshot-2.duckdb", **materialized(settings))
    show(page, "All")
    show(page, "Decided")
    expect(page.get_by_role("combobox", name="Cluster")).to_have_value(MERGED_CE1)
    expect(alert(page, "Merged into CE1 by cora on ")).to_be_visible()
    expect(alert(page, PENDING)).to_have_count(0)
