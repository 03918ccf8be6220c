"""Send the compliance reminders that are due (``domain.learning.reminders``) by e-mail, once each, audited.

The pipeline calls :func:`send_due_reminders` after every publish (``assets/learning/reminders.py``) with a
connection on the published snapshot: the day is the snapshot's compliance as-of date, the rows are
``marts.compliance_status`` and the directory is ``marts.learning_people``. Each reminder is claimed in the
state store's ``reminders_sent`` table, delivered, and its audit row written, in one transaction: a delivery
that fails rolls its claim back (it is tried again next run), and a second run finds every key taken and sends
nothing.

Delivery is SMTP (``smtplib``: plain, STARTTLS or TLS, with optional login; ``PORTALYTICS_SMTP_*``) or, in a
dry run (the default), an .eml file per message in ``<data dir>/outbox/``.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import ssl
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid

from sqlalchemy import insert, select

from domain.learning.reminders import (
    DIGEST_STATUSES,
    Item,
    Person,
    Reminder,
    ReminderPolicy,
    learner_due_dates,
    reminders_due,
)
from domain.settings import Settings
from reports.clock import Clock, utc_now
from reports.state.audit_log import AuditRow, add_audits
from reports.state.db import transaction
from reports.state.models import ReminderSent

SMTP, OUTBOX = "smtp", "outbox"
#: The audit actor of every reminder (the pipeline, not a dashboard user).
ACTOR = "reminders"
AUDIT_ACTION = "reminder_sent"
#: Dry-run messages claimed per transaction.
OUTBOX_BATCH = 500

Send = Callable[[Message, Reminder], None]


@dataclass
class SendResult:
    #: The published compliance date the reminders were worked out for.
    day: dt.date | None
    delivery: str
    by_kind: Counter = field(default_factory=Counter)
    #: Messages the server refused (not marked sent: tried again next run).
    refused: Counter = field(default_factory=Counter)

    @property
    def sent(self) -> int:
        return sum(self.by_kind.values())


def published_inputs(
    conn, policy: ReminderPolicy | None = None
) -> tuple[dt.date | None, list[Item], list[Person]]:
    """(as-of date, compliance items, people) from the published snapshot's marts.

    Only the items a reminder can come from: those a digest lists, and those whose due date a learner
    milestone can be reached for that day (``learner_due_dates``); the rest (most of them: compliant, due
    far ahead) would only be turned into Python objects for ``reminders_due`` to pass over."""
    as_of = conn.execute("SELECT max(as_of) FROM marts.compliance_status").fetchall()[0][0]
    if as_of is None:
        return None, [], []
    earliest, latest = learner_due_dates(as_of, policy)
    rows = conn.execute(
        "SELECT person_id, requirement_id, course_title, due_date, status FROM marts.compliance_status "
        "WHERE as_of = ? AND (status IN (SELECT unnest(?)) OR due_date BETWEEN ? AND ?)",
        [as_of, list(DIGEST_STATUSES), earliest, latest],
    ).fetchall()
    people = conn.execute(
        "SELECT person_id, first_name, last_name, email, manager_person_id, termination_date "
        "FROM marts.learning_people"
    ).fetchall()
    return as_of, [Item(*r) for r in rows], [Person(*p) for p in people]


def sent_keys(settings: Settings, delivery: str) -> set[tuple[str, str, dt.date, str]]:
    with transaction(settings) as s:
        rows = s.execute(
            select(
                ReminderSent.person_id, ReminderSent.requirement_id, ReminderSent.due_date, ReminderSent.kind
            ).where(ReminderSent.delivery == delivery)
        ).all()
    return {tuple(r) for r in rows}


def _header(value: str) -> str | Header:
    # compat32 headers: EmailMessage's header objects cost ~5 ms a message, most of a dry run's time.
    return value if value.isascii() else Header(value, "utf-8")


def message(settings: Settings, reminder: Reminder, now: dt.datetime) -> Message:
    msg = MIMEText(reminder.body, "plain", "utf-8")
    msg["From"] = _header(settings.reminders_from)
    msg["To"] = reminder.to
    msg["Subject"] = _header(reminder.subject)
    msg["Date"] = formatdate(now.timestamp(), localtime=False)
    msg["Message-ID"] = make_msgid(domain="portalytics.local")
    msg["X-Portalytics-Reminder"] = reminder.kind
    return msg


@contextmanager
def smtp_sender(settings: Settings) -> Iterator[Send]:
    """One SMTP connection for the whole batch (TLS and login as the settings say)."""
    host, port, timeout = settings.smtp_host, settings.smtp_port, settings.smtp_timeout_seconds
    if settings.smtp_tls == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if settings.smtp_tls == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            client.login(settings.smtp_username, password)
        yield lambda msg, _reminder: client.send_message(msg)
    finally:
        try:
            client.quit()
        except smtplib.SMTPException:
            client.close()


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@contextmanager
def outbox_sender(settings: Settings) -> Iterator[Send]:
    """A dry run: each message as ``<outbox>/<as-of key>.eml`` (named by its key, so it is written once)."""
    settings.outbox_dir.mkdir(parents=True, exist_ok=True)

    def write(msg: Message, r: Reminder) -> None:
        name = _UNSAFE.sub("_", f"{r.due_date.isoformat()}_{r.kind}_{r.person_id}_{r.requirement_id}")
        (settings.outbox_dir / f"{name}.eml").write_bytes(msg.as_bytes())

    yield write


def send_due_reminders(
    settings: Settings,
    conn,
    *,
    policy: ReminderPolicy | None = None,
    clock: Clock = utc_now,
    sender: Callable[[Settings], object] | None = None,
) -> SendResult:
    """Send what is due as of the published compliance date and not sent before; returns the counts per
    kind."""
    delivery = OUTBOX if settings.reminders_dry_run else SMTP
    day, items, people = published_inputs(conn, policy)
    result = SendResult(day, delivery)
    if day is None:
        return result
    due = reminders_due(items, people, day, sent_keys(settings, delivery), policy)
    if not due:
        return result
    open_sender = sender or (outbox_sender if delivery == OUTBOX else smtp_sender)
    # A dry run's files are named by their key (rewriting one is harmless), so it claims in batches; real
    # e-mail is claimed, sent and audited one message per transaction.
    batch = OUTBOX_BATCH if delivery == OUTBOX else 1
    with open_sender(settings) as send:
        for start in range(0, len(due), batch):
            chunk = due[start : start + batch]
            try:
                _deliver(settings, send, chunk, delivery, clock())
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused):
                # This one message was refused: its claim is rolled back, so the next run tries again.
                result.refused[chunk[0].kind] += 1
                continue
            for reminder in chunk:
                result.by_kind[reminder.kind] += 1
    return result


def _deliver(
    settings: Settings, send: Send, reminders: list[Reminder], delivery: str, now: dt.datetime
) -> None:
    """Claim the reminders' keys, deliver them and audit them in one transaction (a failure rolls it back)."""
    with transaction(settings) as s:
        # One multi-row INSERT, not an ORM object per reminder (nothing reads them back). The unique key: a
        # concurrent run's claim fails here, before anything is sent
        s.execute(
            insert(ReminderSent),
            [
                {
                    "person_id": reminder.person_id,
                    "requirement_id": reminder.requirement_id,
                    "due_date": reminder.due_date,
                    "kind": reminder.kind,
                    "delivery": delivery,
                    "sent_at": now,
                }
                for reminder in reminders
            ],
        )
        for reminder in reminders:
            send(message(settings, reminder, now), reminder)
        add_audits(
            s,
            at=now,
            actor=ACTOR,
            actor_role=None,
            action=AUDIT_ACTION,
            rows=[
                AuditRow(
                    target=f"{r.kind} person {r.person_id} requirement {r.requirement_id}",
                    row_count=1,
                    detail=f"due {r.due_date.isoformat()} via {delivery}",
                )
                for r in reminders
            ],
        )
