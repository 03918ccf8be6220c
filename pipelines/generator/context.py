"""What every source generator receives: the scale, per-source randomness, writers, the truth and progress."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from domain.contracts import source

from .messiness import Defect, defects_for
from .progress import Reporter
from .scales import ScaleSpec
from .seeding import source_rng
from .truth import Truth
from .writers import SourceStats, SourceWriter

#: Below this many rows a source is a reference table: it gets each kind of bad row once, not multiplied.
REFERENCE_TABLE_ROWS = 1000


@dataclass
class GenContext:
    spec: ScaleSpec
    seed: int
    landing_dir: Path
    truth: Truth
    reporter: Reporter
    stats: dict[str, SourceStats] = field(default_factory=dict)

    def rng(self, name: str) -> random.Random:
        return source_rng(self.seed, name)

    def writer(self, name: str, expected_rows: int) -> SourceWriter:
        """A writer for ``landing/<name>/`` with its own random stream (so planting is reproducible)."""
        return SourceWriter(
            source(name),
            self.landing_dir / name,
            self.truth,
            self.rng(name + ":messiness"),
            self.reporter.task(name, expected_rows),
        )

    def defects(self, name: str, n_files: int, expected_rows: int) -> list[list[Defect]]:
        """Every defect kind of the source (times the scale's multiplier for big sources), spread over
        files."""
        kinds = defects_for(source(name))
        times = self.spec.bad_row_multiplier if expected_rows >= REFERENCE_TABLE_ROWS else 1
        planned = kinds * times
        per_file: list[list[Defect]] = [[] for _ in range(n_files)]
        for i, defect in enumerate(planned):
            per_file[i % n_files].append(defect)
        return per_file

    def done(self, writer: SourceWriter) -> None:
        self.stats[writer.src.name] = writer.finish()
        self.reporter.finish(writer.src.name)
