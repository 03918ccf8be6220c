from pathlib import Path

import pytest

from reports.principal import Role
from tests.dashboard.fixtures import titles

VIEWS = Path(__file__).parents[2] / "dashboard" / "views"

# Written out by hand from the product spec: each role's pages (view file -> title), Account for everyone.
EXPECTED = {
    Role.STAFF: {
        "staff/transcript.py": "My transcript",
        "staff/compliance.py": "My compliance",
        "staff/certificates.py": "My certificates",
    },
    Role.EDUCATION_MANAGER: {"education_manager/compliance.py": "Compliance"},
    Role.CE_TEAM: {
        "ce_team/duplicates.py": "Duplicate queue",
        "ce_team/attendance.py": "Attendance claims",
        "ce_team/credit_totals.py": "Credit totals",
        "ce_team/leaving_staff.py": "Leaving staff",
        "ce_team/learner_lookup.py": "Learner lookup",
    },
    Role.EMPLOYER: {"employer/roster.py": "Enrollment roster"},
    Role.MEMBER: {"member/deductible.py": "My deductible"},
    Role.PROVIDER: {"provider/eligibility.py": "Eligibility & claims"},
    Role.ADMIN: {
        "admin/security.py": "Security",
        "admin/users.py": "Users",
        "admin/pipeline.py": "Pipeline",
        "admin/audit_log.py": "Audit log",
        "admin/credentials.py": "Credentials",
        "support/person.py": "Person",
        "admin/people_findings.py": "Cross-portal findings",
    },
    Role.SUPPORT: {"support/person.py": "Person"},
}
SCOPES = {
    Role.STAFF: ("P0001",),
    Role.EDUCATION_MANAGER: ("ICU",),
    Role.EMPLOYER: ("E042",),
    Role.MEMBER: ("M0007",),
    Role.PROVIDER: ("1234567893",),
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_its_pages_and_no_other(role, signed_in_as):
    app = signed_in_as(f"user.{role.value}", role, SCOPES.get(role, ()))
    allowed = {**EXPECTED[role], "everyone/account.py": "Account"}
    assert titles(app) == [next(iter(EXPECTED[role].values()))]  # lands on the role's first page

    for view, title in allowed.items():
        app.switch_page(f"views/{view}").run()
        assert not app.exception, view
        assert titles(app) == [title]

    for view in sorted(p.name for p in VIEWS.glob("*.py")):
        if view in allowed:
            continue
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"views/{view}")


def test_there_is_no_pages_folder_beside_the_app():
    # Streamlit treats dashboard/pages/ as its legacy multipage folder and would run a page without the
    # router, i.e. without the sign-in check. Views live in dashboard/views/.
    assert not (VIEWS.parent / "pages").exists()
