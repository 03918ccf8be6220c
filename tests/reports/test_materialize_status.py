"""The status of a run started with "Apply now": queued, running, published at …, failed with the reason."""

import datetime as dt
import sys
import time

import pytest

from domain.settings import Settings
from pipelines import launched_run
from reports.materialize_launch import (
    FAILED,
    PUBLISHED,
    QUEUED,
    RUNNING,
    launch_status,
    materialize_running,
    start_materialize,
    write_status,
)
from reports.principal import Principal, Role
from reports.state import dispose_engines

ADMIN = Principal("root", Role.ADMIN)


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(tmp_path))
    yield Settings()
    dispose_engines()


def _wait_until_done(settings):
    deadline = time.monotonic() + 30
    while materialize_running(settings) and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_run_goes_from_queued_to_running_to_published(settings):
    assert launch_status(settings) is None
    # a stand-in child that reports like pipelines.launched_run, slowly enough to be seen running
    child = (
        "import datetime as dt, time; from domain.settings import Settings; "
        "from reports.materialize_launch import write_status; s = Settings(); "
        "write_status(s, 'running'); time.sleep(1.5); "
        "write_status(s, 'published', finished_at=dt.datetime(2026, 7, 1, 9, 15, tzinfo=dt.UTC), "
        "published_at=dt.datetime(2026, 7, 1, 9, 14, tzinfo=dt.UTC))"
    )
    start_materialize(settings, ADMIN, command=[sys.executable, "-c", child])
    first = launch_status(settings)
    assert first.state in (QUEUED, RUNNING) and first.active and first.requested_by == "root"
    deadline = time.monotonic() + 30
    while launch_status(settings).state == QUEUED and time.monotonic() < deadline:
        time.sleep(0.05)
    assert launch_status(settings).state == RUNNING
    _wait_until_done(settings)
    done = launch_status(settings)
    assert (done.state, done.active) == (PUBLISHED, False)
    # 09:14 UTC in July is 04:14 in Chicago (CDT, UTC-5), the zone every page uses.
    assert done.describe("America/Chicago") == (
        "Published at 2026-07-01 04:14 CDT (run finished 2026-07-01 04:15 CDT)."
    )


def test_a_run_that_dies_without_a_word_is_shown_as_failed(settings):
    start_materialize(settings, ADMIN, command=[sys.executable, "-c", "raise SystemExit(3)"])
    _wait_until_done(settings)
    status = launch_status(settings)
    assert status.state == FAILED
    assert status.reason == "the run stopped before it finished; the log has the details"


@pytest.mark.parametrize(
    ("code", "state", "reason"),
    [
        (0, PUBLISHED, None),
        (1, FAILED, "the run stopped with exit code 1 (a blocking check failed or the input was refused)"),
    ],
)
def test_the_launched_run_records_its_outcome(settings, monkeypatch, code, state, reason):
    monkeypatch.setattr(launched_run, "run_materialize", lambda s, console: code)
    write_status(settings, QUEUED, requested_at=dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC))
    assert launched_run.main() == code
    status = launch_status(settings)
    assert (status.state, status.reason) == (state, reason)
    assert status.requested_at == dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)  # kept from the queued state


def test_an_exception_in_the_run_is_recorded_with_its_reason(settings, monkeypatch):
    def boom(s, console):
        raise RuntimeError("landing/hp_claims/a.csv row 3 column amount: not a decimal")

    monkeypatch.setattr(launched_run, "run_materialize", boom)
    with pytest.raises(RuntimeError):
        launched_run.main()
    status = launch_status(settings)
    assert status.state == FAILED
    assert status.reason == "RuntimeError: landing/hp_claims/a.csv row 3 column amount: not a decimal"
