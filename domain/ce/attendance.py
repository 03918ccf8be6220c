"""Text-a-code attendance: which claims become accepted credits, and why the others are rejected.

A claim is rejected with the *first* reason that applies, in this order (domain-rules.md, "CE attendance"):

1. ``unknown_phone``   sms from a number on no account's profile (compared in E.164), or with no number.
2. ``ambiguous_phone`` sms from a number on more than one account.
3. ``unknown_account`` qr/portal/admin claim whose account_id is empty or on no account. The spec names no
   reason for this; it is placed here, with the other "who is claiming" reasons and before ``unknown_code``,
   so a claim nobody can be credited for never reports a second-order problem.
4. ``unknown_code``    sms/qr code that matches no activity; portal/admin activity_id that is no activity.
5. ``outside_window``  received before the activity starts or after ``ends_at + texting_window_hours``
   (per activity, default 24); admin entries are exempt. Both ends are inclusive: a claim exactly at
   ``starts_at`` or exactly at the end of the window is in time.
6. ``duplicate``       the account already has an accepted claim for the activity: among the claims passing
   1-5, the earliest by ``(received_at, event_id)`` is the accepted one and the later ones are duplicates.
7. ``not_eligible``    none of the activity's credit types is open to the account's degree. Eligibility is a
   property of (account, activity), so when it fails no claim of the pair is accepted and none is called a
   duplicate.

Reused codes: a 5-digit code may belong to several activities over the years. A code claim goes to the
activity whose window contains the claim; when none does (or several do), to the one whose start is nearest
the claim, then the smallest activity_id. So a late claim is ``outside_window`` for the activity it was most
likely meant for.

Merges (``CeTables.survivors``) apply after the claimant is identified: the phone/account checks use the raw
accounts, while duplicates and eligibility are judged for the survivor (so one person claiming the same
activity from two merged accounts is credited once).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import ibis

from domain.ce.eligibility import awarded_credit_types
from domain.ce.tables import CeTables, credited_accounts, e164


class AttendanceReason(StrEnum):
    UNKNOWN_PHONE = "unknown_phone"
    AMBIGUOUS_PHONE = "ambiguous_phone"
    UNKNOWN_ACCOUNT = "unknown_account"
    UNKNOWN_CODE = "unknown_code"
    OUTSIDE_WINDOW = "outside_window"
    DUPLICATE = "duplicate"
    NOT_ELIGIBLE = "not_eligible"


#: The order in which reasons are checked (the enum's order).
REASON_ORDER: tuple[AttendanceReason, ...] = tuple(AttendanceReason)
ACCEPTED = "accepted"
#: The first stand-alone 5-digit number of a text message.
CODE_IN_TEXT = r"(?:^|[^0-9])([0-9]{5})(?:[^0-9]|$)"
REJECTED = "rejected"

#: Columns of :func:`attendance_outcomes`, in order.
OUTCOME_COLUMNS = (
    "event_id",
    "account_id",
    "activity_id",
    "outcome",
    "reason",
    "channel",
    "received_at",
    "claimed_account_id",
    "person_id",
    "code",
    "from_phone",
)


@dataclass(frozen=True)
class AttendancePolicy:
    #: Hours after ends_at a claim is still in time when the activity leaves texting_window_hours empty.
    texting_window_hours: int = 24
    #: Channels that name the activity by its attendance code (the others by activity_id).
    code_channels: tuple[str, ...] = ("sms", "qr")
    #: Channels exempt from the window (staff entering attendance after the fact).
    window_exempt_channels: tuple[str, ...] = ("admin",)


def attendance_outcomes(tables: CeTables, policy: AttendancePolicy | None = None) -> ibis.Table:
    """One row per claim: accepted, or rejected with the first reason (columns :data:`OUTCOME_COLUMNS`).

    ``account_id`` is the account credited (the survivor after merges; the claimed id when it is unknown; NULL
    when an sms number resolves to no single account). ``claimed_account_id`` is the account the claim itself
    named or whose phone it came from. ``activity_id`` is the resolved activity (or the unknown id a
    portal/admin claim gave).
    """
    policy = policy or AttendancePolicy()
    claims = _identify_claimant(tables)
    claims = _identify_activity(claims, tables.activities, policy)
    return _judge(claims, tables, policy)


def _identify_claimant(tables: CeTables) -> ibis.Table:
    att = tables.attendance
    is_sms = att.channel == "sms"
    claims = att.select(
        "event_id",
        "channel",
        "received_at",
        "from_phone",
        "code",
        "body",
        given_account_id=att.account_id,
        given_activity_id=att.activity_id,
        phone=e164(att.from_phone),
        is_sms=is_sms,
    )
    acc = tables.accounts
    profiles = acc.filter(acc.mobile_phone.notnull()).select(acc.account_id, phone=e164(acc.mobile_phone))
    phones = profiles.group_by(p_phone=profiles.phone).aggregate(
        phone_accounts=profiles.account_id.nunique(), phone_account_id=profiles.account_id.min()
    )
    claims = claims.left_join(phones, claims.phone == phones.p_phone).drop("p_phone")
    claimed = ibis.cases(
        (~claims.is_sms, claims.given_account_id),
        (claims.phone_accounts == 1, claims.phone_account_id),
        else_=ibis.null("string"),
    )
    claims = claims.mutate(claimed_account_id=claimed)
    credited = credited_accounts(tables).rename(c_account="account_id").mutate(account_known=True)
    return claims.left_join(credited, claims.claimed_account_id == credited.c_account).drop("c_account")


def _identify_activity(claims: ibis.Table, activities: ibis.Table, policy: AttendancePolicy) -> ibis.Table:
    acts = activities.select(
        k_activity_id=activities.activity_id,
        starts_at=activities.starts_at,
        window_end=activities.ends_at
        + activities.texting_window_hours.fill_null(policy.texting_window_hours).as_interval("h"),
        k_code=activities.attendance_code.strip(),
    )
    # One lookup key per way of naming an activity, so code claims and id claims resolve in one equality join.
    keys = ibis.union(
        acts.mutate(lookup="code:" + acts.k_code),
        acts.mutate(lookup="id:" + acts.k_activity_id),
    ).drop("k_code")
    by_code = claims.channel.isin(policy.code_channels)
    # An sms whose code field is empty still names its code in the raw text ("Code 04521 thanks!").
    code = claims.code.strip().fill_null(claims.body.re_extract(CODE_IN_TEXT, 1))
    claims = claims.mutate(lookup=ibis.ifelse(by_code, "code:" + code, "id:" + claims.given_activity_id))
    candidates = claims.left_join(keys, claims.lookup == keys.lookup).drop("lookup", "lookup_right")
    in_window = (candidates.received_at >= candidates.starts_at) & (
        candidates.received_at <= candidates.window_end
    )
    distance = (candidates.received_at.epoch_seconds() - candidates.starts_at.epoch_seconds()).abs()
    candidates = candidates.mutate(in_window=in_window, distance=distance)
    best = ibis.row_number().over(
        group_by=candidates.event_id,
        order_by=[
            candidates.in_window.fill_null(False).desc(),
            candidates.distance,
            candidates.k_activity_id,
        ],
    )
    return (
        candidates.mutate(candidate_rank=best).filter(lambda t: t.candidate_rank == 0).drop("candidate_rank")
    )


def _judge(claims: ibis.Table, tables: CeTables, policy: AttendancePolicy) -> ibis.Table:
    R = AttendanceReason
    first_checks = ibis.cases(
        (claims.is_sms & claims.phone_accounts.isnull(), R.UNKNOWN_PHONE.value),
        (claims.is_sms & (claims.phone_accounts > 1), R.AMBIGUOUS_PHONE.value),
        (~claims.is_sms & claims.account_known.isnull(), R.UNKNOWN_ACCOUNT.value),
        (claims.k_activity_id.isnull(), R.UNKNOWN_CODE.value),
        (~claims.channel.isin(policy.window_exempt_channels) & ~claims.in_window, R.OUTSIDE_WINDOW.value),
        else_=ibis.null("string"),
    )
    claims = claims.mutate(pre_reason=first_checks)

    degrees = credited_accounts(tables).select("degree_key")
    eligible = (
        awarded_credit_types(tables.activity_credits, degrees)
        .select(e_activity="activity_id", e_degree="degree_key")
        .distinct()
        .mutate(eligible=True)
    )
    claims = claims.left_join(
        eligible, (claims.k_activity_id == eligible.e_activity) & (claims.degree_key == eligible.e_degree)
    ).drop("e_activity", "e_degree")

    passed = claims.pre_reason.isnull()
    order_in_pair = ibis.row_number().over(
        group_by=[claims.credited_account_id, claims.k_activity_id, passed],
        order_by=[claims.received_at, claims.event_id],
    )
    claims = claims.mutate(order_in_pair=order_in_pair)
    # not_eligible is tested before duplicate only in code: a pair that is not eligible has no accepted claim,
    # so none of its claims can be a duplicate, which is the spec's order applied literally.
    reason = ibis.cases(
        (claims.pre_reason.notnull(), claims.pre_reason),
        (claims.eligible.isnull(), R.NOT_ELIGIBLE.value),
        (claims.order_in_pair > 0, R.DUPLICATE.value),
        else_=ibis.null("string"),
    )
    claims = claims.mutate(reason=reason)
    activity_id = ibis.ifelse(
        claims.channel.isin(policy.code_channels),
        claims.k_activity_id,
        claims.k_activity_id.fill_null(claims.given_activity_id),
    )
    return claims.select(
        event_id=claims.event_id,
        account_id=claims.credited_account_id.fill_null(claims.claimed_account_id),
        activity_id=activity_id,
        outcome=ibis.ifelse(claims.reason.isnull(), ACCEPTED, REJECTED),
        reason=claims.reason,
        channel=claims.channel,
        received_at=claims.received_at,
        claimed_account_id=claims.claimed_account_id,
        person_id=claims.person_id,
        code=claims.code,
        from_phone=claims.from_phone,
    )
