"""``python -m pipelines.launched_run``: the materialize the dashboard's "Apply now" starts, reporting its
state.

It runs exactly what ``portalytics materialize`` runs and records ``running``, then ``published`` (with the
time the current snapshot was published) or ``failed`` (with the reason) in the status file that
``reports.materialize_launch.launch_status`` reads for the page. The output goes to the run's log.
"""

from __future__ import annotations

import datetime as dt
import sys

from rich.console import Console

from domain.settings import get_settings
from pipelines.materialize import run_materialize
from reports.materialize_launch import FAILED, PUBLISHED, RUNNING, write_status


def _published_at(settings) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(
            settings.current_snapshot.resolve(strict=True).stat().st_mtime, dt.UTC
        )
    except FileNotFoundError:
        return None


def main() -> int:
    settings = get_settings()
    write_status(settings, RUNNING, started_at=dt.datetime.now(dt.UTC))
    try:
        code = run_materialize(settings, console=Console(file=sys.stdout, width=120))
    except Exception as exc:
        reason = f"{type(exc).__name__}: {str(exc)[:300]}"
        write_status(settings, FAILED, finished_at=dt.datetime.now(dt.UTC), reason=reason)
        raise
    now = dt.datetime.now(dt.UTC)
    if code == 0:
        write_status(settings, PUBLISHED, finished_at=now, published_at=_published_at(settings))
    else:
        reason = f"the run stopped with exit code {code} (a blocking check failed or the input was refused)"
        write_status(settings, FAILED, finished_at=now, reason=reason)
    return code


if __name__ == "__main__":
    sys.exit(main())
