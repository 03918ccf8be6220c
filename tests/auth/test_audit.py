from datetime import timedelta

import pytest

from reports import audit
from reports.principal import NotPermitted, Principal, Role
from tests.auth.conftest import ADMIN

MANAGER = Principal("erin", Role.EDUCATION_MANAGER, ("ICU", "ER"))


def test_record_writes_who_what_when_scope_and_row_count(settings, clock):
    audit.record(MANAGER, "export", "overdue list xlsx", row_count=17, settings=settings, clock=clock)
    audit.record(MANAGER, "view", "person P0042", scope="ICU", row_count=1, settings=settings, clock=clock)
    newest, oldest = audit.read(settings, ADMIN)
    assert (oldest.actor, oldest.actor_role, oldest.action, oldest.target) == (
        "erin",
        "education_manager",
        "export",
        "overdue list xlsx",
    )
    assert (oldest.scope, oldest.row_count, oldest.at) == (
        "ICU,ER",
        17,
        clock.now,
    )  # default: principal's scope
    assert (newest.action, newest.scope, newest.row_count) == ("view", "ICU", 1)


def test_record_uses_the_settings_from_the_environment_by_default(settings, clock, monkeypatch):
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(settings.data_dir))
    audit.record(MANAGER, "view", "compliance ICU", row_count=3, clock=clock)
    assert [r.target for r in audit.read(settings, ADMIN)] == ["compliance ICU"]


def test_only_admins_read_the_log(settings):
    for role, scope in [(Role.STAFF, ("P1",)), (Role.CE_TEAM, ()), (Role.EDUCATION_MANAGER, ("ICU",))]:
        with pytest.raises(NotPermitted):
            audit.read(settings, Principal("x", role, scope))


def test_read_filters_by_actor_action_and_time(settings, clock):
    audit.record(MANAGER, "view", "a", settings=settings, clock=clock)
    clock.advance(hours=1)
    audit.record(MANAGER, "export", "b", settings=settings, clock=clock)
    audit.record(Principal("sam", Role.STAFF, ("P1",)), "export", "c", settings=settings, clock=clock)
    assert [r.target for r in audit.read(settings, ADMIN, actor="erin")] == ["b", "a"]
    assert [r.target for r in audit.read(settings, ADMIN, actions=["export"])] == ["c", "b"]
    assert [r.target for r in audit.read(settings, ADMIN, since=clock.now - timedelta(minutes=1))] == [
        "c",
        "b",
    ]
    assert [r.target for r in audit.read(settings, ADMIN, limit=1)] == ["c"]
