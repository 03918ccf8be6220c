"""CE team > Learner lookup on the hand-built snapshot (tests/dashboard/published_marts.py): Zoë has an SSO
account CE-P0001 and an old personal one CE-P0001-OLD merged into it; Ben has CE-P0002."""

import io
from decimal import Decimal

import openpyxl
import pytest

from reports import audit
from reports.ce import learner_lookup
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import open_snapshot
from tests.dashboard.fixtures import ADMIN, titles
from tests.dashboard.published_marts import capture_downloads, publish_snapshot

CE = Principal("cora", Role.CE_TEAM)


@pytest.fixture
def lookup(settings, signed_in_as):
    publish_snapshot(settings)
    app = signed_in_as("cora", Role.CE_TEAM)
    return app.switch_page("views/ce_team/learner_lookup.py").run()


@pytest.mark.parametrize(
    "query",
    [
        "lovelace",
        "Zoë Lovelace",
        "zoe",
        "ZOE.L@GMAIL.EXAMPLE",
        "(555) 123-0101",
        "555.123.0101",
        "ce-p0001-old",
    ],
)
def test_a_learner_is_found_by_name_email_phone_or_account_id(settings, query):
    publish_snapshot(settings)
    with open_snapshot(settings) as conn:
        found = set(learner_lookup.search(CE, conn, query)["account_id"])
    assert found and found <= {"CE-P0001", "CE-P0001-OLD"}
    with open_snapshot(settings) as conn:
        assert learner_lookup.search(CE, conn, "555-123-9999").empty  # nobody's number
        assert learner_lookup.search(CE, conn, "okafor")["account_id"].tolist() == ["CE-P0002"]


def test_the_page_shows_accounts_with_merges_transcript_claims_and_certificates(lookup, settings):
    app = lookup
    assert titles(app) == ["Learner lookup"]
    app.text_input(key="lookup_query").input("555 123 0101").run()
    assert not app.exception
    accounts, transcript, claims, certificates = (d.value for d in app.dataframe)
    assert list(zip(accounts["Account"], accounts["Merged into"], strict=True)) == [
        ("CE-P0001", "—"),  # merged into nothing: a dash, not an empty cell
        ("CE-P0001-OLD", "CE-P0001"),
    ]
    assert list(zip(transcript["Activity"], transcript["Credit type"], strict=True)) == [
        ("Sepsis grand rounds", "AMA PRA Category 1 Credit"),  # credit types as the accrediting bodies say
        ("Sepsis grand rounds", "ANCC contact hours"),
    ]
    # newest first; the rejected claim from the merged account is there with its reason; Ben's E9 is not
    assert list(zip(claims["Event"], claims["Outcome"], claims["Reason"], strict=True)) == [
        ("E5", "Rejected", "Sent outside the attendance window"),
        ("E1", "Accepted", "—"),
    ]
    assert all(t.endswith((" CST", " CDT")) for t in claims["Received"])  # the organisation's zone, named
    assert list(zip(certificates["Event"], certificates["Status"], strict=True)) == [
        ("E2", "Awaiting your evaluation"),
        ("E1", "Issued"),
        ("E0", "No longer downloadable"),
    ]
    views = [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["view"])]
    # the first match ("Zoe" sorts before "Zoë") is the one chosen; the record is the whole learner either way
    assert views == [("learner lookup CE-P0001-OLD", 2 + 2 + 2 + 3)]


def test_the_learners_record_exports_to_excel_and_is_audited(settings, signed_in_as, monkeypatch):
    publish_snapshot(settings)
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as("cora", Role.CE_TEAM).switch_page("views/ce_team/learner_lookup.py").run()
    app.text_input(key="lookup_query").input("okafor").run()
    book = openpyxl.load_workbook(io.BytesIO(downloads["learner_CE-P0002.xlsx"]()))
    assert book.sheetnames == ["Accounts", "Transcript", "Claims", "Certificates"]
    header, *claims = book["Claims"].iter_rows(values_only=True)
    # codes in words as on the page, each code after them
    assert header == (
        "Received (CDT)", "Activity", "Channel", "Channel code", "Outcome", "Outcome code", "Reason",
        "Reason code", "Claimed by account", "Event",
    )  # fmt: skip
    assert [(c[4], c[5], c[9]) for c in claims] == [("Accepted", "accepted", "E9")]
    exports = [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["export"])]
    assert exports == [("learner lookup CE-P0002 xlsx", 1 + 1 + 1 + 1)]


def test_each_table_downloads_in_one_click_with_its_codes_and_is_audited(settings, signed_in_as, monkeypatch):
    publish_snapshot(settings)
    downloads = capture_downloads(monkeypatch)
    app = signed_in_as("cora", Role.CE_TEAM).switch_page("views/ce_team/learner_lookup.py").run()
    app.text_input(key="lookup_query").input("555 123 0101").run()
    assert [b.label for b in app.get("download_button")][:2] == ["Download CSV", "Download Excel"]
    assert audit.read(settings, ADMIN, actions=["export"]) == []  # drawing the page builds no file
    lines = downloads["learner_CE-P0001-OLD_transcript.csv"]().decode("utf-8-sig").splitlines()
    # the credit type in words as on the page, its code beside it (a spreadsheet filters on it), the credits
    # as numbers
    assert lines[0] == "Date,Activity,Source,Source code,Credit type,Credit type code,Credits,Account"
    rows = [line.split(",")[4:7] for line in lines[1:]]
    assert [(words, code, Decimal(credits)) for words, code, credits in rows] == [
        ("AMA PRA Category 1 Credit", "AMA_PRA_1", Decimal("1.50")),
        ("ANCC contact hours", "ANCC", Decimal("1.50")),
    ]
    exports = [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["export"])]
    assert exports == [("learner lookup CE-P0001-OLD transcript csv", 2)]


def test_only_the_ce_team_and_admins_may_look_learners_up(settings):
    publish_snapshot(settings)
    with open_snapshot(settings) as conn:
        with pytest.raises(NotPermitted):
            learner_lookup.search(Principal("zoe", Role.STAFF, ("P0001",)), conn, "okafor")
        with pytest.raises(NotPermitted):
            learner_lookup.learner(Principal("mia", Role.EDUCATION_MANAGER, ("ICU",)), conn, "CE-P0002")


def test_the_phone_mart_holds_digests_the_lookup_recomputes(tmp_path):
    import dagster as dg
    import duckdb
    from dagster_duckdb import DuckDBResource

    from assets.ce.lookup import ce_account_phones
    from tests.support import create_staging_table

    db = str(tmp_path / "w.duckdb")
    with duckdb.connect(db) as conn:
        create_staging_table(
            conn,
            "ce_accounts",
            [
                {"account_id": "A1", "mobile_phone": "+15551230101"},
                {"account_id": "A2", "mobile_phone": None},
            ],
        )
    assert dg.materialize([ce_account_phones], resources={"duckdb": DuckDBResource(database=db)}).success
    with duckdb.connect(db, read_only=True) as conn:
        rows = conn.execute("SELECT account_id, phone_sha256 FROM marts.ce_account_phones").fetchall()
    # the number as typed on the page, in another format, hashes to the stored digest; no row without a phone
    assert rows == [("A1", learner_lookup.phone_digest("555-123-0101"))]
    assert "5551230101" not in rows[0][1]
