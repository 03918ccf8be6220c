"""CE reads: scope enforced in the query, the numbers the CE team and staff see, and the exports."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import duckdb
import openpyxl
import pytest

from assets.warehouse import marts_path
from reports.ce import reads as ce
from reports.learning.transcripts import transcript_excel, transcript_pdf
from reports.principal import NotPermitted, Principal, Role
from tests.ce.test_assets import build

CE_TEAM = Principal("ce1", Role.CE_TEAM)
ADMIN = Principal("admin1", Role.ADMIN)
STAFF_P1 = Principal("pat", Role.STAFF, ("P1",))
STAFF_P9 = Principal("sam", Role.STAFF, ("P9",))


@pytest.fixture
def snapshot(tmp_path):
    # E1 accepted (A1/P1, AMA 1.50), E2 duplicate (A1/P1), E3 unknown_phone (nobody), E4 accepted (A5, ACPE
    # 2.00), X1 external AMA 0.25 for A1 on 1 May 2026; certificates as of 20 March 2026.
    build(tmp_path).close()
    # a published snapshot is a copy of the marts file: the reads get it as the dashboard does (writable
    # here only so that a test can add the marts of another family by hand)
    conn = duckdb.connect(str(marts_path(tmp_path / "warehouse.duckdb")))
    yield conn
    conn.close()


def test_the_ce_team_sees_every_rejected_claim_newest_first(snapshot):
    frame = ce.rejected_claims(CE_TEAM, snapshot)
    assert list(frame["event_id"]) == ["E3", "E2"]  # 14:40 then 14:35
    assert list(frame["reason"]) == ["unknown_phone", "duplicate"]
    assert list(ce.rejected_claims(ADMIN, snapshot, reasons=["duplicate"])["event_id"]) == ["E2"]
    counts = ce.rejection_counts(CE_TEAM, snapshot)
    assert list(zip(counts["reason"], counts["claims"], strict=True)) == [
        ("unknown_phone", 1),
        ("duplicate", 1),
    ]


def test_rejected_claims_narrow_by_days_of_the_organisations_zone(snapshot):
    # E2 and E3 arrived at 14:35 and 14:40 UTC on March 4: 08:35 CST that day in Chicago (the default zone),
    # 03:35 and 03:40 NZDT (UTC+13) on March 5 in Auckland.
    march_4, march_5 = dt.date(2026, 3, 4), dt.date(2026, 3, 5)
    assert list(ce.rejected_claims(CE_TEAM, snapshot, date_from=march_4, date_to=march_4)["event_id"]) == [
        "E3",
        "E2",
    ]
    auckland = {"org_timezone": "Pacific/Auckland"}
    assert ce.rejected_claims(CE_TEAM, snapshot, date_from=march_4, date_to=march_4, **auckland).empty
    assert list(
        ce.rejected_claims(CE_TEAM, snapshot, date_from=march_5, date_to=march_5, **auckland)["event_id"]
    ) == ["E3", "E2"]


def test_staff_see_only_claims_of_their_own_accounts(snapshot):
    assert list(ce.rejected_claims(STAFF_P1, snapshot)["event_id"]) == ["E2"]
    assert ce.rejected_claims(STAFF_P9, snapshot).empty


def test_other_roles_and_unscoped_staff_are_refused(snapshot):
    with pytest.raises(NotPermitted):
        ce.rejected_claims(Principal("emp", Role.EMPLOYER, ("EMP1",)), snapshot)
    with pytest.raises(NotPermitted):
        ce.credit_totals_by_type(Principal("nobody", Role.STAFF), snapshot)


def test_an_unknown_reason_is_a_clear_error(snapshot):
    with pytest.raises(ValueError, match="unknown rejection reason"):
        ce.rejected_claims(CE_TEAM, snapshot, reasons=["late"])


def test_credit_totals_by_credit_type(snapshot):
    frame = ce.credit_totals_by_type(CE_TEAM, snapshot, year=2026)
    got = {(r.credit_type, r.year): (r.credits, r.accounts) for r in frame.itertuples()}
    # AMA: E1 1.50 + X1 0.25 = 1.75 (A1); ACPE: E4 2.00 (A5)
    assert got == {("AMA_PRA_1", 2026): (Decimal("1.75"), 1), ("ACPE", 2026): (Decimal("2.00"), 1)}
    mine = ce.credit_totals_by_type(STAFF_P1, snapshot)
    assert list(zip(mine["credit_type"], mine["credits"], strict=True)) == [("AMA_PRA_1", Decimal("1.75"))]


def test_credit_totals_for_a_date_range(snapshot):
    frame = ce.credit_totals_in_range(CE_TEAM, snapshot, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    # X1 (1 May) is outside March
    assert list(zip(frame["credit_type"], frame["credits"], strict=True)) == [
        ("ACPE", Decimal("2.00")),
        ("AMA_PRA_1", Decimal("1.50")),
    ]


def test_staff_see_their_own_certificates_with_the_last_download_day(snapshot):
    frame = ce.certificates(STAFF_P1, snapshot)
    assert list(frame["event_id"]) == ["E1"]
    assert frame["available_until"][0] == dt.date(2026, 4, 3)


def test_rejected_claims_export_neutralises_formula_like_cells(snapshot):
    frame = ce.rejected_claims(CE_TEAM, snapshot)
    sheet = openpyxl.load_workbook(io.BytesIO(ce.rejected_claims_excel(frame))).active
    values = list(sheet.values)
    # received 2026-03-04 14:40 UTC: 08:40 in Chicago (CST, UTC-6), a date-time cell, the zone in the header
    # the reason and channel in words as on the page, each code after it
    assert values[0][:6] == (
        "Received (CST)", "Reason", "Reason code", "Channel", "Channel code", "From phone",
    )  # fmt: skip
    assert values[1][0] == dt.datetime(2026, 3, 4, 8, 40)
    # the phone starts with "+", which a spreadsheet would evaluate: it is kept as text with a leading quote
    assert values[1][1:6] == (
        "Phone number not on file", "unknown_phone", "Text message", "sms", "'+13125559999",
    )  # fmt: skip
    assert "unknown_phone" in ce.rejected_claims_csv(frame).decode("utf-8-sig")


def test_the_ce_transcript_is_the_transcript_without_learning_center_items(snapshot):
    # The transcript engineer's marts, by hand: the directory row and the union (LC row + the CE mart's rows).
    snapshot.execute(
        "CREATE TABLE marts.learning_people AS SELECT 'P1' person_id, 'Pat' first_name, 'Lee' last_name, "
        "'ICU' department, '••••••••1234' lc_user_id_masked"
    )
    snapshot.execute(
        "CREATE TABLE marts.transcript_items AS SELECT * FROM marts.ce_transcript_items UNION ALL "
        "SELECT 'P1', 'learning_center', 'C1', 'Hand hygiene', DATE '2026-03-01', NULL, NULL, "
        "1.00::DECIMAL(14,2)"
    )
    t = ce.ce_transcript(STAFF_P1, snapshot, "P1")
    assert [(i.source, i.item_id) for i in t.items] == [("external", "X1"), ("ce", "E1")]  # newest first
    assert t.credits_by_type == {"AMA_PRA_1": Decimal("1.75")}
    assert transcript_pdf(t).startswith(b"%PDF")
    items = openpyxl.load_workbook(io.BytesIO(transcript_excel(t)))["Items"]
    assert items.max_row == 3  # header + 2 items
    with pytest.raises(NotPermitted):
        ce.ce_transcript(STAFF_P9, snapshot, "P1")
