"""The great-expectations suite of each staging table, derived from ``domain.contracts`` (no GX import here).

An expectation is described as plain data (GX class name + keyword arguments) so the suites can be listed, tested
and documented without paying for the GX import; ``checks.gx_runner`` turns them into GX objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.contracts import SOURCES_BY_NAME, Kind, Rule, Source

#: What each special rule leaves in staging (ingest normalises to exactly these forms).
NORMALISED_FORMS = {
    Rule.LC_USER_ID: r"^\d{12}$",
    Rule.PHONE: r"^\+1\d{10}$",
    Rule.NPI: r"^\d{10}$",
    Rule.CODE5: r"^\d{5}$",
}
RANGES = {Rule.RATE: (0, 1), Rule.SCORE: (0, 100)}
#: Larger tables are validated on a repeatable sample of this many rows: a pandas frame of 5M login events would
#: cost gigabytes, and ingest already guarantees these invariants row by row (the suite is the second line).
MAX_FRAME_ROWS = 1_000_000


@dataclass(frozen=True)
class ExpectationSpec:
    expectation: str  # great_expectations.expectations class name
    kwargs: dict = field(hash=False)

    @property
    def columns(self) -> list[str]:
        return list(self.kwargs.get("column_list", [])) or [self.kwargs["column"]]

    def label(self) -> str:
        return f"{self.expectation}({', '.join(self.columns)})"


def suite_for(source: Source) -> list[ExpectationSpec]:
    """Keys unique and non-null, required columns non-null, value sets, ranges and normalised formats."""
    specs: list[ExpectationSpec] = []
    if len(source.key) == 1:
        specs.append(ExpectationSpec("ExpectColumnValuesToBeUnique", {"column": source.key[0]}))
    else:
        specs.append(ExpectationSpec("ExpectCompoundColumnsToBeUnique", {"column_list": list(source.key)}))
    for col in source.columns:
        if col.required:
            specs.append(ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": col.name}))
        if col.values:
            specs.append(
                ExpectationSpec(
                    "ExpectColumnValuesToBeInSet", {"column": col.name, "value_set": list(col.values)}
                )
            )
        if col.rule in NORMALISED_FORMS:
            specs.append(
                ExpectationSpec(
                    "ExpectColumnValuesToMatchRegex",
                    {"column": col.name, "regex": NORMALISED_FORMS[col.rule]},
                )
            )
        if col.rule in RANGES:
            low, high = RANGES[col.rule]
            specs.append(
                ExpectationSpec(
                    "ExpectColumnValuesToBeBetween", {"column": col.name, "min_value": low, "max_value": high}
                )
            )
        if col.rule is Rule.MONEY:
            kwargs = {"column": col.name, "min_value": 0}
            if source.negative_ok_when:
                other, allowed = source.negative_ok_when
                kwargs |= {"row_condition": f'{other}!="{allowed}"', "condition_parser": "pandas"}
            specs.append(ExpectationSpec("ExpectColumnValuesToBeBetween", kwargs))
    return specs


def reference_suite_for(source: Source, values_of) -> list[ExpectationSpec]:
    """Each reference column's values exist in the referenced table; ``values_of(source, column)`` lists them."""
    return [
        ExpectationSpec(
            "ExpectColumnValuesToBeInSet", {"column": col, "value_set": values_of(ref_source, ref_col)}
        )
        for col, ref_source, ref_col in source.references
    ]


def frame_columns(source: Source, specs: list[ExpectationSpec]) -> list[str]:
    """The staging columns a suite reads, in contract order (a check loads only these into pandas)."""
    needed = {c for s in specs for c in s.columns}
    if source.negative_ok_when:
        needed.add(source.negative_ok_when[0])
    return [c for c in source.column_names if c in needed]


def select_for_frame(source: Source, columns: list[str], rows: int) -> str:
    """SELECT of the frame (``rows`` = the table's size): decimals as DOUBLE (range checks only compare)."""
    exprs = []
    for name in columns:
        col = source.column(name)
        exprs.append(f'CAST("{name}" AS DOUBLE) AS "{name}"' if col.kind is Kind.DECIMAL else f'"{name}"')
    sample = (
        f" USING SAMPLE reservoir({MAX_FRAME_ROWS} ROWS) REPEATABLE (42)" if rows > MAX_FRAME_ROWS else ""
    )
    return f"SELECT {', '.join(exprs)} FROM staging.{source.name}{sample}"


def referenced_sources(source: Source) -> list[Source]:
    return [SOURCES_BY_NAME[ref] for _, ref, _ in source.references]
