"""Which reminders are due on a day (domain.learning.reminders), on hand-built rows with hand-counted
dates."""

import datetime as dt

from domain.learning.reminders import (
    DUE_IN_1,
    DUE_IN_14,
    DUE_IN_30,
    MANAGER_DIGEST,
    OVERDUE,
    Item,
    Person,
    ReminderPolicy,
    learner_due_dates,
    learner_kind,
    reminders_due,
)

D = dt.date
DUE = D(2026, 7, 31)
ANN = Person("P1", "Ann", "Lee", "ann@example.org", manager_person_id="M1")
BOB = Person("P2", "Bob", "Ray", "bob@example.org", manager_person_id="M1")
MIA = Person("M1", "Mia", "Park", "mia@example.org")


def test_each_milestone_is_reached_on_its_own_day():
    strict = ReminderPolicy(catch_up_days=0)
    assert learner_kind(DUE, D(2026, 7, 1), strict) == DUE_IN_30  # 31 July − 30 days = 1 July
    assert learner_kind(DUE, D(2026, 7, 17), strict) == DUE_IN_14  # 31 − 14 = 17 July
    assert learner_kind(DUE, D(2026, 7, 30), strict) == DUE_IN_1
    assert learner_kind(DUE, D(2026, 8, 1), strict) == OVERDUE  # overdue from the day after the due date
    assert learner_kind(DUE, D(2026, 6, 30), strict) is None  # 31 days before: nothing yet
    assert learner_kind(DUE, D(2026, 7, 2), strict) is None  # the 30-day one was yesterday: no catch-up


def test_a_missed_day_is_caught_up_with_only_the_latest_milestone():
    policy = ReminderPolicy(catch_up_days=6)
    assert learner_kind(DUE, D(2026, 7, 7), policy) == DUE_IN_30  # 6 days late: still sent
    assert learner_kind(DUE, D(2026, 7, 8), policy) is None  # 7 days late: too old
    assert learner_kind(DUE, D(2026, 7, 20), policy) == DUE_IN_14  # not the 30-day one as well
    assert learner_kind(DUE, D(2026, 8, 7), policy) == OVERDUE  # 6 days after it became overdue
    assert learner_kind(D(1999, 1, 1), D(2026, 8, 7), policy) is None  # an old overdue item: no mail now


def test_the_due_dates_a_learner_reminder_can_come_from_on_a_day():
    day = D(2026, 7, 1)
    # overdue from the day after the due date, 6 days' catch-up: due 24 June is the oldest; 30 days ahead
    assert learner_due_dates(day) == (D(2026, 6, 24), D(2026, 7, 31))
    assert learner_kind(D(2026, 6, 24), day, ReminderPolicy()) == OVERDUE
    assert learner_kind(D(2026, 6, 23), day, ReminderPolicy()) is None
    assert learner_kind(D(2026, 7, 31), day, ReminderPolicy()) == DUE_IN_30
    assert learner_kind(D(2026, 8, 1), day, ReminderPolicy()) is None
    assert learner_due_dates(day, ReminderPolicy(catch_up_days=0)) == (D(2026, 6, 30), D(2026, 7, 31))


def test_learner_reminders_with_subject_and_body_and_never_to_the_terminated_or_without_email():
    gone = Person("P3", "Cy", "Old", "cy@example.org", "M1", termination_date=D(2026, 7, 1))
    no_mail = Person("P4", "Dee", "Nomail", None, "M1")
    items = [
        Item("P1", "R1", "Fire safety", DUE, "due_soon"),
        Item("P2", "R1", "Fire safety", D(2026, 6, 30), "overdue"),  # overdue since 1 July
        Item("P3", "R1", "Fire safety", DUE, "due_soon"),
        Item("P4", "R1", "Fire safety", DUE, "due_soon"),
        Item("P1", "R2", "Hand hygiene", None, "compliant"),  # a `once` requirement done: nothing due
    ]
    day = D(2026, 7, 1)
    got = [r for r in reminders_due(items, [ANN, BOB, MIA, gone, no_mail], day) if r.kind != MANAGER_DIGEST]
    assert [(r.to, r.kind, r.requirement_id, r.due_date) for r in got] == [
        ("ann@example.org", DUE_IN_30, "R1", DUE),
        ("bob@example.org", OVERDUE, "R1", D(2026, 6, 30)),
    ]
    assert got[0].subject == "Reminder: Fire safety is due in 30 days (2026-07-31)"
    assert "Dear Ann Lee," in got[0].body and "due in 30 days, on 2026-07-31" in got[0].body
    assert got[1].subject == "Overdue: Fire safety was due 2026-06-30"


def test_what_was_sent_is_not_sent_again():
    items = [Item("P1", "R1", "Fire safety", DUE, "due_soon")]
    day = D(2026, 7, 17)
    [first, digest] = reminders_due(items, [ANN, MIA], day)
    assert (first.kind, digest.kind) == (DUE_IN_14, MANAGER_DIGEST)
    assert reminders_due(items, [ANN, MIA], day, sent={first.key, digest.key}) == []
    # a renewed requirement has a new due date: a new key, so it is reminded again
    renewed = [Item("P1", "R1", "Fire safety", D(2027, 7, 31), "compliant")]
    assert [r.kind for r in reminders_due(renewed, [ANN], D(2027, 7, 1), sent={first.key})] == [DUE_IN_30]


def test_a_weekly_digest_per_manager_lists_their_peoples_overdue_and_due_soon_items():
    items = [
        Item("P1", "R1", "Fire safety", D(2026, 7, 20), "due_soon"),
        Item("P2", "R1", "Fire safety", D(2026, 6, 1), "overdue"),
        Item("P2", "R2", "Hand hygiene", D(2027, 1, 1), "compliant"),  # not in a digest
    ]
    day = D(2026, 7, 9)  # a Thursday: the digest belongs to the week of Monday 6 July
    [digest] = [r for r in reminders_due(items, [ANN, BOB, MIA], day) if r.kind == MANAGER_DIGEST]
    assert (digest.to, digest.person_id, digest.due_date) == ("mia@example.org", "M1", D(2026, 7, 6))
    assert digest.subject == "Weekly compliance digest: 1 overdue, 1 due soon"
    assert digest.body.splitlines()[4:] == [
        "Overdue:",
        "- Ray, Bob: Fire safety (due 2026-06-01, 38 days overdue)",  # 30 June + 8 days of July
        "",
        "Due soon:",
        "- Lee, Ann: Fire safety (due 2026-07-20)",
    ]
    # later the same week: already sent; the next Monday: a new digest
    later = reminders_due(items, [ANN, BOB, MIA], D(2026, 7, 10), sent={digest.key})
    assert [r.kind for r in later] == [DUE_IN_14]  # Ann's own 14-day reminder (6 July, caught up), no digest
    next_week = reminders_due(items, [ANN, BOB, MIA], D(2026, 7, 13), sent={digest.key})
    assert [(r.kind, r.due_date) for r in next_week if r.kind == MANAGER_DIGEST] == [
        (MANAGER_DIGEST, D(2026, 7, 13))
    ]


def test_no_digest_to_a_terminated_manager():
    gone = Person("M1", "Mia", "Park", "mia@example.org", termination_date=D(2026, 7, 1))
    items = [Item("P2", "R1", "Fire safety", D(2026, 6, 1), "overdue")]
    assert [r.kind for r in reminders_due(items, [BOB, gone], D(2026, 7, 9))] == []
