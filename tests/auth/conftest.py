from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.settings import Settings
from reports import user_admin
from reports.principal import Principal, Role
from reports.state import dispose_engines

ADMIN = Principal("root", Role.ADMIN)
GOOD_PASSWORD = "correct horse battery"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def settings(tmp_path) -> Settings:
    # America/Chicago is CST (UTC-6) in January: lock messages below are hand-converted with that offset.
    yield Settings(data_dir=tmp_path, org_timezone="America/Chicago")
    dispose_engines()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 1, 6, 14, 0, tzinfo=UTC))


@pytest.fixture
def make_user(settings, clock):
    """Create a user with a known password (already chosen, so no forced change) unless one_time=True."""

    def make(username="alice", role=Role.STAFF, scope=("P0001",), *, one_time=False, **kw) -> str:
        if one_time:
            return user_admin.create_user(settings, ADMIN, username, role, scope, clock=clock, **kw)
        return user_admin.create_user(
            settings,
            ADMIN,
            username,
            role,
            scope,
            password=GOOD_PASSWORD,
            must_change_password=False,
            clock=clock,
            **kw,
        )

    return make
