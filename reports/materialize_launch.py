""" "Apply now": start ``portalytics materialize`` in the background from the dashboard, at most one at a
time.

The dashboard may not import the pipeline, so the run is a child process: ``python -m pipelines.cli
materialize`` with the dashboard's environment (and its data directory, made absolute). It writes its output
to ``<data>/logs/dashboard-materialize.log``.

Status: the launcher writes ``queued`` to ``<data>/logs/dashboard-materialize.status.json``; the child
(``python -m pipelines.launched_run``) moves it to ``running`` and then ``published`` (with the time) or
``failed`` (with the reason). :func:`launch_status` reads it, and calls a run that died without saying so
``failed``.

One at a time: the launcher takes an exclusive ``flock`` on ``<data>/dashboard-materialize.lock`` and hands
that open file to the child, which holds the lock for as long as it lives; the kernel releases it when the
child exits, however it exits, so a crash never leaves a stale lock. The lock only covers runs started from
the dashboard: a run from the command line or the schedule does not take it (two runs are still safe, since
the publish swap is atomic, only wasteful).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from domain.settings import Settings
from reports import audit
from reports.formatting import org_time
from reports.principal import Principal, Role

MATERIALIZE_COMMAND: tuple[str, ...] = (sys.executable, "-m", "pipelines.launched_run")
LOCK_FILE = "dashboard-materialize.lock"
LOG_FILE = Path("logs") / "dashboard-materialize.log"
STATUS_FILE = Path("logs") / "dashboard-materialize.status.json"
QUEUED, RUNNING, PUBLISHED, FAILED = "queued", "running", "published", "failed"
#: A run in these states is still going (the page keeps refreshing its status).
ACTIVE = (QUEUED, RUNNING)
#: Where ``python -m pipelines.cli`` finds the project's packages.
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class AlreadyRunning(RuntimeError):
    """A materialize started from the dashboard is still running."""


def lock_path(settings: Settings) -> Path:
    return settings.root / LOCK_FILE


def log_path(settings: Settings) -> Path:
    return settings.root / LOG_FILE


@dataclass(frozen=True)
class LaunchStatus:
    state: str
    requested_at: dt.datetime | None = None
    requested_by: str | None = None
    finished_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    reason: str | None = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    def describe(self, timezone: str) -> str:
        """One line for the page, times in the organisation's ``timezone`` with the zone named, e.g.
        "Published at 2026-07-01 04:14 CDT"."""

        def at(t: dt.datetime | None) -> str:
            return org_time(t, timezone) if t else "an unknown time"

        if self.state == QUEUED:
            return f"Queued at {at(self.requested_at)}: the run is starting."
        if self.state == RUNNING:
            return f"Running since {at(self.requested_at)}: the pages update when it has published."
        if self.state == PUBLISHED:
            return f"Published at {at(self.published_at)} (run finished {at(self.finished_at)})."
        return f"Failed at {at(self.finished_at)}: {self.reason or 'no reason was recorded'}."


def status_path(settings: Settings) -> Path:
    return settings.root / STATUS_FILE


def write_status(settings: Settings, state: str, **fields) -> None:
    """Record the dashboard run's state (``fields``: datetimes or text), keeping what earlier states
    recorded."""
    path = status_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(path.read_text()) if path.exists() else {}
    values = {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in fields.items()}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current | values | {"state": state}))
    os.replace(tmp, path)  # readers never see half a file


def launch_status(settings: Settings) -> LaunchStatus | None:
    """The state of the last run started from the dashboard (None when there was none)."""
    path = status_path(settings)
    if not path.exists():
        return None
    raw = json.loads(path.read_text())

    def when(key: str) -> dt.datetime | None:
        return dt.datetime.fromisoformat(raw[key]) if raw.get(key) else None

    state, reason = raw.get("state", FAILED), raw.get("reason")
    if state in ACTIVE and not materialize_running(settings):
        state, reason = FAILED, "the run stopped before it finished; the log has the details"
    return LaunchStatus(
        state,
        when("requested_at"),
        raw.get("requested_by"),
        when("finished_at"),
        when("published_at"),
        reason,
    )


def _try_lock(settings: Settings) -> int | None:
    """An fd holding the exclusive lock, or None when a run holds it."""
    settings.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(settings), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def materialize_running(settings: Settings) -> bool:
    fd = _try_lock(settings)
    if fd is None:
        return True
    os.close(fd)  # closing the only fd releases the lock
    return False


def start_materialize(
    settings: Settings, principal: Principal, *, command: Sequence[str] = MATERIALIZE_COMMAND
) -> int:
    """Start the run in the background (CE team or admin); returns its pid. Raises AlreadyRunning."""
    principal.require(Role.CE_TEAM, Role.ADMIN)
    fd = _try_lock(settings)
    if fd is None:
        raise AlreadyRunning(
            "A materialize started from the dashboard is still running; try again when it ends."
        )
    try:
        log = log_path(settings)
        log.parent.mkdir(parents=True, exist_ok=True)
        env = os.environ | {"PORTALYTICS_DATA_DIR": str(settings.root)}
        status_path(settings).unlink(missing_ok=True)  # a new run: forget the last one's outcome
        write_status(settings, QUEUED, requested_at=dt.datetime.now(dt.UTC), requested_by=principal.username)
        with log.open("ab") as out:
            child = subprocess.Popen(  # noqa: S603 (a fixed command, no shell)
                list(command),
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(fd,),  # the child inherits the locked file and so holds the lock while it runs
                start_new_session=True,  # stopping the dashboard does not stop a run half-way
            )
        os.ftruncate(fd, 0)
        os.write(fd, f"{child.pid}\n".encode())
    finally:
        os.close(fd)
    audit.record(
        principal, "materialize_start", "pipeline materialize", detail=f"pid {child.pid}", settings=settings
    )
    return child.pid
