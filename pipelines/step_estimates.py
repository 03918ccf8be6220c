"""How long each step of a run is expected to take, for the order in which ``pipelines.side_by_side`` starts
ready steps (issue 22 point 1, session 9).

The last successful run of the same job that ran every step of this one says it best (the same landing,
the same machine); a first run, a fresh data directory and the bench have no such run, and then the static
table below says it: the medium scale's step walls on 2 cores (``materialize --full`` of main, session 9,
steps two at a time). Only the proportions matter: the order is by the longest path of work still behind a
step, and the table names the steps that dominate it. A step not in the table counts ``DEFAULT_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import dagster as dg

#: Seconds a step took at the medium scale (seed 42) on 2 cores, steps two at a time (session 9 timeline).
STATIC_SECONDS: Mapping[str, float] = {
    "staging__auth_events": 23.5,
    "ce_duplicate_accounts": 23.8,
    "staging__hp_claims": 19.4,
    "health_plan_claims": 15.1,
    "published__snapshot": 9.7,
    "marts__compliance_history": 9.6,
    "staging__ce_accounts_expectations": 6.9,
    "staging__ce_accounts": 3.6,
    "reminders__sent": 2.9,
    "staging__ce_attendance": 2.9,
    "person_links": 2.0,
    "staging__lc_completions": 2.0,
    "marts__ce_attendance_outcomes": 1.9,
    "staging__hp_claims_expectations": 1.4,
    "marts__ce_credits_awarded": 1.4,
    "marts__login_lockouts": 1.3,
    "staging__auth_events_expectations": 1.2,
}
#: Any other step (most take 0.1-1 s).
DEFAULT_SECONDS = 0.5
#: How many of the job's latest successful runs are looked at for one that ran every step of this run.
HISTORY_RUNS = 5


@dataclass(frozen=True)
class StepEstimates:
    seconds: Mapping[str, float]
    source: str  # said in the run's event log: "run <id>" or "the static table"

    def __getitem__(self, step_key: str) -> float:
        return self.seconds.get(step_key, DEFAULT_SECONDS)


def static_estimates(
    step_keys: Collection[str], table: Mapping[str, float] = STATIC_SECONDS
) -> StepEstimates:
    return StepEstimates({k: table.get(k, DEFAULT_SECONDS) for k in step_keys}, "the static table")


def estimate_steps(
    instance: dg.DagsterInstance,
    job_name: str,
    step_keys: Collection[str],
    table: Mapping[str, float] = STATIC_SECONDS,
) -> StepEstimates:
    """Each step's wall in the latest successful run of ``job_name`` that ran all of ``step_keys``, else the
    static table. A run that ran only some of them (one more day after a full run) is passed over: its short
    steps would rank a full run's big ingest last."""
    wanted = set(step_keys)
    runs = instance.get_runs(
        filters=dg.RunsFilter(job_name=job_name, statuses=[dg.DagsterRunStatus.SUCCESS]), limit=HISTORY_RUNS
    )
    for run in runs:
        walls = {
            s.step_key: s.end_time - s.start_time
            for s in instance.get_run_step_stats(run.run_id)
            if s.start_time is not None and s.end_time is not None
        }
        if wanted <= walls.keys():
            return StepEstimates({k: walls[k] for k in wanted}, f"run {run.run_id}")
    return static_estimates(step_keys, table)
