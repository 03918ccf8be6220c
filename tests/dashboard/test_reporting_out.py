"""Reporting out on the dashboard: the CE team's PARS / CE Broker downloads, the staff transcript credential,
and an admin revoking a credential."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from domain.ce.uploads import CeBrokerPolicy
from reports import audit
from reports.credentials import status
from reports.credentials.transcript_vc import issue
from reports.credentials.verify import CredentialInvalid, verify_token
from reports.exports.ce_uploads import ce_broker_export, ce_broker_xlsx, errors_csv, pars_export, pars_text
from reports.learning.transcripts import load_transcript
from reports.principal import Principal, Role
from reports.snapshot import open_snapshot
from tests.ce.uploads.world import publish as publish_ce_world
from tests.dashboard.fixtures import ADMIN
from tests.dashboard.published_marts import STAFF_ID, STAFF_NAME, capture_downloads, publish_snapshot

CE_TEAM = Principal("ce", Role.CE_TEAM)


def test_the_ce_team_downloads_the_pars_upload_and_ce_broker_roster_from_credit_totals(
    settings, signed_in_as, monkeypatch
):
    monkeypatch.setenv("PORTALYTICS_CE_BROKER_PROVIDER_NUMBER", "123456")
    publish_ce_world(settings.root)
    app = signed_in_as("cat", Role.CE_TEAM).switch_page("views/ce_team/credit_totals.py").run()
    assert not app.exception
    app.selectbox(key="uploads_pars_year").select(2026).run()
    app.button(key="uploads_pars_prepare").click().run()
    assert "2 learner rows, 4 rejected" in [c.value for c in app.caption]
    app.date_input(key="uploads_broker_from").set_value(dt.date(2026, 1, 1))
    app.date_input(key="uploads_broker_to").set_value(dt.date(2026, 12, 31)).run()
    app.button(key="uploads_broker_prepare").click().run()
    assert "3 licensee rows, 1 rejected" in [c.value for c in app.caption]
    # the files offered are the ones the command line writes
    with open_snapshot(settings) as conn:
        pars = pars_export(CE_TEAM, conn, 2026)
        broker = ce_broker_export(
            CE_TEAM, conn, dt.date(2026, 1, 1), dt.date(2026, 12, 31), CeBrokerPolicy("123456")
        )
    offered = {s.proto.label for s in app.get("download_button")}
    assert {"PARS upload (.txt)", "CE Broker roster (.xlsx)", "Errors (.csv)"} <= offered
    assert app.session_state["uploads_pars"][3] == pars_text(pars)
    assert app.session_state["uploads_pars"][4] == errors_csv(pars)
    assert app.session_state["uploads_broker"][1:3] == (3, 1)
    assert len(ce_broker_xlsx(broker)) > 0
    targets = [(r.target, r.row_count) for r in audit.read(settings, ADMIN, actions=["export"])]
    assert targets == [("ce broker roster 2026-01-01..2026-12-31", 3), ("pars learner upload 2026", 2)]


def test_staff_download_their_transcript_as_a_credential_that_verifies(settings, signed_in_as, monkeypatch):
    publish_snapshot(settings)
    captured = capture_downloads(monkeypatch)
    app = signed_in_as("zoe", Role.STAFF, (STAFF_ID,))
    assert "Download verifiable credential" in [b.proto.label for b in app.get("download_button")]
    assert audit.read(settings, ADMIN, actions=["credential_issue"]) == []  # nothing issued until pressed
    token = captured[f"transcript_{STAFF_ID}.jwt"]().decode("ascii")
    verified = verify_token(settings, token)
    assert (verified.subject_name, verified.person_id, verified.item_count) == (STAFF_NAME, STAFF_ID, 5)
    [row] = audit.read(settings, ADMIN, actions=["credential_issue"])
    assert (row.actor, row.target, row.row_count) == ("zoe", f"transcript credential person {STAFF_ID}", 5)


def test_an_admin_revokes_a_credential_with_a_reason_and_it_no_longer_verifies(settings, signed_in_as):
    # signed in first: the admin's landing page (Security) reads marts this snapshot does not hold
    app = signed_in_as("root2", Role.ADMIN)
    publish_snapshot(settings)
    staff = Principal("zoe", Role.STAFF, (STAFF_ID,))
    with open_snapshot(settings) as conn:
        transcript = load_transcript(staff, conn, STAFF_ID)
    token = issue(settings, staff, transcript)
    [issued] = status.issued(settings, ADMIN)

    app = app.switch_page("views/admin/credentials.py").run()
    assert not app.exception
    assert list(app.dataframe[0].value["Person"]) == [STAFF_ID]
    # The picker names the issue time in the organisation's zone, as the rest of the dashboard does.
    local = issued.issued_at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(settings.org_timezone))
    assert app.selectbox(key="cred_revoke_id").options == [
        f"{STAFF_ID} · {local:%Y-%m-%d %H:%M} {local.tzname()} · {issued.credential_id}"
    ]
    assert local.tzname() in ("CST", "CDT")
    app.selectbox(key="cred_revoke_id").select(issued.credential_id).run()
    app.button(key="cred_revoke").click().run()
    assert "a revocation needs a reason" in [e.value for e in app.error]
    verify_token(settings, token)  # still valid

    app.text_input(key="cred_revoke_reason").input("issued before a correction").run()
    app.button(key="cred_revoke").click().run()
    assert not app.exception
    assert app.success[0].value.startswith(f"Credential {issued.credential_id} is revoked")
    with pytest.raises(CredentialInvalid, match="revoked"):
        verify_token(settings, token)
    [row] = audit.read(settings, ADMIN, actions=["credential_revoke"])
    assert (row.actor, row.detail) == ("root2", issued.credential_id)
    table = app.dataframe[0].value
    assert list(table["Revoked by"]) == ["root2"] and list(table["Reason"]) == ["issued before a correction"]
    assert app.selectbox(key="cred_revoke_id").options == []  # nothing left to revoke
