"""Health-plan reads for the dashboard, each scoped to the principal where the data is queried.

Who sees what:
- employer (scope: employer_id): the roster, adds and terms, and eligibility of their own members only; no
  claim or accumulator detail (that is health information the employer does not get).
- member (scope: member_id): their own claims, cost share, accumulators and eligibility; a subscriber also
  sees the family accumulators and the claims and individual totals of each dependent, except a dependent aged
  18 or more on the viewing day who has not granted access (:mod:`domain.health_plan.member_privacy`,
  :mod:`reports.health_plan.access`): their lines are left out by the query itself.
- provider (scope: NPI): claim status and cost share of claims billed under their own NPI; eligibility and
  benefits of any member by member id AND birth date in :mod:`reports.health_plan.eligibility` (totals, never
  lines).
- admin: everything.
Any other role, or a scoped role without a scope value, gets :class:`NotPermitted`. Asking about a member
outside one's scope and about a member that does not exist get the same refusal, so the answer reveals
nothing.

Every function takes the published snapshot's DuckDB connection and returns a pandas frame whose money columns
hold ``Decimal`` (read through Arrow, never as floats).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd

from domain.health_plan.accumulators import pct_met, remaining
from domain.health_plan.claims import REVERSED, STATUS_REASONS
from domain.health_plan.cost_share import EXCEPTION_WORDS
from domain.health_plan.member_privacy import visible_to_subscriber
from domain.org_time import day_bounds_utc, day_start_utc
from domain.settings import DEFAULT_ORG_TIMEZONE, Settings, get_settings
from reports.clock import utc_now
from reports.health_plan import access as plan_access
from reports.health_plan.sql import query
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import remembered


# ---------------------------------------------------------------------------------------- scoping
def _scope_value(principal: Principal) -> str:
    if not principal.scope_value:
        raise NotPermitted(f"a {principal.role} sign-in without a scope sees nothing")
    return principal.scope_value


def _employer_scope(principal: Principal) -> str | None:
    """The ``$employer`` of a roster read: the employer's own id; None (every employer) only for an admin."""
    if principal.role is Role.ADMIN:
        return None
    if principal.role is Role.EMPLOYER:
        return _scope_value(principal)
    raise NotPermitted(f"role {principal.role} may not read the employer roster")


def _family_of(conn, member_id: str) -> str | None:
    """The subscriber of ``member_id``'s family, if the member has accumulators (every priced member does).

    Read once per connection: a member's page asks for it with each claim, cost-share and EOB read.
    """

    def read() -> str | None:
        rows = query(conn, "family_of", [member_id]).to_pylist()
        return rows[0]["subscriber_id"] if len(rows) == 1 else None

    return remembered(conn, ("family_of", member_id), read)


@dataclass(frozen=True)
class Viewing:
    """The day of viewing (the privacy rule's date) and the settings of the state store holding the grants.

    Make one per page run: it remembers each member's :class:`FamilyView` for the reads of that run (a page
    reads claims, accumulators and an EOB, and each would otherwise ask the snapshot and the state store
    again).
    """

    on: dt.date
    settings: Settings
    families: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


def viewing(on: dt.date | None = None, settings: Settings | None = None) -> Viewing:
    """``on`` defaults to today in the organisation's time zone."""
    settings = settings or get_settings()
    if on is None:
        on = utc_now().astimezone(ZoneInfo(settings.org_timezone)).date()
    return Viewing(on, settings)


@dataclass(frozen=True)
class FamilyView:
    """Whose claim lines a member may see on the viewing day, and which dependents are private from them."""

    visible: tuple[str, ...]  # the member first
    private: tuple[str, ...]


def family_view(principal: Principal, conn, view: Viewing | None = None) -> FamilyView:
    """For a member: themselves, plus (as subscriber) each dependent under 18 or who granted access."""
    principal.require(Role.MEMBER)
    me = _scope_value(principal)
    view = view or viewing()
    known = view.families.get(me)
    if known is None:
        known = view.families[me] = _family_view(me, conn, view)
    return known


def _family_view(me: str, conn, view: Viewing) -> FamilyView:
    dependents = {
        r["member_id"]: r["birth_date"] for r in query(conn, "dependents", {"subscriber": me}).to_pylist()
    }
    if not dependents:
        return FamilyView((me,), ())
    granted = plan_access.granted_to(view.settings, me)
    shown = visible_to_subscriber(dependents, view.on, granted)
    return FamilyView((me, *sorted(shown)), tuple(sorted(set(dependents) - shown)))


@dataclass(frozen=True)
class ClaimScope:
    """The scope parameters of a claim-line read (``$npi``, ``$family``, ``$visible``): None only for an
    admin.

    A provider: their NPI. A member: the members whose lines they may see, and their family's subscriber (it
    only narrows, but the claim marts are stored family by family, so DuckDB skips all but a row group or
    two)."""

    npi: str | None = None
    family: str | None = None
    visible: list[str] | None = None

    def params(self) -> dict:
        return {"npi": self.npi, "family": self.family, "visible": self.visible}


def _claim_scope(principal: Principal, conn, view: Viewing | None = None) -> ClaimScope:
    if principal.role is Role.ADMIN:
        return ClaimScope()
    if principal.role is Role.MEMBER:
        me = _scope_value(principal)
        return ClaimScope(
            family=_family_of(conn, me), visible=list(family_view(principal, conn, view).visible)
        )
    if principal.role is Role.PROVIDER:
        return ClaimScope(npi=_scope_value(principal))
    raise NotPermitted(f"role {principal.role} may not read claims")


def _accumulator_scope(principal: Principal, conn, family: bool, view: Viewing | None = None) -> dict:
    """The scope parameters of an accumulator read: ``$subscriber`` (family totals) or ``$visible`` (member
    totals); None only for an admin."""
    if principal.role is Role.ADMIN:
        return {"subscriber": None} if family else {"visible": None}
    if principal.role is Role.MEMBER:
        me = _scope_value(principal)
        if family:  # family totals stay visible to the subscriber, private dependents included
            return {"subscriber": me}
        return {"visible": list(family_view(principal, conn, view).visible)}
    raise NotPermitted(f"role {principal.role} may not read accumulators")


# ---------------------------------------------------------------------------------------- enrollment
def roster_as_of(principal: Principal, conn, on: dt.date) -> pd.DataFrame:
    """Members with a span open on ``on``: subscriber and dependents, tier, plan and dates."""
    return query(conn, "roster_as_of", {"employer": _employer_scope(principal), "on": on}).to_pandas()


def adds_and_terms(principal: Principal, conn, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Spans starting (``change`` = add, on coverage_start) or ending (term, on coverage_end) in [start,
    end]."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    params = {"employer": _employer_scope(principal), "start": start, "end": end}
    return query(conn, "adds_and_terms", params).to_pandas()


def enrollment_by_month(principal: Principal, conn, first: dt.date, last: dt.date) -> pd.DataFrame:
    """Subscribers and members covered at each month-end from ``first``'s month to ``last``'s, by plan and
    tier.

    A member counts once a month, under the span that covers the month-end (the latest-starting one when spans
    overlap, as eligibility decides); a subscriber is a member whose relationship is ``self``."""
    if last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    params = {
        "employer": _employer_scope(principal),
        "first_month": first.replace(day=1),
        "last_month": last.replace(day=1),
    }
    return query(conn, "enrollment_by_month", params).to_pandas()


@dataclass(frozen=True)
class Eligibility:
    member_id: str
    on: dt.date
    covered: bool
    plan_id: str | None = None
    plan_name: str | None = None
    plan_year: int | None = None
    coverage_tier: str | None = None
    coverage_start: dt.date | None = None
    coverage_end: dt.date | None = None


def _require_member_in_scope(principal: Principal, conn, member_id: str) -> None:
    if principal.role is Role.ADMIN:
        return
    if principal.role is Role.EMPLOYER:
        found = query(
            conn, "employer_has_member", {"member_id": member_id, "employer_id": _scope_value(principal)}
        )
    elif principal.role is Role.MEMBER:
        found = query(conn, "family_has_member", {"member_id": member_id, "me": _scope_value(principal)})
    elif principal.role is Role.PROVIDER:
        # A provider checks any member, but only by member id AND birth date: reports.health_plan.eligibility.
        raise NotPermitted("a provider checks eligibility with the member's birth date (plan_eligibility)")
    else:
        raise NotPermitted(f"role {principal.role} may not check eligibility")
    if not found.num_rows:
        raise NotPermitted(f"member {member_id} is not among the members you may see")


def eligibility(principal: Principal, conn, member_id: str, on: dt.date) -> Eligibility:
    """Is ``member_id`` covered on ``on``, and under which plan and tier (the latest-starting covering
    span)."""
    _require_member_in_scope(principal, conn, member_id)
    rows = query(conn, "covering_span", {"member_id": member_id, "on": on}).to_pylist()
    if not rows:
        return Eligibility(member_id, on, covered=False)
    return Eligibility(member_id, on, covered=True, **rows[0])


def member_names(principal: Principal, conn) -> dict[str, str]:
    """member_id → "First Last" of the principal's family as enrollment knows it (a member: themselves, and
    their family when they subscribe, private adult dependents included: who is covered is not private, their
    claims are); for labels on the member's own page."""
    principal.require(Role.MEMBER, Role.ADMIN)
    me = None if principal.role is Role.ADMIN else _scope_value(principal)

    def read() -> dict[str, str]:
        rows = query(conn, "member_names", {"me": me}).to_pylist()
        return {
            r["member_id"]: " ".join(p for p in (r["first_name"], r["last_name"]) if p) or r["member_id"]
            for r in rows
        }

    # Once per connection: the member's page labels its claims and its EOB with the same names.
    return dict(remembered(conn, ("member_names", principal), read))


# ---------------------------------------------------------------------------------------- claims
def _reason(status: str, exception: str | None) -> str | None:
    """The ``reason`` of a claim-status row: a reversal, an unpriced line's exception, else the status's words
    (:data:`domain.health_plan.claims.STATUS_REASONS`); None for a claim paid as priced."""
    if status == REVERSED:
        return STATUS_REASONS[REVERSED]
    if exception in EXCEPTION_WORDS:
        return EXCEPTION_WORDS[exception]
    return STATUS_REASONS.get(status)


def claim_status(
    principal: Principal,
    conn,
    *,
    claim_id: str | None = None,
    member_id: str | None = None,
    status: str | None = None,
    processed_from: dt.date | None = None,
    processed_to: dt.date | None = None,
    service_from: dt.date | None = None,
    service_to: dt.date | None = None,
    view: Viewing | None = None,
    org_timezone: str = DEFAULT_ORG_TIMEZONE,
) -> pd.DataFrame:
    """Claims (effective version only) with status, processed date, the provider's name and the reason a claim
    pays nothing or less (``reason``); ``claim_id`` matches the original's id or the effective version's.
    ``processed_from``/``processed_to`` are days in ``org_timezone``, the zone the page shows processed_at in.
    Newest processed first."""
    since, until = day_bounds_utc(processed_from, processed_to, org_timezone)
    params = {
        **_claim_scope(principal, conn, view).params(),
        "claim_id": claim_id,
        "member_id": member_id,
        "status": status,
        "processed_since": since,
        "processed_until": until,
        "service_from": service_from,
        "service_to": service_to,
    }
    frame = query(conn, "claim_status", params).to_pandas()
    reasons = [_reason(s, x) for s, x in zip(frame["status"], frame.pop("exception"), strict=True)]
    frame["reason"] = pd.Series(reasons, index=frame.index, dtype=object)
    return frame


def claim_cost_share(
    principal: Principal,
    conn,
    *,
    member_id: str | None = None,
    claim_id: str | None = None,
    view: Viewing | None = None,
) -> pd.DataFrame:
    """Cost share of each effective claim line with the reason the member owes it, in processing order."""
    params = {
        **_claim_scope(principal, conn, view).params(),
        "member_id": member_id,
        "member_family": None if member_id is None else _family_of(conn, member_id),
        "claim_id": claim_id,
    }
    return query(conn, "claim_cost_share", params).to_pandas()


def claim_exceptions(principal: Principal, conn) -> pd.DataFrame:
    """Claim lines that could not be priced (admin only)."""
    principal.require(Role.ADMIN)
    return query(conn, "claim_exceptions").to_pandas()


# ---------------------------------------------------------------------------------------- accumulators
def end_of_day_utc(on: dt.date, org_timezone: str = DEFAULT_ORG_TIMEZONE) -> dt.datetime:
    """The first instant after ``on`` in the organisation's time zone, as a naive UTC timestamp (how ts are
    stored)."""
    return day_start_utc(on + dt.timedelta(days=1), org_timezone)


def _accumulators(
    principal: Principal,
    conn,
    *,
    family: bool,
    who: str | None,
    as_of: dt.date | None,
    org_timezone: str,
    view: Viewing | None = None,
) -> pd.DataFrame:
    params = {**_accumulator_scope(principal, conn, family, view), "who": who}
    if as_of is None:
        name = "family_accumulators" if family else "member_accumulators"
    else:
        name = "family_accumulators_as_of" if family else "member_accumulators_as_of"
        params |= {"until": end_of_day_utc(as_of, org_timezone), "as_of": as_of}
    rows = query(conn, name, params).to_pylist()
    for row in rows:
        for part in ("deductible", "oop"):
            met, limit = row[f"{part}_met"], row[f"{part}_limit"]
            row[f"{part}_remaining"] = remaining(met, limit)
            row[f"{part}_pct_met"] = pct_met(met, limit)
    return pd.DataFrame(rows)


def member_accumulators(
    principal: Principal,
    conn,
    *,
    member_id: str | None = None,
    as_of: dt.date | None = None,
    org_timezone: str = DEFAULT_ORG_TIMEZONE,
    view: Viewing | None = None,
) -> pd.DataFrame:
    """Deductible and OOP met / limit / remaining / % met per member, plan year and network: at the end of the
    data, or as of the end of ``as_of`` (in the organisation's time zone). A private adult dependent's rows
    are left out for the subscriber."""
    return _accumulators(
        principal, conn, family=False, who=member_id, as_of=as_of, org_timezone=org_timezone, view=view
    )


def family_accumulators(
    principal: Principal,
    conn,
    *,
    subscriber_id: str | None = None,
    as_of: dt.date | None = None,
    org_timezone: str = DEFAULT_ORG_TIMEZONE,
) -> pd.DataFrame:
    """The same per family (subscriber): a subscriber sees their family, a dependent gets no rows, roles other
    than member and admin are refused."""
    return _accumulators(
        principal, conn, family=True, who=subscriber_id, as_of=as_of, org_timezone=org_timezone
    )


# ---------------------------------------------------------------------------------------- the data's dates
def data_last_day(conn, org_timezone: str = DEFAULT_ORG_TIMEZONE) -> dt.date | None:
    """The last day of the health-plan data: the day (organisation time) of the latest claim processing, or,
    with no claims, the latest coverage start. A date, not a record: any role may ask (defaults of pages)."""
    latest = query(conn, "last_processed").to_pylist()[0]["at"]
    if latest is not None:
        return latest.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(org_timezone)).date()
    return query(conn, "last_coverage_start").to_pylist()[0]["d"]
