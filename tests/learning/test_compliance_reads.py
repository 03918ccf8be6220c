"""Compliance reads scoped to the principal, and the overdue / due-soon list exported to Excel and CSV.

As of 2026-06-30 in the snapshot: P1 (ICU) last did C1 on 10 July 2025 -> due 10 July 2026: due_soon;
P2 (ER) hired 1 Jan 2026, nothing done -> due 31 Jan: overdue; M1 (ICU) did C1 on 5 Jan 2026: compliant.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports.learning.compliance import (
    attention_list,
    attention_list_csv,
    attention_list_excel,
    compliance_rows,
    compliance_summary,
)
from reports.principal import NotPermitted, Principal, Role
from tests.reports.snapshot import HOSTILE_NAME

ADMIN = Principal("root", Role.ADMIN)
ICU_MANAGER = Principal("edu", Role.EDUCATION_MANAGER, ("ICU",))
STAFF_P2 = Principal("omar", Role.STAFF, ("P2",))


def test_admin_sees_everyone_most_overdue_first(published):
    rows = attention_list(ADMIN, published)
    assert list(zip(rows["person_id"], rows["status"], rows["due_date"], strict=True)) == [
        ("P2", "overdue", dt.date(2026, 1, 31)),
        ("P1", "due_soon", dt.date(2026, 7, 10)),
    ]


def test_an_education_manager_sees_only_their_departments(published):
    assert set(compliance_rows(ICU_MANAGER, published)["person_id"]) == {"P1", "M1"}
    assert list(attention_list(ICU_MANAGER, published)["person_id"]) == ["P1"]
    assert compliance_rows(ICU_MANAGER, published, department="ER").empty  # asking for ER gives nothing


def test_staff_see_only_their_own_rows(published):
    assert list(compliance_rows(STAFF_P2, published)["person_id"]) == ["P2"]
    assert compliance_rows(STAFF_P2, published, person_id="P1").empty
    with pytest.raises(NotPermitted):
        compliance_summary(STAFF_P2, published, "department")


def test_other_roles_are_refused(published):
    with pytest.raises(NotPermitted):
        compliance_rows(Principal("emp", Role.EMPLOYER, ("E1",)), published)


def test_summary_counts_only_the_managers_departments(published):
    by_manager = compliance_summary(ICU_MANAGER, published, "manager_person_id")
    # M1 manages P1 (ICU, due soon) and P2 (ER, overdue); the ICU manager sees only P1: 0 of 1 compliant.
    row = by_manager.set_index("manager_person_id").loc["M1"]
    assert (row["requirements"], row["n_due_soon"], row["n_overdue"], row["pct_compliant"]) == (
        1,
        1,
        0,
        Decimal("0.0"),
    )
    by_dept = compliance_summary(ADMIN, published, "department").set_index("department")
    assert by_dept.loc["ICU", "pct_compliant"] == Decimal("50.0")  # M1 compliant, P1 due soon: 1 of 2


def test_unknown_filters_are_refused_with_a_clear_message(published):
    with pytest.raises(ValueError, match="unknown compliance status"):
        compliance_rows(ADMIN, published, statuses=["late"])
    with pytest.raises(ValueError, match="expected one of"):
        compliance_summary(ADMIN, published, "email")


def test_the_overdue_list_exports_to_excel_and_csv_with_the_same_rows(published):
    rows = attention_list(ADMIN, published)
    ws = load_workbook(io.BytesIO(attention_list_excel(rows))).active
    header, *body = list(ws.iter_rows(values_only=True))
    assert header[:3] == ("Person ID", "Last name", "First name")
    assert [(r[0], r[8]) for r in body] == [("P2", "overdue"), ("P1", "due_soon")]
    due = header.index("Due date")
    assert [r[due].date() for r in body] == [dt.date(2026, 1, 31), dt.date(2026, 7, 10)]
    assert body[1][2] == "'" + HOSTILE_NAME  # P1's first name =HYPERLINK("x") comes out as text
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    text = attention_list_csv(rows).decode("utf-8-sig")
    assert '\'=HYPERLINK(""x"")' in text and "2026-01-31" in text
