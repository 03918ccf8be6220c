"""Learning Center: the course catalog, mandatory-training requirements and years of completions."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from . import formats
from .context import GenContext
from .people import Person
from .scales import END_DATE

# (title, category, contact hours in hundredths, recurrence months or None, job_role, department, due days,
#  window days or None)
MANDATORY = (
    ("Annual Compliance & Code of Conduct", "Compliance", 100, 12, "*", "*", 30, None),
    ("HIPAA Privacy & Security", "Compliance", 75, 12, "*", "*", 30, None),
    ("Fire & Life Safety", "Safety", 50, 12, "*", "*", 60, 14),
    ("New Employee Orientation", "Orientation", 400, None, "*", "*", 7, None),
    ("Bloodborne Pathogens", "Safety", 50, 12, "Registered Nurse", "*", 30, None),
    ("Bloodborne Pathogens", "Safety", 50, 12, "Patient Care Technician", "*", 30, None),
    ("Basic Life Support (BLS)", "Clinical", 400, 24, "Registered Nurse", "*", 90, 60),
    ("Basic Life Support (BLS)", "Clinical", 400, 24, "Physician", "*", 90, 60),
    ("Sepsis Bundle Essentials", "Clinical", 150, None, "Registered Nurse", "Emergency Department", 60, None),
    ("Medication Safety for Pharmacists", "Clinical", 200, 24, "Pharmacist", "*", 60, None),
    ("Workplace Violence Prevention", "Safety", 100, 12, "*", "Emergency Department", 30, None),
    ("Restraint & Seclusion", "Clinical", 100, 12, "*", "Behavioral Health", 30, 30),
    ("Radiation Safety", "Safety", 100, 12, "*", "Radiology", 30, None),
    ("Epic Clinical Documentation", "IT", 300, None, "Registered Nurse", "*", 14, None),
)
ELECTIVE_TOPICS = (
    "Leading Through Change",
    "Sepsis, Updated",
    "Difficult Conversations",
    "Excel for Managers",
    "Pain Management Update",
    "Cultural Humility in Care",
    "Wound Care Basics",
    "Delirium Prevention",
    "Diabetes Education",
    "Stroke Recognition",
    "Time Management",
    "Antimicrobial Stewardship",
    "Advance Care Planning",
    "Fall Prevention",
    "Infection Prevention Refresher",
    "Trauma-Informed Care",
)
EARLIEST_COMPLETION = date(2022, 11, 1)


@dataclass(frozen=True)
class Course:
    course_id: str
    title: str
    category: str
    hours: int  # hundredths
    active: bool


@dataclass(frozen=True)
class Requirement:
    requirement_id: str
    course: Course
    recurrence: int | None
    job_role: str
    department: str
    due_days: int
    window: int | None

    def applies_to(self, p: Person) -> bool:
        return self.job_role in ("*", p.job_role) and self.department in ("*", p.department)


def build_catalog(ctx: GenContext) -> tuple[list[Course], list[Requirement]]:
    rng = ctx.rng("lc_courses")
    courses: dict[str, Course] = {}
    reqs: list[Requirement] = []
    for i, (title, cat, hours, rec, role, dept, due, window) in enumerate(MANDATORY, start=1):
        if title not in courses:
            courses[title] = Course(f"LC{1000 + len(courses) + 1}", title, cat, hours, True)
        reqs.append(Requirement(f"REQ-{i:03d}", courses[title], rec, role, dept, due, window))
    n_electives = max(0, ctx.spec.courses - len(courses))
    for i in range(n_electives):
        topic = ELECTIVE_TOPICS[i % len(ELECTIVE_TOPICS)]
        title = topic if i < len(ELECTIVE_TOPICS) else f"{topic} ({2023 + i % 4})"
        course = Course(
            f"LC{1000 + len(courses) + 1}",
            title,
            "Elective",
            rng.choice((50, 100, 150, 200)),
            rng.random() > 0.1,
        )
        courses[f"elective-{i}"] = course
    return list(courses.values()), reqs


def write_catalog(ctx: GenContext, courses: list[Course], reqs: list[Requirement]) -> None:
    sw = ctx.writer("lc_courses", len(courses))
    with sw.open(
        "courses.csv",
        expected_rows=len(courses),
        defects=ctx.defects("lc_courses", 1, 0)[0],
        encoding="utf-8-sig",
    ) as out:
        for c in courses:
            out.write(
                {
                    "course_id": c.course_id,
                    "title": c.title,
                    "category": c.category,
                    "contact_hours": formats.money(c.hours),
                    "active": formats.boolean(c.active, 1),
                }
            )
    ctx.done(sw)
    sw = ctx.writer("lc_requirements", len(reqs))
    with sw.open(
        "requirements.csv", expected_rows=len(reqs), defects=ctx.defects("lc_requirements", 1, 0)[0]
    ) as out:
        for r in reqs:
            out.write(
                {
                    "requirement_id": r.requirement_id,
                    "course_id": r.course.course_id,
                    "job_role": r.job_role,
                    "department": r.department,
                    "recurrence_months": None if r.recurrence is None else str(r.recurrence),
                    "due_days_after_hire": str(r.due_days),
                    "window_days": None if r.window is None else str(r.window),
                }
            )
    ctx.truth.set("lc_requirements", "requirements", len(reqs))
    ctx.truth.set(
        "lc_requirements", "for_everyone", sum(1 for r in reqs if r.job_role == r.department == "*")
    )
    ctx.truth.set("lc_requirements", "once", sum(1 for r in reqs if r.recurrence is None))
    ctx.done(sw)


COMPLETION_YEARS = (2023, 2024, 2025, 2026)


def write_completions(
    ctx: GenContext, people: list[Person], courses: list[Course], reqs: list[Requirement]
) -> None:
    """Per person and requirement, a history of attempts; one file per calendar year of completed_at.

    The 2023 file comes from the old LMS and stamps UTC (``Z``); later ones the organisation's local offset.
    The old LMS also migrated the one-off courses long-tenured staff completed before the history starts (in
    the 2023 file, with their original dates), so nobody is overdue for decades.
    """
    rng = ctx.rng("lc_completions")
    expected = len(people) * 9
    sw = ctx.writer("lc_completions", expected)
    defects = ctx.defects("lc_completions", len(COMPLETION_YEARS), expected)
    files = {
        year: sw.open(
            f"completions_{year}.csv",
            expected_rows=expected // 4,
            defects=defects[i],
            encoding="utf-8-sig" if year == 2024 else "utf-8",
        )
        for i, year in enumerate(COMPLETION_YEARS)
    }
    electives = [c for c in courses if c.category == "Elective"]
    counter = iter(range(1, 10**9))
    statuses: dict[str, int] = {}
    for p in people:
        attempts: list[tuple[date, Course, str]] = []
        for r in reqs:
            if r.applies_to(p):
                attempts.extend(_history(rng, p, r))
        lo, hi = max(p.hire_date, EARLIEST_COMPLETION), _last_day(p)
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3)) if electives and lo <= hi else 0):
            d = formats.random_day(rng, lo, hi)
            attempts.append((d, rng.choice(electives), "completed"))
        for d, course, status in attempts:
            if d > END_DATE:
                continue
            statuses[status] = statuses.get(status, 0) + 1
            files[max(d.year, 2023)].write(_completion_row(rng, next(counter), p, course, d, status))
    for f in files.values():
        f.close()
    ctx.truth.set("lc_completions", "by_status", dict(sorted(statuses.items())))
    ctx.done(sw)


def _last_day(p: Person) -> date:
    return min(END_DATE, p.termination_date - timedelta(days=1)) if p.termination_date else END_DATE


def _history(rng: random.Random, p: Person, r: Requirement) -> list[tuple[date, Course, str]]:
    last = _last_day(p)
    first = p.hire_date + timedelta(days=rng.randint(0, r.due_days + 15))
    out: list[tuple[date, Course, str]] = []
    if r.recurrence is None:
        roll = rng.random()
        if first < EARLIEST_COMPLETION:
            # Long-tenured staff took the one-off courses decades ago; the old LMS's migrated history has them
            # (without it every "once" course of a 1990s hire would read as 30 years overdue).
            return [(first, r.course, "waived" if roll < 0.08 else "completed")] if first <= last else []
        if roll < 0.05:
            return out  # never done: overdue
        if roll < 0.08:
            out.append((first, r.course, "waived"))
        elif roll < 0.11:
            out.append((first, r.course, "in_progress"))
        else:
            if roll < 0.15:
                out.append((first - timedelta(days=rng.randint(1, 5)), r.course, "failed"))
            out.append((first, r.course, "completed"))
        return [a for a in out if a[0] <= last]
    t = first
    while t < EARLIEST_COMPLETION:
        t = formats.add_months(t, r.recurrence)
    while t <= last:
        if rng.random() < 0.04:
            out.append((t - timedelta(days=rng.randint(1, 5)), r.course, "failed"))
        out.append((t, r.course, "waived" if rng.random() < 0.01 else "completed"))
        t = formats.add_months(t, r.recurrence) - timedelta(days=rng.randint(0, 40))
        if (
            rng.random() < 0.04
        ):  # lapsed: the requirement goes overdue, sometimes with a course left unfinished
            if rng.random() < 0.4 and t <= last:
                out.append((t, r.course, "in_progress"))
            break
        if rng.random() < 0.08:
            t += timedelta(days=rng.randint(45, 90))  # renewed late, after expiry
    return out


def _completion_row(rng: random.Random, n: int, p: Person, c: Course, d: date, status: str) -> dict:
    moment = formats.local(d, rng.randint(7 * 60, 22 * 60 - 1))
    if status == "completed":
        score = f"{rng.randint(70, 100)}" if rng.random() < 0.5 else f"{rng.randint(7000, 10000) / 100:.2f}"
    elif status == "failed":
        score = f"{rng.randint(30, 69)}"
    else:
        score = None
    return {
        "completion_id": f"C{n:08d}",
        "lc_user_id": formats.lc_user_id(p.birth_date, p.ssn4, rng.choice(formats.LC_USER_ID_FORMS)),
        "course_id": c.course_id,
        "completed_at": formats.ts(moment, "Z") if d.year <= 2023 else formats.ts_local(moment),
        "status": status,
        "score": score,
        "hours": formats.money(c.hours) if status in ("completed", "waived") and rng.random() < 0.9 else None,
    }
