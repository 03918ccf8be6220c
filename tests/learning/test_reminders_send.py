"""Reminders delivered to a real SMTP server (aiosmtpd on 127.0.0.1), once, audited; and the dry-run outbox.

The published snapshot is built by hand, as of Wednesday 1 July 2026:
    P1 Ann Lee  (manager M1)  R1 Fire safety due 31 July  -> 30 days before: "due in 30 days"
    P2 Bob Ray  (manager M1)  R1 Fire safety due 30 June  -> overdue from 1 July: "overdue"
    P3 Cy Old   (manager M1)  terminated 15 June           -> nothing, and not in the digest
    M1 Mia Park                                             -> the digest of the week of Monday 29 June
"""

import datetime as dt
import email
import socket
from email import policy as email_policy

import duckdb
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from domain.settings import Settings
from reports import audit
from reports.learning.reminders import send_due_reminders
from reports.principal import Principal, Role
from reports.state import dispose_engines
from reports.state.audit_chain import verify as verify_chain
from reports.state.db import get_engine

AS_OF = dt.date(2026, 7, 1)
ADMIN = Principal("root", Role.ADMIN)


class Inbox:
    def __init__(self):
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email_policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"edu", b"s3cret")
    return AuthResult(success=ok)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=_authenticate, auth_require_tls=False
    )
    controller.start()
    yield inbox, port
    controller.stop()


def _snapshot(path) -> None:
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE SCHEMA marts")
        conn.execute(
            "CREATE TABLE marts.compliance_status (person_id VARCHAR, requirement_id VARCHAR, course_title "
            "VARCHAR,"
            " due_date DATE, status VARCHAR, as_of DATE)"
        )
        conn.executemany(
            "INSERT INTO marts.compliance_status VALUES (?, ?, ?, ?, ?, ?)",
            [
                ("P1", "R1", "Fire safety", dt.date(2026, 7, 31), "due_soon", AS_OF),
                ("P2", "R1", "Fire safety", dt.date(2026, 6, 30), "overdue", AS_OF),
                ("P3", "R1", "Fire safety", dt.date(2026, 7, 31), "due_soon", AS_OF),
            ],
        )
        conn.execute(
            "CREATE TABLE marts.learning_people (person_id VARCHAR, first_name VARCHAR, last_name VARCHAR,"
            " email VARCHAR, manager_person_id VARCHAR, termination_date DATE)"
        )
        conn.executemany(
            "INSERT INTO marts.learning_people VALUES (?, ?, ?, ?, ?, ?)",
            [
                ("P1", "Ann", "Lee", "ann@example.org", "M1", None),
                ("P2", "Bob", "Ray", "bob@example.org", "M1", None),
                ("P3", "Cy", "Old", "cy@example.org", "M1", dt.date(2026, 6, 15)),
                ("M1", "Mia", "Park", "mia@example.org", None, None),
            ],
        )


@pytest.fixture
def snapshot(tmp_path):
    path = tmp_path / "snapshot.duckdb"
    _snapshot(path)
    yield path
    dispose_engines()


def _send(settings: Settings, snapshot):
    with duckdb.connect(str(snapshot), read_only=True) as conn:
        return send_due_reminders(settings, conn)


def test_reminders_go_to_the_smtp_server_once_with_login(tmp_path, snapshot, smtp_server):
    inbox, port = smtp_server
    settings = Settings(
        data_dir=tmp_path,
        reminders_dry_run=False,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls="none",
        smtp_username="edu",
        smtp_password="s3cret",
        reminders_from="Education <education@example.org>",
    )
    result = _send(settings, snapshot)
    assert (result.delivery, result.sent, result.day) == ("smtp", 3, AS_OF)

    got = {tuple(rcpt): msg for _, rcpt, msg in inbox.messages}
    assert sorted(got) == [("ann@example.org",), ("bob@example.org",), ("mia@example.org",)]  # never Cy
    assert all(sender == "education@example.org" for sender, _, _ in inbox.messages)
    ann, bob, mia = got[("ann@example.org",)], got[("bob@example.org",)], got[("mia@example.org",)]
    assert ann["Subject"] == "Reminder: Fire safety is due in 30 days (2026-07-31)"
    assert "Dear Ann Lee," in ann.get_content()
    assert bob["Subject"] == "Overdue: Fire safety was due 2026-06-30"
    assert mia["Subject"] == "Weekly compliance digest: 1 overdue, 1 due soon"
    assert mia.get_content().splitlines()[-5:] == [
        "Overdue:",
        "- Ray, Bob: Fire safety (due 2026-06-30, 1 days overdue)",
        "",
        "Due soon:",
        "- Lee, Ann: Fire safety (due 2026-07-31)",
    ]

    again = _send(settings, snapshot)
    assert again.sent == 0 and len(inbox.messages) == 3  # a second run sends nothing

    rows = audit.read(settings, ADMIN, actions=["reminder_sent"])
    assert sorted((r.actor, r.target, r.detail) for r in rows) == [
        ("reminders", "due_in_30 person P1 requirement R1", "due 2026-07-31 via smtp"),
        ("reminders", "manager_digest person M1 requirement *", "due 2026-06-29 via smtp"),
        ("reminders", "overdue person P2 requirement R1", "due 2026-06-30 via smtp"),
    ]


def test_a_refused_recipient_is_not_marked_sent_and_is_tried_again(tmp_path, snapshot, smtp_server):
    inbox, port = smtp_server
    inbox.refuse = {"bob@example.org"}
    settings = Settings(
        data_dir=tmp_path, reminders_dry_run=False, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none"
    )
    first = _send(settings, snapshot)
    assert (first.sent, dict(first.refused)) == (2, {"overdue": 1})
    assert sorted(r[0] for _, r, _ in inbox.messages) == ["ann@example.org", "mia@example.org"]
    inbox.refuse = set()
    second = _send(settings, snapshot)
    assert (second.sent, dict(second.by_kind)) == (1, {"overdue": 1})  # only Bob's, this time delivered
    assert sorted(r[0] for _, r, _ in inbox.messages)[1] == "bob@example.org"


def test_items_far_from_a_milestone_still_reach_the_digest_and_nobody_else(tmp_path, snapshot):
    """The snapshot's reader leaves out what no reminder comes from: here, beside the three of the snapshot,
    a two-year-old overdue item (the digest lists it), a compliant one renewing in 30 days (its learner
    reminder) and one renewing in 31 days (nothing)."""
    with duckdb.connect(str(snapshot)) as conn:
        conn.executemany(
            "INSERT INTO marts.compliance_status VALUES (?, ?, ?, ?, ?, ?)",
            [
                ("P2", "R2", "Hand hygiene", dt.date(2024, 6, 30), "overdue", AS_OF),
                ("P2", "R3", "Privacy", dt.date(2026, 7, 31), "compliant", AS_OF),
                ("P1", "R3", "Privacy", dt.date(2026, 8, 1), "compliant", AS_OF),
            ],
        )
    settings = Settings(data_dir=tmp_path)
    result = _send(settings, snapshot)
    assert dict(result.by_kind) == {"due_in_30": 2, "overdue": 1, "manager_digest": 1}
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert "2026-07-31_due_in_30_P2_R3.eml" in files and not any("P1_R3" in f for f in files)
    digest = email.message_from_bytes(
        (tmp_path / "outbox" / "2026-06-29_manager_digest_M1__.eml").read_bytes(), policy=email_policy.default
    )
    assert digest["Subject"] == "Weekly compliance digest: 2 overdue, 1 due soon"
    assert "- Ray, Bob: Hand hygiene (due 2024-06-30, 731 days overdue)" in digest.get_content()


def test_a_dry_run_writes_eml_files_to_the_outbox_once(tmp_path, snapshot):
    settings = Settings(data_dir=tmp_path)  # dry run is the default
    result = _send(settings, snapshot)
    assert (result.delivery, result.sent) == ("outbox", 3)
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert files == [
        "2026-06-29_manager_digest_M1__.eml",
        "2026-06-30_overdue_P2_R1.eml",
        "2026-07-31_due_in_30_P1_R1.eml",
    ]
    msg = email.message_from_bytes((tmp_path / "outbox" / files[2]).read_bytes(), policy=email_policy.default)
    assert (msg["To"], msg["Subject"]) == (
        "ann@example.org",
        "Reminder: Fire safety is due in 30 days (2026-07-31)",
    )
    assert _send(settings, snapshot).sent == 0


def test_a_dry_run_batch_is_audited_one_row_per_message_in_an_intact_chain(tmp_path, snapshot):
    settings = Settings(data_dir=tmp_path)
    assert _send(settings, snapshot).sent == 3
    rows = audit.read(settings, ADMIN, actions=["reminder_sent"])
    assert sorted((r.actor, r.target, r.detail) for r in rows) == [
        ("reminders", "due_in_30 person P1 requirement R1", "due 2026-07-31 via outbox"),
        ("reminders", "manager_digest person M1 requirement *", "due 2026-06-29 via outbox"),
        ("reminders", "overdue person P2 requirement R1", "due 2026-06-30 via outbox"),
    ]
    report = verify_chain(get_engine(settings))
    assert report.intact and report.rows_checked >= 3
