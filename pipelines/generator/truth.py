"""The planted ground truth, collected while generating and written to ``<data dir>/truth/`` at the end."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any


@dataclass
class Truth:
    bad_rows: list[tuple[str, str, int, str]] = field(default_factory=list)
    rejected_files: list[tuple[str, str, str]] = field(default_factory=list)
    relanded_files: list[tuple[str, str, str]] = field(default_factory=list)
    duplicate_accounts: list[tuple[str, str]] = field(default_factory=list)
    #: (kind, account_id, account_id) of relatives who look alike but are two people: twins, father_son,
    #: spouses.
    hard_negatives: list[tuple[str, str, str]] = field(default_factory=list)
    #: (source, file_name, row_number, column, kind) of valid-but-awkward values: non-ASCII, formula, SQL.
    tricky_values: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    #: How many ce_attendance claims have each expected outcome (the rows themselves are spooled to a file).
    attendance_outcome_counts: Counter = field(default_factory=Counter)
    planted: dict[str, Any] = field(default_factory=lambda: defaultdict(dict))
    #: (event_id, outcome) of every ce_attendance claim as csv rows: one per claim (4M at large), so they go
    #: to a temporary file as they come instead of a list, and are copied into the truth folder at the end.
    _outcomes: IO[str] | None = field(default=None, repr=False)
    _outcomes_csv: Any = field(default=None, repr=False)

    def attendance_outcome(self, event_id: str, outcome: str) -> None:
        """Record what the attendance rules must conclude for claim ``event_id``."""
        if self._outcomes is None:
            # open for the whole generation (claims come one by one); removed by the OS when closed
            self._outcomes = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
            self._outcomes_csv = csv.writer(self._outcomes, lineterminator="\n")
        self._outcomes_csv.writerow((event_id, outcome))
        self.attendance_outcome_counts[outcome] += 1

    def count(self, section: str, name: str, n: int = 1) -> None:
        bucket = self.planted[section]
        bucket[name] = bucket.get(name, 0) + n

    def set(self, section: str, name: str, value: Any) -> None:
        self.planted[section][name] = value

    def write(self, truth_dir: Path) -> list[Path]:
        truth_dir.mkdir(parents=True, exist_ok=True)
        tables = {
            "bad_rows.csv": (("source", "file_name", "row_number", "reason"), self.bad_rows),
            "rejected_files.csv": (("source", "file_name", "reason"), self.rejected_files),
            "relanded_files.csv": (("source", "file_name", "same_as"), self.relanded_files),
            "duplicate_accounts.csv": (("cluster_id", "account_id"), self.duplicate_accounts),
            "duplicate_hard_negatives.csv": (("kind", "account_id_l", "account_id_r"), self.hard_negatives),
            "tricky_values.csv": (
                ("source", "file_name", "row_number", "column", "kind"),
                self.tricky_values,
            ),
            "attendance_outcomes.csv": (("event_id", "outcome"), ()),
        }
        written = []
        for name, (header, rows) in tables.items():
            path = truth_dir / name
            with path.open("w", encoding="utf-8", newline="") as fh:
                out = csv.writer(fh, lineterminator="\n")
                out.writerow(header)
                out.writerows(rows)
                if name == "attendance_outcomes.csv" and self._outcomes is not None:
                    fh.flush()
                    self._outcomes.seek(0)
                    shutil.copyfileobj(self._outcomes, fh)
            written.append(path)
        planted = dict(self.planted)
        planted["bad_rows_by_source"] = _nested_counts((s, r) for s, _, _, r in self.bad_rows)
        planted["rejected_files_by_reason"] = dict(
            sorted(Counter(r for *_, r in self.rejected_files).items())
        )
        planted["attendance_outcomes"] = dict(sorted(self.attendance_outcome_counts.items()))
        path = truth_dir / "planted.json"
        path.write_text(json.dumps(planted, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
        return written


def _nested_counts(pairs) -> dict[str, dict[str, int]]:
    out: dict[str, Counter] = defaultdict(Counter)
    for outer, inner in pairs:
        out[outer][inner] += 1
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}
