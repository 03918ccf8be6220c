""" "Apply now": start ``portalytics materialize`` in the background from the dashboard, at most one at a time.

The dashboard may not import the pipeline, so the run is a child process: ``python -m pipelines.cli materialize``
with the dashboard's environment (and its data directory, made absolute). It writes its output to
``<data>/logs/dashboard-materialize.log``.

One at a time: the launcher takes an exclusive ``flock`` on ``<data>/dashboard-materialize.lock`` and hands that
open file to the child, which holds the lock for as long as it lives; the kernel releases it when the child
exits, however it exits, so a crash never leaves a stale lock. The lock only covers runs started from the
dashboard: a run from the command line or the schedule does not take it (two runs are still safe, since the
publish swap is atomic, only wasteful).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from domain.settings import Settings
from reports import audit
from reports.principal import Principal, Role

MATERIALIZE_COMMAND: tuple[str, ...] = (sys.executable, "-m", "pipelines.cli", "materialize")
LOCK_FILE = "dashboard-materialize.lock"
LOG_FILE = Path("logs") / "dashboard-materialize.log"
#: Where ``python -m pipelines.cli`` finds the project's packages.
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class AlreadyRunning(RuntimeError):
    """A materialize started from the dashboard is still running."""


def lock_path(settings: Settings) -> Path:
    return settings.root / LOCK_FILE


def log_path(settings: Settings) -> Path:
    return settings.root / LOG_FILE


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
