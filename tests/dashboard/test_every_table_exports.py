"""Every table on every page has its one-click CSV and Excel download (issue 21).

Each role walks its pages in the running app on data that fill them; on each page, every table must be
followed, before the next table, by a download button saying "CSV" and one saying "Excel". The number of
tables each page shows is written out by hand from the page, so a table that stops being drawn (and so
escapes the check) fails the test too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from reports.principal import Role
from tests.ce.duplicates.snapshot import publish as publish_duplicates
from tests.dashboard.published_marts import MANAGER_SCOPE, STAFF_ID, publish_snapshot
from tests.health_plan.dashboard.family_snapshot import BIRTH, MARIA, NPI_A, TOM, publish_family_snapshot
from tests.health_plan.dashboard.plan_snapshot import publish_snapshot as publish_plan_snapshot
from tests.person_links import snapshot as people_snapshot

TABLE, DOWNLOAD = "dataframe", "download_button"


def tables_without_exports(app: AppTest) -> tuple[int, list[str]]:
    """(how many tables the page shows, the tables not followed by a CSV and an Excel button)."""
    tables: list[tuple[int, list[str]]] = []  # (table number, labels of the buttons after it)
    for node in app.main:
        if node.type == TABLE:
            tables.append((len(tables) + 1, []))
        elif node.type == DOWNLOAD and tables:
            tables[-1][1].append(node.label)
    missing = [
        f"table {n} (buttons after it: {labels})"
        for n, labels in tables
        if not (any("CSV" in b for b in labels) and any("Excel" in b for b in labels))
    ]
    return len(tables), missing


def _manager_drills_down(app: AppTest) -> None:
    app.selectbox(key="compliance_person").select("P0002").run()


def _looks_up_a_learner(app: AppTest) -> None:
    app.text_input(key="lookup_query").input("Lovelace").run()


def _finds_a_person(app: AppTest) -> None:
    app.text_input(key="person_query").input("ana.d@gmail.com").run()


def _checks_eligibility(app: AppTest) -> None:
    app.text_input(key="elig_member").input(TOM)
    app.date_input(key="elig_birth").set_value(BIRTH[TOM])
    app.date_input(key="elig_on").set_value(dt.date(2026, 3, 5))
    app.button(key="elig_submit").click().run()


Page = tuple[str, int, Callable[[AppTest], None] | None]  # view, tables it shows, what the user does first

# By hand from the pages and the scenarios' data.
WALKS: dict[str, tuple[tuple, Callable, tuple[Page, ...]]] = {
    "staff": (
        ("zoe", Role.STAFF, (STAFF_ID,)),
        publish_snapshot,
        (
            ("staff/transcript.py", 2, None),  # items, totals
            ("staff/compliance.py", 1, None),
            ("staff/certificates.py", 1, None),
        ),
    ),
    "education manager": (
        ("mia", Role.EDUCATION_MANAGER, MANAGER_SCOPE),
        publish_snapshot,
        # by department, the overdue and due-soon list, P0002's requirements
        (("education_manager/compliance.py", 3, _manager_drills_down),),
    ),
    "ce team": (
        ("cora", Role.CE_TEAM, ()),
        publish_snapshot,
        (
            ("ce_team/learner_lookup.py", 4, _looks_up_a_learner),
        ),  # accounts, transcript, claims, certificates
    ),
    "ce team, duplicates and claims": (
        ("cora", Role.CE_TEAM, ()),
        lambda settings: publish_duplicates(settings.root),
        (
            # the queue; the first cluster's accounts side by side and its pairs (undecided: no history yet)
            ("ce_team/duplicates.py", 3, None),
            ("ce_team/attendance.py", 1, None),
            ("ce_team/credit_totals.py", 2, None),  # per year, date range
        ),
    ),
    "employer": (
        ("hr.initech", Role.EMPLOYER, ("E3",)),
        publish_family_snapshot,
        (("employer/roster.py", 3, None),),  # roster, adds and terms, enrollment by month
    ),
    "member": (
        ("maria", Role.MEMBER, (MARIA,)),
        publish_family_snapshot,
        (("member/deductible.py", 2, None),),  # claims, the first claim's EOB lines
    ),
    "provider": (
        ("northside", Role.PROVIDER, (NPI_A,)),
        publish_family_snapshot,
        (("provider/eligibility.py", 3, _checks_eligibility),),  # benefits, claims, the first claim's lines
    ),
    "admin": (
        ("root.admin", Role.ADMIN, ()),
        publish_plan_snapshot,
        (
            ("admin/users.py", 1, None),
            ("admin/audit_log.py", 1, None),
            ("admin/credentials.py", 1, None),
            ("admin/pipeline.py", 3, None),  # freshness, landed files, quarantined rows
            ("admin/security.py", 5, None),  # overview; lockouts, reset links, reset loops, stuffing (tabs)
        ),
    ),
    "support": (
        ("desk", Role.SUPPORT, ()),
        people_snapshot.publish,
        # Ana's person page: 8 sections can hold a table; one of hers is empty (said in words, no table)
        (("support/person.py", 7, _finds_a_person),),
    ),
    "admin, people": (
        ("root.people", Role.ADMIN, ()),
        people_snapshot.publish,
        (("admin/people_findings.py", 4, None),),  # plan vs HR, attacks, leaving, links for review
    ),
    "ce team, people": (
        ("ce.people", Role.CE_TEAM, ()),
        people_snapshot.publish,
        (("ce_team/leaving_staff.py", 1, None),),
    ),
}


@pytest.mark.parametrize("walk", list(WALKS))
def test_every_table_has_one_click_csv_and_excel(walk, settings, signed_in_as):
    user, publish, pages = WALKS[walk]
    publish(settings)
    app = signed_in_as(*user)
    seen = {}
    for view, _, act in pages:
        app.switch_page(f"views/{view}").run()
        assert not app.exception, view
        if act is not None:
            act(app)
            assert not app.exception, view
        seen[view] = tables_without_exports(app)
    assert seen == {view: (tables, []) for view, tables, _ in pages}
