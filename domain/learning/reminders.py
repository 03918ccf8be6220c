"""Compliance reminders (domain-rules.md, "Clarifications": reminders): which e-mails are due on a day.

- A learner gets one e-mail 30, 14 and 1 days before a requirement's due date and one on the day it becomes
  overdue (the day after the due date: a requirement is overdue when its due date is before the as-of date).
- Each manager gets a weekly digest of their direct reports' overdue and due-soon items (one per ISO week).
- At most once per (person, requirement, due date, kind); never to a terminated person (nor a terminated
  manager); nobody without an e-mail address.

A run that did not happen on the exact day (a weekend, an outage) still sends a milestone reached within the
last ``catch_up_days``, but only the most recent one: a learner never gets the 30-day and the 14-day e-mail on
the same morning, and turning reminders on over old data does not mail everyone about years-old items.

Pure Python over plain rows: the pipeline hands in the published compliance status and people, and the keys
already sent; the rule returns the reminders to send, each with its message text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Set
from dataclasses import dataclass

DUE_IN_30 = "due_in_30"
DUE_IN_14 = "due_in_14"
DUE_IN_1 = "due_in_1"
OVERDUE = "overdue"
MANAGER_DIGEST = "manager_digest"
#: Learner kinds with the day each is reached, in days relative to the due date (−1 = 1 day before).
LEARNER_MILESTONES: tuple[tuple[str, int], ...] = (
    (DUE_IN_30, -30),
    (DUE_IN_14, -14),
    (DUE_IN_1, -1),
    (OVERDUE, 1),
)
KINDS: tuple[str, ...] = (*(k for k, _ in LEARNER_MILESTONES), MANAGER_DIGEST)
#: requirement_id of a manager digest's key (a digest is about many requirements).
DIGEST_REQUIREMENT = "*"
#: The statuses a manager digest lists.
DIGEST_STATUSES: tuple[str, ...] = ("overdue", "due_soon")


@dataclass(frozen=True)
class ReminderPolicy:
    #: A milestone missed by at most this many days (no run that day) is still sent.
    catch_up_days: int = 6


@dataclass(frozen=True)
class Person:
    person_id: str
    first_name: str
    last_name: str
    email: str | None
    manager_person_id: str | None = None
    termination_date: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.termination_date is None or self.termination_date > day


@dataclass(frozen=True)
class Item:
    """One row of compliance status: a person's requirement with its due date and status as of the day."""

    person_id: str
    requirement_id: str
    course_title: str
    due_date: dt.date | None
    status: str


@dataclass(frozen=True)
class Reminder:
    kind: str
    #: The person the e-mail is about and goes to (the manager, for a digest).
    person_id: str
    requirement_id: str
    #: The due date of the requirement; for a digest the Monday of its week.
    due_date: dt.date
    to: str
    subject: str
    body: str

    @property
    def key(self) -> tuple[str, str, dt.date, str]:
        return (self.person_id, self.requirement_id, self.due_date, self.kind)


def learner_kind(due_date: dt.date, day: dt.date, policy: ReminderPolicy) -> str | None:
    """The most recent learner milestone reached on ``day`` for ``due_date``, if reached within the
    catch-up."""
    since_due = (day - due_date).days  # negative before the due date
    reached = None
    for kind, offset in LEARNER_MILESTONES:  # in the order they are reached
        if offset <= since_due:
            reached = (kind, offset)
    if reached is None:
        return None
    kind, offset = reached
    return kind if since_due - offset <= policy.catch_up_days else None


def learner_due_dates(day: dt.date, policy: ReminderPolicy | None = None) -> tuple[dt.date, dt.date]:
    """(earliest, latest) due date for which :func:`learner_kind` can name a milestone on ``day``.

    Outside it the first milestone is not reached yet, or the last one was missed by more than the
    catch-up, so an item there matters only to a digest (:data:`DIGEST_STATUSES`): the caller may leave the
    other items unread."""
    policy = policy or ReminderPolicy()
    offsets = [offset for _, offset in LEARNER_MILESTONES]
    earliest = day - dt.timedelta(days=max(offsets) + policy.catch_up_days)
    return earliest, day - dt.timedelta(days=min(offsets))


def _learner_message(person: Person, item: Item, kind: str, day: dt.date) -> tuple[str, str]:
    due = item.due_date.isoformat()
    if kind == OVERDUE:
        subject = f"Overdue: {item.course_title} was due {due}"
        first = f"Your required training {item.course_title} was due on {due} and is now overdue."
    else:
        days = (item.due_date - day).days
        when = "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
        subject = f"Reminder: {item.course_title} is due {when} ({due})"
        first = f"Your required training {item.course_title} is due {when}, on {due}."
    body = (
        f"Dear {person.first_name} {person.last_name},\n\n{first}\n"
        "Please complete it in the Learning Center.\n\n"
        f"(Compliance as of {day.isoformat()}; requirement {item.requirement_id}.)\n"
    )
    return subject, body


def _digest_message(manager: Person, rows: list[tuple[Person, Item]], day: dt.date) -> tuple[str, str]:
    overdue = [(p, i) for p, i in rows if i.status == "overdue"]
    soon = [(p, i) for p, i in rows if i.status == "due_soon"]
    subject = f"Weekly compliance digest: {len(overdue)} overdue, {len(soon)} due soon"
    lines = [
        f"Dear {manager.first_name} {manager.last_name},",
        "",
        f"Your team's training as of {day.isoformat()}:",
    ]
    for title, group in (("Overdue", overdue), ("Due soon", soon)):
        if group:
            lines += ["", f"{title}:"]
            for p, i in group:
                late = f", {(day - i.due_date).days} days overdue" if i.status == "overdue" else ""
                lines.append(
                    f"- {p.last_name}, {p.first_name}: {i.course_title} (due {i.due_date.isoformat()}{late})"
                )
    return subject, "\n".join(lines) + "\n"


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def reminders_due(
    items: Iterable[Item],
    people: Iterable[Person],
    day: dt.date,
    sent: Set[tuple[str, str, dt.date, str]] = frozenset(),
    policy: ReminderPolicy | None = None,
) -> list[Reminder]:
    """The learner reminders and manager digests to send on ``day`` that are not in ``sent`` (their keys)."""
    policy = policy or ReminderPolicy()
    directory = {p.person_id: p for p in people}
    out: list[Reminder] = []
    team: dict[str, list[tuple[Person, Item]]] = {}
    for item in sorted(items, key=lambda i: (i.person_id, i.due_date or dt.date.max, i.requirement_id)):
        person = directory.get(item.person_id)
        if person is None or not person.active_on(day) or item.due_date is None:
            continue
        if item.status in DIGEST_STATUSES and person.manager_person_id:
            team.setdefault(person.manager_person_id, []).append((person, item))
        kind = learner_kind(item.due_date, day, policy)
        if kind is None or not person.email:
            continue
        key = (person.person_id, item.requirement_id, item.due_date, kind)
        if key in sent:
            continue
        subject, body = _learner_message(person, item, kind, day)
        out.append(
            Reminder(kind, person.person_id, item.requirement_id, item.due_date, person.email, subject, body)
        )
    monday = week_start(day)
    for manager_id, rows in sorted(team.items()):
        manager = directory.get(manager_id)
        if manager is None or not manager.email or not manager.active_on(day):
            continue
        if (manager_id, DIGEST_REQUIREMENT, monday, MANAGER_DIGEST) in sent:
            continue
        rows.sort(key=lambda r: (r[1].due_date, r[0].last_name, r[0].first_name, r[1].requirement_id))
        subject, body = _digest_message(manager, rows, day)
        out.append(
            Reminder(MANAGER_DIGEST, manager_id, DIGEST_REQUIREMENT, monday, manager.email, subject, body)
        )
    return out
