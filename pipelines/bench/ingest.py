"""Ingest figures of quality-bars.md, measured in the same run:

- Full materialize: ``portalytics materialize`` from landing files to the published snapshot (every asset and
  check) in a fresh data directory, against the baseline of DuckDB alone loading the same landing files into
  tables (``read_csv``/``read_json`` with type sniffing, xlsx through python-calamine). Target ≤ 3×.
- Peak memory (resident set) of the materialize process. Target < 6 GB.
- CPU time (user + system, worker processes included) of both, informational: on a shared machine it shows the
  work done where wall times mostly show the other jobs. The full run's slowest steps are printed and every
  step's wall time is written to ``<data dir>/bench/ingest-steps-<scale>.json``.
- One more day: a new auth_events file of 50k events lands on the built warehouse and materialize runs again
  (incrementally: the auth_events staging asset, its checks, the marts downstream of it and the publish).
  Reported as seconds and as a share of the full run measured just before. Target ≤ 15 % of the full run.
- Nothing new: materialize once more with no new file; it should run nothing and publish nothing.

Each measured step runs in its own child process (spawned) so its peak memory is its own. The bench data
directory (``<data dir>/bench/ingest``) links to the landing files instead of copying them and is deleted
after.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import resource
import shutil
import time
from pathlib import Path

from domain.contracts import SOURCES
from domain.settings import Settings
from pipelines.bench import BenchContext, Figure

TOPIC = "ingest"
RATIO_TARGET = 3.0
PEAK_MEMORY_LIMIT_MB = 6 * 1024
NEW_DAY_EVENTS = 50_000
NEW_DAY_SHARE = 0.15
AS_OF = "2026-06-30"
STEPS_SHOWN = 15


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the cost-share workers): the work done, which other
    jobs on a shared machine do not inflate as they do the wall time."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _files(landing: Path, source: str) -> list[Path]:
    folder = landing / source
    return (
        sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
        if folder.is_dir()
        else []
    )


def _baseline_child(landing: str, scratch: str, out) -> None:
    """DuckDB alone: every landing file into a table (files DuckDB cannot read are skipped, as ingest rejects
    them)."""
    import duckdb
    import pyarrow as pa
    from python_calamine import CalamineWorkbook

    Path(scratch).unlink(missing_ok=True)
    start, cpu = time.perf_counter(), _cpu_seconds()
    with duckdb.connect(scratch) as conn:
        for s in SOURCES:
            for i, path in enumerate(_files(Path(landing), s.name)):
                table = f"{s.name}_{i}"
                try:
                    if path.suffix == ".xlsx":
                        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
                        cols = list(zip(*rows[1:], strict=False)) or [()] * len(rows[0])
                        frame = pa.table(
                            {
                                str(h): pa.array([str(v) for v in c])
                                for h, c in zip(rows[0], cols, strict=False)
                            }
                        )
                        conn.register("frame", frame)
                        conn.execute(f"CREATE TABLE {table} AS SELECT * FROM frame")
                        conn.unregister("frame")
                    elif path.suffix in (".jsonl", ".ndjson"):
                        conn.execute(
                            f"CREATE TABLE {table} AS SELECT * FROM read_json(?, format = "
                            "'newline_delimited', "
                            "ignore_errors = true)",
                            [str(path)],
                        )
                    else:
                        conn.execute(
                            f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, ignore_errors = true)",
                            [str(path)],
                        )
                except Exception:  # noqa: S112 - a file the baseline cannot read is one ingest rejects
                    continue
    out.put({"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "cpu": _cpu_seconds() - cpu})


def _materialize_child(data_dir: str, out) -> None:
    from rich.console import Console

    from pipelines.materialize import run_materialize

    start, cpu = time.perf_counter(), _cpu_seconds()
    settings = Settings(data_dir=Path(data_dir))
    said = io.StringIO()  # the run's summary, shown only when it fails (the bench's directory is removed)
    code = run_materialize(settings, AS_OF, console=Console(file=said, width=110))
    seconds = time.perf_counter() - start
    out.put(
        {
            "seconds": seconds,
            "code": code,
            "summary": said.getvalue() if code else "",
            "peak_mb": _peak_mb(),
            "cpu": _cpu_seconds() - cpu,
            "steps": _step_seconds(settings),
        }
    )


def _step_seconds(settings: Settings) -> dict[str, float]:
    """Wall seconds of each step (asset, multi-asset or check) of the latest run, from Dagster's event log."""
    import dagster as dg

    if not settings.dagster_home.exists():
        return {}
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    instance = dg.DagsterInstance.get()
    runs = instance.get_runs(limit=1)
    if not runs:
        return {}
    return {
        s.step_key: s.end_time - s.start_time
        for s in instance.get_run_step_stats(runs[0].run_id)
        if s.start_time is not None and s.end_time is not None
    }


def _report_steps(ctx: BenchContext, run: dict, top: int = STEPS_SHOWN) -> None:
    """The slowest steps of a run, and what the run spent outside its steps (start-up, definitions, the
    plan)."""
    if run.get("summary"):  # a failed run's own words: which step or check failed
        ctx.console.print(f"[red]  the run failed; its summary:[/]\n{run['summary'].rstrip()}")
    steps = sorted(run.get("steps", {}).items(), key=lambda kv: -kv[1])
    inside = sum(s for _, s in steps)
    for key, seconds in steps[:top]:
        ctx.console.print(f"    {seconds:7.1f} s  {seconds / run['seconds']:5.1%}  {key}")
    outside = run["seconds"] - inside
    where = (
        f"{outside:.1f} s outside them"
        if outside >= 0  # steps run side by side (pipelines.side_by_side): their sum can exceed the run
        else f"{-outside:.1f} s more than the run: steps ran side by side"
    )
    ctx.console.print(f"    {inside:7.1f} s in {len(steps)} steps; {where}")


def _in_child(target, *args) -> dict:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def _bench_landing(source_landing: Path, bench_dir: Path) -> Path:
    """A landing folder of hard links to the real files (auth_events file by file, so a new day can be added).

    Hard links, not symlinks: ingestion refuses symlinks in landing/. A copy where hard links fail (another
    disk).
    """
    if bench_dir.exists():
        shutil.rmtree(bench_dir)
    landing = bench_dir / "landing"
    for s in SOURCES:
        for path in _files(source_landing, s.name):
            link = landing / s.name / path.relative_to(source_landing / s.name)
            link.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, link)
            except OSError:
                shutil.copy2(path, link)
    return landing


def _land_new_day(landing: Path) -> int:
    """The last 50k auth events again, one day later, with new event ids: a plausible next day's file."""
    files = _files(landing, "auth_events")
    lines: list[str] = []
    for path in reversed(files):
        lines = path.read_text(encoding="utf-8").splitlines()[-NEW_DAY_EVENTS:] + lines
        if len(lines) >= NEW_DAY_EVENTS:
            break
    import datetime as dt

    out = []
    for line in lines[-NEW_DAY_EVENTS:]:
        try:
            event = json.loads(line)
            when = dt.datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00")) + dt.timedelta(
                days=1
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # planted bad lines are not part of a new day
        event["event_id"] = f"nd-{event['event_id']}"
        event["occurred_at"] = when.isoformat()
        out.append(json.dumps(event))
    target = landing / "auth_events" / "zz-bench-new-day.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(out)


def bench(ctx: BenchContext) -> list[Figure]:
    settings = ctx.settings
    if not any(_files(settings.landing_dir, s.name) for s in SOURCES):
        from pipelines.generator.run import generate_all

        ctx.console.print(f"no landing files: generating scale {ctx.scale}")
        generate_all(settings, ctx.scale, 42, console=ctx.console)
    bench_dir = settings.root / "bench" / "ingest"
    landing = _bench_landing(settings.landing_dir, bench_dir)
    try:
        ctx.console.print("baseline: DuckDB alone loading the landing files")
        base = _in_child(_baseline_child, str(landing), str(bench_dir / "baseline.duckdb"))
        ctx.console.print(f"  {base['seconds']:.1f} s")
        ctx.console.print("full materialize")
        full = _in_child(_materialize_child, str(bench_dir))
        ctx.console.print(f"  {full['seconds']:.1f} s, exit {full['code']}; slowest steps:")
        _report_steps(ctx, full)
        steps_file = settings.root / "bench" / f"ingest-steps-{ctx.scale}.json"
        events = _land_new_day(landing)
        ctx.console.print(f"one more day: {events:,} auth events")
        day = _in_child(_materialize_child, str(bench_dir))
        share = day["seconds"] / full["seconds"]
        ctx.console.print(
            f"  {day['seconds']:.1f} s = {share:.1%} of the full run, exit {day['code']}; its steps:"
        )
        _report_steps(ctx, day, top=8)
        steps_file.write_text(
            json.dumps(
                {
                    "seconds": full["seconds"],
                    "steps": full.get("steps", {}),
                    "one_more_day": {"seconds": day["seconds"], "steps": day.get("steps", {})},
                },
                indent=2,
            )
        )
        ctx.console.print("nothing new")
        idle = _in_child(_materialize_child, str(bench_dir))
        ctx.console.print(f"  {idle['seconds']:.1f} s, exit {idle['code']}")
    finally:
        shutil.rmtree(bench_dir, ignore_errors=True)
    ratio = full["seconds"] / base["seconds"]
    return [
        Figure(
            TOPIC,
            "materialize end to end",
            full["seconds"],
            "s",
            baseline=base["seconds"],
            target=f"≤ {RATIO_TARGET:g}× DuckDB load",
            ok=ratio <= RATIO_TARGET and full["code"] == 0,
            notes=f"exit code {full['code']}",
        ),
        Figure(
            TOPIC,
            "materialize CPU time (load-independent)",
            full["cpu"],
            "s",
            baseline=base["cpu"],
            target="informational: the wall-time ratio is the bar",
            notes="user + system seconds, with the cost-share worker processes",
        ),
        Figure(
            TOPIC,
            "materialize peak memory",
            full["peak_mb"],
            "MB",
            target=f"< {PEAK_MEMORY_LIMIT_MB} MB",
            ok=full["peak_mb"] < PEAK_MEMORY_LIMIT_MB,
        ),
        Figure(
            TOPIC,
            f"one more day ({events:,} auth events)",
            day["seconds"],
            "s",
            baseline=full["seconds"],
            target=f"≤ {NEW_DAY_SHARE:.0%} of the full run",
            ok=share <= NEW_DAY_SHARE and day["code"] == 0,
            notes=f"{share:.1%} of the full run ({full['seconds']:.1f} s); exit code {day['code']}",
        ),
        Figure(
            TOPIC,
            "one more day, share of the full run",
            100 * share,
            "%",
            target=f"≤ {NEW_DAY_SHARE:.0%}",
            ok=share <= NEW_DAY_SHARE and day["code"] == 0,
        ),
        Figure(
            TOPIC,
            "nothing new (no new file)",
            idle["seconds"],
            "s",
            baseline=full["seconds"],
            target="runs nothing, publishes nothing",
            ok=idle["code"] == 0,
        ),
    ]
