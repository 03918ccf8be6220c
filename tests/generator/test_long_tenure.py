"""Long-tenured staff carry their one-off courses from the old LMS, so nobody is overdue for decades."""

import csv
import random
from datetime import date

from pipelines.generator import learning
from pipelines.generator.learning import EARLIEST_COMPLETION, Course, Requirement
from pipelines.generator.people import Person

ORIENTATION = Course("LC1", "New Employee Orientation", "Orientation", 400, True)
ONCE = Requirement("REQ-1", ORIENTATION, None, "*", "*", 7, None)


def _person(hired: date, terminated: date | None = None) -> Person:
    return Person(
        "P1",
        "Ann",
        "Lee",
        "F",
        date(1960, 1, 1),
        "1234",
        "ann@example.org",
        "ICU",
        "Registered Nurse",
        None,
        hired,
        terminated,
        False,
        "RN",
        "compact",
    )


def test_a_1995_hire_has_their_one_off_course_from_the_year_they_were_hired_whatever_the_dice():
    for seed in range(200):  # the 5 % "never done" and 3 % "in progress" rolls included
        history = learning._history(random.Random(seed), _person(date(1995, 3, 1)), ONCE)
        assert len(history) == 1, seed
        done_on, course, status = history[0]
        assert status in ("completed", "waived")
        assert date(1995, 3, 1) <= done_on <= date(1995, 3, 1 + 7 + 15)  # within due days + 15 of hire


def test_the_generated_old_lms_file_holds_completions_from_before_the_history(tiny):
    path = tiny.landing_dir / "lc_completions" / "completions_2023.csv"
    with path.open(encoding="utf-8") as f:
        days = [row["completed_at"][:10] for row in csv.DictReader(f) if row.get("completed_at")]
    early = [d for d in days if d[:4].isdigit() and d < EARLIEST_COMPLETION.isoformat()]
    assert early, "no migrated completions"
    assert min(early) < "2000-01-01"  # someone hired in the 1990s
