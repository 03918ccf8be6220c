"""Adult dependents are private from the subscriber unless they grant access (scenario:
tests/health_plan/dashboard/family_snapshot.py). The rule is applied by the reads themselves; the pages only
show it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reports import audit
from reports.health_plan import access as plan_access
from reports.health_plan import eligibility as plan_eligibility
from reports.health_plan import reads as health_plan
from reports.principal import NotPermitted, Principal, Role
from reports.snapshot import open_snapshot
from tests.dashboard.fixtures import ADMIN
from tests.health_plan.dashboard.family_snapshot import (
    JON,
    LIA,
    LIA_TURNS_18,
    MARIA,
    TOM,
    publish_family_snapshot,
)

MARIA_P = Principal("maria", Role.MEMBER, (MARIA,))
LIA_P = Principal("lia", Role.MEMBER, (LIA,))
JON_P = Principal("jon", Role.MEMBER, (JON,))
DAY_BEFORE = LIA_TURNS_18 - dt.timedelta(days=1)


@pytest.fixture
def published(settings):
    publish_family_snapshot(settings)


def seen_by_maria(settings, on: dt.date) -> dict[str, set[str]]:
    view = health_plan.viewing(on, settings)
    with open_snapshot(settings) as conn:
        return {
            "lines": set(health_plan.claim_cost_share(MARIA_P, conn, view=view).member_id),
            "claims": set(health_plan.claim_status(MARIA_P, conn, view=view).member_id),
            "totals": set(health_plan.member_accumulators(MARIA_P, conn, view=view).member_id),
        }


def test_a_17_year_old_dependent_is_visible_to_the_subscriber(published, settings):
    # The day before Lia turns 18: Maria sees her own, Tom's (14) and Lia's (17) claims; Jon is an adult.
    seen = seen_by_maria(settings, DAY_BEFORE)
    assert seen == {k: {MARIA, TOM, LIA} for k in ("lines", "claims", "totals")}


def test_an_18_year_old_without_a_grant_is_private_but_family_totals_still_count_them(published, settings):
    seen = seen_by_maria(settings, LIA_TURNS_18)
    assert seen == {k: {MARIA, TOM} for k in ("lines", "claims", "totals")}
    with open_snapshot(settings) as conn:
        view = health_plan.viewing(LIA_TURNS_18, settings)
        # Asking for Lia's lines by name gets nothing either.
        assert health_plan.claim_cost_share(MARIA_P, conn, member_id=LIA, view=view).empty
        assert health_plan.claim_status(MARIA_P, conn, claim_id="L1", view=view).empty
        family = health_plan.family_accumulators(MARIA_P, conn)
        inn = family[family.network == "in"].iloc[0]
        # 493.86 (Maria) + 1700.00 (Tom) + 800.00 (Jon, private) = 2993.86; OOP adds Lia's 30.00 copay too.
        assert (inn.deductible_met, inn.oop_met) == (Decimal("2993.86"), Decimal("3173.86"))
        assert health_plan.family_view(MARIA_P, conn, view) == health_plan.FamilyView(
            (MARIA, TOM), (LIA, JON)
        )


def test_an_18_year_old_who_granted_access_is_visible_until_she_revokes_it(published, settings):
    with open_snapshot(settings) as conn:
        state = plan_access.grant_access(settings, LIA_P, conn)
    assert (state.member_id, state.subscriber_id) == (LIA, MARIA) and state.granted_at is not None
    assert seen_by_maria(settings, LIA_TURNS_18)["lines"] == {MARIA, TOM, LIA}
    with open_snapshot(settings) as conn:
        assert plan_access.revoke_access(settings, LIA_P, conn).granted_at is None
    assert seen_by_maria(settings, LIA_TURNS_18)["lines"] == {MARIA, TOM}  # revoked: private again
    # Both changes are audited, newest first, with who did it and to whom.
    rows = audit.read(settings, ADMIN, actions=[plan_access.GRANT, plan_access.REVOKE])
    assert [(r.actor, r.action, r.target) for r in rows] == [
        ("lia", "plan_access_revoke", f"claims of member {LIA} to subscriber {MARIA}"),
        ("lia", "plan_access_grant", f"claims of member {LIA} to subscriber {MARIA}"),
    ]


def test_the_admin_can_filter_the_audit_log_by_the_plan_actions():
    assert {plan_access.GRANT, plan_access.REVOKE, plan_eligibility.ACTION} <= set(audit.ALL_ACTIONS)


def test_one_dependents_grant_does_not_open_another_dependent(published, settings):
    with open_snapshot(settings) as conn:
        plan_access.grant_access(settings, JON_P, conn)
        plan_access.grant_access(settings, JON_P, conn)  # twice: still one grant, one audit row
    assert seen_by_maria(settings, LIA_TURNS_18)["lines"] == {MARIA, TOM, JON}
    assert len(audit.read(settings, ADMIN, actions=[plan_access.GRANT])) == 1


def test_a_dependent_still_sees_only_themselves_and_a_subscriber_cannot_grant(published, settings):
    view = health_plan.viewing(LIA_TURNS_18, settings)
    with open_snapshot(settings) as conn:
        assert set(health_plan.claim_cost_share(LIA_P, conn, view=view).member_id) == {LIA}
        assert health_plan.family_accumulators(LIA_P, conn).empty
        with pytest.raises(NotPermitted):
            plan_access.grant_access(settings, MARIA_P, conn)  # the subscriber has nobody to grant to
