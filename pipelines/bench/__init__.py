"""``portalytics bench``: every timing target of quality-bars.md, measured here, never in unit tests.

Each topic is a module in this package with ``def bench(ctx: BenchContext) -> list[Figure]``. A figure carries
its value, a baseline measured in the same run where the target is a ratio, and the target, so the report
reads "1.8× the DuckDB load (target ≤ 3×)" on whatever machine it ran.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from rich.console import Console
from rich.table import Table

from domain.settings import Settings

#: Topic modules in run order (cheap first). Each is ``pipelines.bench.<topic>``.
TOPICS: tuple[str, ...] = (
    "ingest",
    "learning",
    "ce",
    "duplicates",
    "health_plan",
    "auth_events",
    "person_links",
    "dashboard",
    "standard_formats",
)


@dataclass
class Figure:
    topic: str
    name: str
    value: float
    unit: str
    baseline: float | None = None  # same unit, measured in the same run
    target: str = ""
    ok: bool | None = None
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        return self.value / self.baseline if self.baseline else None


@dataclass
class BenchContext:
    settings: Settings
    scale: str
    console: Console
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: Figures measured so far in this run, so a later topic can compare against an earlier one.
    figures: list[Figure] = field(default_factory=list)

    def figure(self, topic: str, name: str) -> Figure | None:
        return next((f for f in self.figures if f.topic == topic and f.name == name), None)

    @contextmanager
    def timer(self) -> Iterator[Callable[[], float]]:
        start = time.perf_counter()
        elapsed: list[float] = []
        yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
        elapsed.append(time.perf_counter() - start)


def run_bench(settings: Settings, scale: str, only: list[str]) -> int:
    console = Console()
    ctx = BenchContext(settings, scale, console)
    figures = ctx.figures
    for topic in TOPICS:
        if only and topic not in only:
            continue
        try:
            module = importlib.import_module(f"pipelines.bench.{topic}")
        except ModuleNotFoundError as exc:
            if exc.name != f"pipelines.bench.{topic}":
                raise
            console.print(f"[yellow]{topic}: not built yet[/]")
            continue
        console.rule(topic)
        figures.extend(module.bench(ctx))
    table = Table(title=f"portalytics bench: scale={scale}, cores={ctx.cores}")
    for col in ("topic", "figure", "value", "baseline", "ratio", "target", "ok"):
        table.add_column(col)
    for f in figures:
        table.add_row(
            f.topic,
            f.name,
            f"{f.value:,.3f} {f.unit}",
            f"{f.baseline:,.3f}" if f.baseline is not None else "",
            f"{f.ratio:.2f}×" if f.ratio is not None else "",
            f.target,
            {True: "[green]yes[/]", False: "[red]no[/]", None: ""}[f.ok],
        )
    console.print(table)
    out = settings.root / "bench" / f"bench-{scale}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([asdict(f) | {"ratio": f.ratio} for f in figures], indent=2))
    console.print(f"written {out}")
    return 1 if any(f.ok is False for f in figures) else 0
