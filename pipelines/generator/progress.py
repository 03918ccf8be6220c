"""A rich progress bar per source while generating, and a summary table at the end."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


class Reporter:
    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
        )
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> Reporter:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def task(self, name: str, expected_rows: int) -> Callable[[int], None]:
        task_id = self.progress.add_task(name, total=max(expected_rows, 1))
        self._tasks[name] = task_id
        return lambda n: self.progress.advance(task_id, n)

    def finish(self, name: str) -> None:
        task_id = self._tasks[name]
        done = self.progress.tasks[task_id].completed
        self.progress.update(task_id, total=max(done, 1), completed=max(done, 1))

    def summary(self, stats, title: str) -> Table:
        table = Table(title=title)
        for col, justify in (("source", "left"), ("files", "right"), ("rows", "right"), ("bad rows", "right"),
                             ("MB", "right"), ("seconds", "right")):  # fmt: skip
            table.add_column(col, justify=justify)
        totals = [0, 0, 0, 0, 0.0]
        for name, s in stats.items():
            table.add_row(name, f"{s.files}", f"{s.rows_good:,}", f"{s.rows_bad:,}", f"{s.bytes / 1e6:,.2f}",
                          f"{s.seconds:,.1f}")  # fmt: skip
            for i, v in enumerate((s.files, s.rows_good, s.rows_bad, s.bytes, s.seconds)):
                totals[i] += v
        table.add_row("total", f"{totals[0]}", f"{totals[1]:,}", f"{totals[2]:,}", f"{totals[3] / 1e6:,.2f}",
                      f"{totals[4]:,.1f}", style="bold")  # fmt: skip
        return table
