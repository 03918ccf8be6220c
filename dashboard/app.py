"""The dashboard's entry point, only a router: who is signed in decides which pages exist, then the page runs.

Signed out: only the sign-in page. Signed in with a one-time password: only the change-password page.
Otherwise the pages of the principal's role, plus Account. The session is re-validated on every rerun.

Signed out (or before the password change), that one page also answers at every other page's address, so a
deep link or a reload shows the sign-in form, not "Page not found"; Streamlit names a page by its address, so
after the sign-in the next run opens the real page at that address if the role has it, else the landing page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import errors, server_gc, session
from reports.principal import Role

# Not "pages/": beside the entry file that name switches Streamlit to its legacy multipage mode, which runs a
# page script without this router (and so without the sign-in check).
VIEWS = Path(__file__).resolve().parent / "views"

#: Each role's section title and its pages (file under dashboard/views/<role>/, title); the first is the
#: landing page.
ROLE_PAGES: dict[Role, tuple[str, list[tuple[str, str]]]] = {
    Role.STAFF: (
        "My learning",
        [
            ("staff/transcript.py", "My transcript"),
            ("staff/compliance.py", "My compliance"),
            ("staff/certificates.py", "My certificates"),
        ],
    ),
    Role.EDUCATION_MANAGER: ("Education", [("education_manager/compliance.py", "Compliance")]),
    Role.CE_TEAM: (
        "Continuing education",
        [
            ("ce_team/duplicates.py", "Duplicate queue"),
            ("ce_team/attendance.py", "Attendance claims"),
            ("ce_team/credit_totals.py", "Credit totals"),
            ("ce_team/leaving_staff.py", "Leaving staff"),
            ("ce_team/learner_lookup.py", "Learner lookup"),
        ],
    ),
    Role.EMPLOYER: ("Employer", [("employer/roster.py", "Enrollment roster")]),
    Role.MEMBER: ("My plan", [("member/deductible.py", "My deductible")]),
    Role.PROVIDER: ("Provider", [("provider/eligibility.py", "Eligibility & claims")]),
    Role.ADMIN: (
        "Administration",
        [
            ("admin/security.py", "Security"),
            ("admin/users.py", "Users"),
            ("admin/pipeline.py", "Pipeline"),
            ("admin/audit_log.py", "Audit log"),
            ("admin/credentials.py", "Credentials"),
            ("support/person.py", "Person"),
            ("admin/people_findings.py", "Cross-portal findings"),
        ],
    ),
    Role.SUPPORT: ("Help desk", [("support/person.py", "Person")]),
}


def _url_path(file: str) -> str:
    """A view's address: ``<role folder>_<file>`` (``/ce_team_attendance``), the file alone for the pages
    every signed-in user has (``/account``)."""
    folder, stem = file.removesuffix(".py").split("/")
    return stem if folder == "everyone" else f"{folder}_{stem}"


def _page(file: str, title: str) -> st.Page:
    return st.Page(VIEWS / file, title=title, url_path=_url_path(file))


def _only(file: str, title: str) -> st.Page:
    """``file`` as the only page, also answering at the address of every page a signed-in user may have."""
    addresses = {_url_path(f) for _, pages in ROLE_PAGES.values() for f, _ in pages} | {"account"}
    stand_ins = [st.Page(VIEWS / file, title=title, url_path=a) for a in sorted(addresses)]
    return st.navigation([_page(file, title), *stand_ins], position="hidden")


st.set_page_config(page_title="portalytics", layout="wide")
active = session.current_session()
session.sync_browser_cookie()
if active is None:
    navigation = _only("everyone/sign_in.py", "Sign in")
elif active.must_change_password:
    navigation = _only("everyone/change_password.py", "Choose a new password")
else:
    section, pages = ROLE_PAGES[active.principal.role]
    navigation = st.navigation(
        {section: [_page(f, t) for f, t in pages], "Account": [_page("everyone/account.py", "Account")]}
    )
    st.sidebar.caption(f"Signed in as {active.principal.username} ({active.principal.role.value})")
errors.run_page(navigation.run, navigation.url_path)
server_gc.freeze_after_first_run(navigation.url_path)
