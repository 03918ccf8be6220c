"""X12 834 enrollment: pyx12 parses and validates, maintenance applies in file order, bad input is
quarantined."""

from __future__ import annotations

import datetime as dt
import shutil

from tests.standard_formats.support import (
    FIXTURES,
    ingest,
    interchange,
    land,
    ledger,
    member,
    quarantine,
    rows,
)

D = dt.date


def _spans(settings, member_id=None):
    sql = "SELECT member_id, plan_id, coverage_tier, coverage_start, coverage_end FROM staging.hp_enrollment"
    return rows(
        settings,
        sql + (" WHERE member_id = ?" if member_id else "") + " ORDER BY 1, 4",
        [member_id] if member_id else [],
    )


def test_the_implementation_guides_example_is_read_and_a_change_for_an_unseen_member_is_refused(settings):
    """pyx12's own 005010X220A1 example: valid, but its INS03 001 (change) names a member we never
    enrolled."""
    shutil.copytree(
        FIXTURES,
        settings.landing_dir / "x12_834",
        ignore=lambda d, names: [n for n in names if not n.endswith(".x12")],
    )
    ingest(settings, "x12_834")
    assert ledger(settings, "x12_834") == [("pyx12_834_ls_le_ls.x12", "loaded", None, 1, 0, 1)]
    assert quarantine(settings, "x12_834") == [("pyx12_834_ls_le_ls.x12", 8, "INS03", "unknown_member")]


def test_the_examples_member_loads_once_it_has_coverage(settings):
    """The same member added first (INS03 021 with the example's own HD and dates): the example's change
    applies."""
    add = member(
        "544001234", "021", "18", "HD*021**HMO*12345678902012062020130415N*IND", "DTP*348*D8*20120101"
    )
    land(settings, "x12_834", "a_add.x12", interchange(add))
    land(settings, "x12_834", "b_example.x12", (FIXTURES / "pyx12_834_ls_le_ls.x12").read_text())
    ingest(settings, "x12_834")
    assert quarantine(settings, "x12_834") == []
    assert rows(
        settings,
        "SELECT member_id, subscriber_id, relationship, first_name, last_name, birth_date, sex, employer_id "
        "FROM staging.hp_members",
    ) == [
        (
            "544001234",
            "REF OF",
            "self",
            "SUBSCRIBER FIRST 1",
            "SUBSCRIBER LAST 1",
            D(1983, 7, 19),
            "F",
            "930592162",
        )
    ]
    plan = "12345678902012062020130415N"
    # the change from 2012-09-01 ends the January span the day before and opens a new one (IND = employee
    # only)
    assert _spans(settings) == [
        ("544001234", plan, "EMP", D(2012, 1, 1), D(2012, 8, 31)),
        ("544001234", plan, "EMP", D(2012, 9, 1), None),
    ]


def test_maintenance_types_apply_in_file_order(settings):
    a, b, c = "M000000101", "M000000102", "M000000999"
    land(
        settings,
        "x12_834",
        "834_2024-01.x12",
        interchange(
            member(a, "021", "18", "HD*021**HLT*PPO500*EMP", "DTP*348*D8*20240101"),
            member(b, "021", "01", "HD*021**HLT*PPO500*ESP", "DTP*348*D8*20240101"),
        ),
    )
    land(
        settings,
        "x12_834",
        "834_2024-06.x12",
        interchange(
            member(a, "001", "18", "HD*001**HLT*PPO500*ESP", "DTP*348*D8*20240601"),
            member(b, "024", "01", "HD*024**HLT*PPO500", "DTP*349*D8*20240615"),
            member(c, "024", "18", "HD*024**HLT*PPO500", "DTP*349*D8*20240615"),
        ),
    )
    land(
        settings,
        "x12_834",
        "834_2024-09.x12",
        interchange(
            member(b, "025", "01", "HD*025**HLT*PPO500", "DTP*348*D8*20240101"),
            member(a, "030", "18", "HD*030**HLT*PPO1500*FAM", "DTP*348*D8*20240901"),
        ),
    )
    ingest(settings, "x12_834")
    assert _spans(settings) == [
        (a, "PPO500", "EMP", D(2024, 1, 1), D(2024, 5, 31)),  # changed on 06-01: ends the day before
        (a, "PPO500", "ESP", D(2024, 6, 1), None),  # the audit does not end it by omission
        (a, "PPO1500", "FAM", D(2024, 9, 1), None),
        (b, "PPO500", "ESP", D(2024, 1, 1), None),  # terminated 06-15, reinstated in September
    ]
    assert quarantine(settings, "x12_834") == [("834_2024-06.x12", 19, "INS03", "unknown_member")]
    assert [r[3:] for r in ledger(settings, "x12_834")] == [(2, 2, 0), (3, 2, 1), (2, 2, 0)]
    assert rows(settings, "SELECT member_id, relationship FROM staging.hp_members ORDER BY 1") == [
        (a, "self"),
        (b, "spouse"),
    ]


def test_an_unknown_coverage_level_quarantines_that_member_only(settings):
    land(
        settings,
        "x12_834",
        "834.x12",
        interchange(
            member("M1", "021", "18", "HD*021**HLT*PPO500*EMP", "DTP*348*D8*20240101"),
            member("M2", "021", "18", "HD*021**HLT*PPO500*TWO", "DTP*348*D8*20240101"),
            member("M3", "021", "18", "HD*021**HLT*PPO500*ZZZ", "DTP*348*D8*20240101"),
        ),
    )
    ingest(settings, "x12_834")
    # TWO is a real X12 level the contract's tiers cannot say; ZZZ is not an X12 code at all (pyx12 finds it)
    assert quarantine(settings, "x12_834") == [
        ("834.x12", 13, "HD05", "unknown_coverage_level"),
        ("834.x12", 19, "HD05", "unknown_coverage_level"),
    ]
    assert rows(settings, "SELECT member_id FROM staging.hp_members") == [("M1",)]


def test_an_isa_iea_count_mismatch_is_quarantined_and_the_members_still_load(settings):
    land(
        settings,
        "x12_834",
        "834.x12",
        interchange(
            member("M1", "021", "18", "HD*021**HLT*PPO500*EMP", "DTP*348*D8*20240101"),
            iea_count=3,
        ),
    )
    ingest(settings, "x12_834")
    assert quarantine(settings, "x12_834") == [("834.x12", 15, "IEA", "bad_envelope")]
    assert ledger(settings, "x12_834") == [("834.x12", "loaded", None, 2, 1, 1)]
    assert _spans(settings) == [("M1", "PPO500", "EMP", D(2024, 1, 1), None)]
    raw = rows(settings, "SELECT raw FROM ingest.quarantine")[0][0]
    assert "IEA count" in raw


def test_a_truncated_interchange_loads_the_complete_members_and_quarantines_the_cut_one(settings):
    text = interchange(
        member("M1", "021", "18", "HD*021**HLT*PPO500*EMP", "DTP*348*D8*20240101"),
        member("M2", "021", "18", "HD*021**HLT*PPO500*EMP", "DTP*348*D8*20240101"),
    )
    cut = text[: text.index("HD*021", text.index("M2"))]  # the transfer died inside M2's loop
    land(settings, "x12_834", "834.x12", cut)
    ingest(settings, "x12_834")
    assert quarantine(settings, "x12_834") == [
        ("834.x12", 3, "SE", "truncated_interchange"),  # the envelope: SE, GE and IEA never arrived
        ("834.x12", 13, "SE", "truncated_interchange"),  # M2's loop may be incomplete
    ]
    assert rows(settings, "SELECT member_id FROM staging.hp_members") == [("M1",)]
    assert ledger(settings, "x12_834") == [("834.x12", "loaded", None, 3, 1, 2)]


def test_a_wrong_segment_terminator_rejects_the_file_with_the_reason(settings):
    text = interchange(member("M1", "021", "18", "HD*021**HLT*PPO500*EMP", "DTP*348*D8*20240101"))
    isa, rest = text.split("\n", 1)
    land(
        settings, "x12_834", "834.x12", isa + "\n" + rest.replace("~", "|")
    )  # ISA says ~, the segments end in |
    ingest(settings, "x12_834")
    [(name, status, reason, *_)] = ledger(settings, "x12_834")
    assert (name, status, reason) == ("834.x12", "rejected", "unreadable")
    detail = rows(settings, "SELECT detail FROM ingest.ledger")[0][0]
    assert "wrong segment terminator" in detail and "'~'" in detail


def test_a_missing_member_name_loop_is_quarantined_as_a_missing_loop(settings):
    loop = [
        s
        for s in member("M2", "021", "18", "HD*021**HLT*PPO500*EMP", "DTP*348*D8*20240101")
        if not s.startswith("NM1")
    ]
    land(
        settings,
        "x12_834",
        "834.x12",
        interchange(member("M1", "021", "18", "HD*021**HLT*PPO500*EMP", "DTP*348*D8*20240101"), loop),
    )
    ingest(settings, "x12_834")
    assert quarantine(settings, "x12_834") == [("834.x12", 13, "2100A", "missing_loop")]
    assert rows(settings, "SELECT member_id FROM staging.hp_members") == [("M1",)]
