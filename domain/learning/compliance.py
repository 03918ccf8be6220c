"""Learning Center compliance (domain-rules.md, "Learning Center: compliance") as Ibis expressions.

The rules are set-based expressions over staging-shaped tables, so the same code runs on DuckDB and on Spark:
:func:`compliance_status` gives one row per (active person, applicable requirement) with its due date and
status as of ``policy.as_of``; :func:`compliance_rollup` counts statuses per department, manager or job role.
Everything after the as-of date (hires, completions) is invisible, so an earlier as-of rebuilds that date's
snapshot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from domain.learning.identity import normalised_lc_user_id
from domain.org_time import local_date
from domain.settings import DEFAULT_ORG_TIMEZONE

OVERDUE = "overdue"
DUE_SOON = "due_soon"
COMPLIANT = "compliant"
NOT_DUE_YET = "not_due_yet"
STATUSES: tuple[str, ...] = (OVERDUE, DUE_SOON, COMPLIANT, NOT_DUE_YET)
#: Completion statuses that satisfy a requirement; ``failed`` and ``in_progress`` never do.
QUALIFYING_STATUSES: tuple[str, ...] = ("completed", "waived")
#: ``*`` in a requirement's job_role or department matches everyone.
ANY = "*"

STATUS_COLUMNS: tuple[str, ...] = (
    "person_id",
    "requirement_id",
    "course_id",
    "due_date",
    "status",
    "department",
    "job_role",
    "manager_person_id",
    "first_name",
    "last_name",
    "course_title",
    "last_completion",
    "expires_on",
    "window_days",
    "as_of",
)
#: Keys the rollup marts are grouped by (one mart each).
ROLLUP_KEYS: tuple[str, ...] = ("department", "manager_person_id", "job_role")


@dataclass(frozen=True)
class CompliancePolicy:
    as_of: dt.date
    #: Days before the due date that count as "due soon" when a requirement leaves window_days empty.
    default_window_days: int = 30
    #: A completion's date is the date of completed_at (stored as UTC) in this time zone.
    org_timezone: str = DEFAULT_ORG_TIMEZONE


def active_people(people: ir.Table, as_of: dt.date) -> ir.Table:
    """Hired on or before ``as_of`` and not terminated as of it (a termination_date on or before it ends
    it)."""
    day = ibis.literal(as_of)
    return people.filter(
        people.hire_date <= day,
        people.termination_date.isnull() | (people.termination_date > day),
    )


def qualifying_completions(completions: ir.Table, policy: CompliancePolicy) -> ir.Table:
    """Latest qualifying completion date per (normalised lc_user_id, course_id), as of the policy date."""
    on = local_date(completions.completed_at, policy.org_timezone)
    rows = completions.filter(completions.status.isin(QUALIFYING_STATUSES)).mutate(
        uid=normalised_lc_user_id(completions.lc_user_id), completed_on=on
    )
    rows = rows.filter(rows.completed_on <= ibis.literal(policy.as_of))
    return rows.group_by(["uid", "course_id"]).aggregate(last_completion=rows.completed_on.max())


def applicable_requirements(people: ir.Table, requirements: ir.Table, as_of: dt.date) -> ir.Table:
    """One row per active person and each requirement whose job_role and department match theirs (``*`` =
    all)."""
    p = active_people(people, as_of).mutate(uid=normalised_lc_user_id(people.lc_user_id))
    r = requirements.rename(req_job_role="job_role", req_department="department")
    matches = ((r.req_job_role == ANY) | (r.req_job_role == p.job_role)) & (
        (r.req_department == ANY) | (r.req_department == p.department)
    )
    return p.inner_join(r, matches)


def compliance_status(
    people: ir.Table,
    courses: ir.Table,
    requirements: ir.Table,
    completions: ir.Table,
    policy: CompliancePolicy,
) -> ir.Table:
    """Due date and status of every applicable requirement for every active person, as of ``policy.as_of``.

    Tables are staging-shaped (``lc_people``, ``lc_courses``, ``lc_requirements``, ``lc_completions``); the
    lc_user_id may be in any accepted form on either side. Columns: :data:`STATUS_COLUMNS`.
    """
    day = ibis.literal(policy.as_of)
    applies = applicable_requirements(people, requirements, policy.as_of)
    done = qualifying_completions(completions, policy)
    rows = applies.left_join(done, [applies.uid == done.uid, applies.course_id == done.course_id])
    titles = courses.select(title_course_id="course_id", course_title="title")
    rows = rows.left_join(titles, rows.course_id == titles.title_course_id)
    return _status_rows(rows, day, policy).select(*STATUS_COLUMNS)


def _status_rows(rows: ir.Table, day: ir.DateValue, policy: CompliancePolicy) -> ir.Table:
    """:data:`STATUS_COLUMNS` of a (person, requirement) row with its ``last_completion`` as of ``day`` (a
    date, or a column of ``rows`` such as the history's month-end) and ``course_title`` (NULL for a course
    with no title row)."""
    window = rows.window_days.fill_null(policy.default_window_days)
    expires_on = ibis.cases(
        (
            rows.last_completion.notnull() & rows.recurrence_months.notnull(),
            rows.last_completion + rows.recurrence_months.as_interval("M"),
        ),
        else_=ibis.null(),
    ).cast("date")
    first_due = (rows.hire_date + rows.due_days_after_hire.as_interval("D")).cast("date")
    # With a qualifying completion the due date is its expiry (NULL for a `once` requirement: nothing more is
    # due).
    due_date = ibis.cases((rows.last_completion.isnull(), first_due), else_=expires_on).cast("date")
    horizon = day + window.as_interval("D")
    status = ibis.cases(
        (due_date.isnull(), COMPLIANT),
        (due_date < day, OVERDUE),
        (due_date <= horizon, DUE_SOON),
        (rows.last_completion.notnull(), COMPLIANT),
        else_=NOT_DUE_YET,
    )
    return rows.mutate(
        due_date=due_date,
        status=status,
        course_title=rows.course_title.fill_null(rows.course_id),
        expires_on=expires_on,
        window_days=window.cast("int32"),
        as_of=day,
    )


def compliance_rollup(status: ir.Table, by: str) -> ir.Table:
    """Counts per status and % compliant per value of ``by`` (department, manager_person_id or job_role).

    ``not_due_yet`` rows are counted but left out of the percentage: pct_compliant = compliant /
    (overdue + due_soon + compliant) × 100, one decimal, NULL when nothing is assessed. For managers only rows
    with a manager count (a manager's direct reports).
    """
    rows = status.filter(status[by].notnull()) if by == "manager_person_id" else status
    counts = _status_counts(rows)
    grouped = rows.group_by(by).aggregate(
        people=rows.person_id.nunique(),
        requirements=rows.count(),
        **counts,
        as_of=rows.as_of.max(),
    )
    return _with_pct(grouped).order_by(by)


def _status_counts(rows: ir.Table) -> dict[str, ir.Value]:
    return {f"n_{s}": (rows.status == s).cast("int64").sum().cast("int64") for s in STATUSES}


def _with_pct(grouped: ir.Table) -> ir.Table:
    """n_assessed and pct_compliant = compliant / (overdue + due_soon + compliant) × 100, one decimal."""
    assessed = grouped.n_overdue + grouped.n_due_soon + grouped.n_compliant
    pct = ibis.cases(
        (assessed > 0, (grouped.n_compliant.cast("decimal(18,4)") * 100 / assessed).round(1)),
        else_=ibis.null(),
    ).cast("decimal(5,1)")
    return grouped.mutate(n_assessed=assessed, pct_compliant=pct)


# --- Month-end history (domain-rules.md, "Clarifications": compliance history)
# ---------------------------------

#: Columns of ``marts.compliance_history``: the month-end, then every column of :func:`compliance_status`
#: (whose ``as_of`` is that month-end), so the read side treats a month-end exactly like the run's own as-of
#: date.
HISTORY_COLUMNS: tuple[str, ...] = ("month_end", *STATUS_COLUMNS)


def default_as_of(today: dt.date, data_last_day: dt.date | None) -> dt.date:
    """The as-of date when none is asked for: today, or the data's last day when today is past it."""
    return today if data_last_day is None or today <= data_last_day else data_last_day


def month_ends(first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    """Every month-end from ``first_day``'s month through the last month-end on or before ``last_day``."""
    out: list[dt.date] = []
    year, month = first_day.year, first_day.month
    while True:
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        end = nxt - dt.timedelta(days=1)
        if end > last_day:
            return out
        out.append(end)
        year, month = nxt.year, nxt.month


def history_month_ends(first_day: dt.date | None, last_day: dt.date | None, max_months: int) -> list[dt.date]:
    """The month-ends the data covers (first to last completion), at most the ``max_months`` most recent."""
    if first_day is None or last_day is None:
        return []
    return month_ends(first_day, last_day)[-max_months:] if max_months > 0 else []


def completion_days(completions: ir.Table, org_timezone: str) -> ir.Table:
    """(first_day, last_day): the earliest and latest completion dates in org time, one row."""
    on = local_date(completions.completed_at, org_timezone)
    return completions.aggregate(first_day=on.min(), last_day=on.max())


def completion_spans(completions: ir.Table, org_timezone: str) -> ir.Table:
    """The spans of days over which a (normalised lc_user_id, course_id) has one last qualifying completion:
    from each completion day (``completed_on``) to the day before the pair's next (``next_on``, NULL after
    the last), and before the first one a span with no completion (``completed_on`` NULL). As of a day D
    the pair's last completion is the ``completed_on`` of its one span with ``completed_on <= D < next_on``
    (a NULL end being open). Columns ``uid, course_id, completed_on, next_on``."""
    rows = completions.filter(completions.status.isin(QUALIFYING_STATUSES))
    days = rows.select(
        uid=normalised_lc_user_id(rows.lc_user_id),
        course_id=rows.course_id,
        completed_on=local_date(rows.completed_at, org_timezone),
    ).distinct()
    after = ibis.window(group_by=[days.uid, days.course_id], order_by=days.completed_on)
    done = days.mutate(next_on=days.completed_on.lead().over(after))
    before = days.group_by(["uid", "course_id"]).aggregate(
        completed_on=ibis.null("date"), next_on=days.completed_on.min()
    )
    return ibis.union(done, before.select(*done.columns), distinct=False)


def compliance_history(
    people: ir.Table,
    courses: ir.Table,
    requirements: ir.Table,
    completions: ir.Table,
    days: list[dt.date],
    policy: CompliancePolicy,
    spans: ir.Table | None = None,
) -> ir.Table | None:
    """:func:`compliance_status` as of each month-end in ``days`` (``policy.as_of`` replaced), stacked, with
    the month-end first (:data:`HISTORY_COLUMNS`); None for no months.

    One pass over all the month-ends rather than a status query per month-end: every person's applicable
    requirements with the completion spans of each (:func:`completion_spans`; ``spans`` when the caller has
    them already), joined to the month-ends at which the person is active and the span holds. The rows equal
    :func:`compliance_status` as of each month-end (tests/learning/test_compliance_history.py).
    """
    if not days:
        return None
    if spans is None:
        spans = completion_spans(completions, policy.org_timezone)
    # A table of the month-ends: the one row of an aggregate, unnested (no backend-specific literal table).
    months = requirements.aggregate(n=requirements.count()).select(
        month_end=ibis.literal(days, type="array<date>").unnest()
    )
    people = people.mutate(uid=normalised_lc_user_id(people.lc_user_id))
    r = requirements.rename(req_job_role="job_role", req_department="department")
    applies = people.inner_join(
        r,
        ((r.req_job_role == ANY) | (r.req_job_role == people.job_role))
        & ((r.req_department == ANY) | (r.req_department == people.department)),
    )
    titles = courses.select(title_course_id="course_id", course_title="title")
    applies = applies.left_join(titles, applies.course_id == titles.title_course_id)
    held = spans.select(
        s_uid="uid", s_course_id="course_id", last_completion="completed_on", next_on="next_on"
    )
    # A pair with no qualifying completion at all gets one open span with none (the left join's NULLs).
    applies = applies.left_join(held, [applies.uid == held.s_uid, applies.course_id == held.s_course_id])
    rows = applies.inner_join(
        months,
        [
            # active at the month-end (as ``active_people``)
            applies.hire_date <= months.month_end,
            applies.termination_date.isnull() | (applies.termination_date > months.month_end),
            # the span that holds at the month-end
            applies.last_completion.isnull() | (applies.last_completion <= months.month_end),
            applies.next_on.isnull() | (months.month_end < applies.next_on),
        ],
    )
    return _status_rows(rows, rows.month_end, policy).select(*HISTORY_COLUMNS)


#: Keys of ``marts.compliance_trend`` beside the month-end. Department is what the Compliance page trends by,
#: and the scope of an education manager: the read side keeps the manager's departments and re-adds their
#: counts.
TREND_KEYS: tuple[str, ...] = ("department",)
#: Columns of ``marts.compliance_trend``: month-end, keys, one count per status.
TREND_COLUMNS: tuple[str, ...] = ("month_end", *TREND_KEYS, *(f"n_{s}" for s in STATUSES))


def compliance_trend_counts(history: ir.Table) -> ir.Table:
    """Requirements per status per month-end and :data:`TREND_KEYS` value: the rows of
    ``marts.compliance_trend``.

    Tens of rows per month where ``compliance_history`` holds a row per person and requirement, so a dashboard
    rerun reads the trend without scanning the history.
    """
    grouped = history.group_by(["month_end", *TREND_KEYS]).aggregate(**_status_counts(history))
    return grouped.select(*TREND_COLUMNS)


def compliance_trend(counts: ir.Table, by: str) -> ir.Table:
    """% compliant (as :func:`compliance_rollup`) per month-end and value of ``by``, oldest month first.

    ``counts`` holds rows of :func:`compliance_trend_counts`, any subset of them (e.g. a manager's
    departments): counts add up, percentages do not, so they are summed first and the percentage taken after.
    """
    if by not in TREND_KEYS:
        raise ValueError(f"compliance trend by {by!r}: expected one of {list(TREND_KEYS)}")
    sums = {f"n_{s}": counts[f"n_{s}"].sum().cast("int64") for s in STATUSES}
    grouped = counts.group_by(["month_end", by]).aggregate(**sums)
    return _with_pct(grouped).order_by(["month_end", by])
