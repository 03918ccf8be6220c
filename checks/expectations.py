"""The great-expectations suite of each staging table, derived from ``domain.contracts`` (no GX import here).

An expectation is described as plain data (GX class name + keyword arguments) so the suites can be listed,
tested and documented without paying for the GX import; ``checks.gx_runner`` turns them into GX objects.
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
#: Larger tables are validated on a sample of about this many rows: a pandas frame of 5M login events would
#: cost gigabytes, and ingest already guarantees these invariants row by row (the suite is the second line). A
#: defect in 1 row of 50k is still in the sample with 99 % probability (1 - e^-5). At medium scale the suites
#: of auth_events and hp_claims cost about 2 s of CPU each on 250k rows, 6 s on 1M (docs/operations.md, issue
#: 22).
MAX_FRAME_ROWS = 250_000


@dataclass(frozen=True)
class NotEqual:
    """A row condition as plain data: the expectation applies only to rows whose ``column`` is not ``value``
    (``checks.gx_runner`` makes it GX's ``Column(column) != value``)."""

    column: str
    value: str


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
                kwargs |= {"row_condition": NotEqual(other, allowed)}
            specs.append(ExpectationSpec("ExpectColumnValuesToBeBetween", kwargs))
    return specs


#: Suffix of the boolean column a reference check computes in DuckDB: ``member_id`` → ``member_id__exists``.
EXISTS_SUFFIX = "__exists"


def exists_column(column: str) -> str:
    return f"{column}{EXISTS_SUFFIX}"


def reference_suite_for(source: Source) -> list[ExpectationSpec]:
    """Each reference column's ``<column>__exists`` is True (NULL where the column itself is empty: GX skips
    it).

    Existence is computed in DuckDB (:func:`select_for_references`), so GX checks one boolean per row instead
    of comparing every value with a set of up to hundreds of thousands of keys.
    """
    return [
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": exists_column(col), "value_set": [True]})
        for col, _, _ in source.references
    ]


def select_for_references(source: Source, present: set[str]) -> str:
    """SELECT of the reference frame: per reference, ``<column>__exists`` from a LEFT JOIN on the DISTINCT
    keys.

    Every row is checked, never a sample: a frame of booleans is small (3M claims: 6 MB) and sampling would
    cost
    more than the join. ``present`` names the staging tables that exist: one that does not holds no keys.
    """
    frame = f"staging.{source.name} s"
    exprs, joins = [], []
    for i, (col, ref_source, ref_col) in enumerate(source.references):
        ref_type = SOURCES_BY_NAME[ref_source].column(ref_col).duckdb_type
        keys = (
            f"SELECT DISTINCT {_q(ref_col)} AS k FROM staging.{ref_source} WHERE {_q(ref_col)} IS NOT NULL"
            if ref_source in present
            else f"SELECT CAST(NULL AS {ref_type}) AS k WHERE false"
        )
        joins.append(f"LEFT JOIN ({keys}) r{i} ON s.{_q(col)} = r{i}.k")
        exprs.append(
            f"CASE WHEN s.{_q(col)} IS NULL THEN NULL ELSE r{i}.k IS NOT NULL END AS {_q(exists_column(col))}"
        )
    return f"SELECT {', '.join(exprs)} FROM {frame} {' '.join(joins)}"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def frame_columns(source: Source, specs: list[ExpectationSpec]) -> list[str]:
    """The staging columns a suite reads, in contract order (a check loads only these into pandas)."""
    needed = {c for s in specs for c in s.columns}
    if source.negative_ok_when:
        needed.add(source.negative_ok_when[0])
    return [c for c in source.column_names if c in needed]


def select_for_frame(
    source: Source, columns: list[str], rows: int, of_files: bool = False, repeated_keys: bool = False
) -> str:
    """SELECT of the frame (``rows`` = how many rows it selects from): decimals as DOUBLE (range checks only
    compare). ``of_files``: only the rows of the files bound as ``$files`` (a list of ``_file_name``);
    ``repeated_keys``: also the other rows of each key repeated in the table (``select_repeated_keys``)."""
    exprs = []
    for name in columns:
        col = source.column(name)
        exprs.append(f'CAST("{name}" AS DOUBLE) AS "{name}"' if col.kind is Kind.DECIMAL else f'"{name}"')
    # Bernoulli (each row with probability p), not reservoir: 5M events sample in 2 s instead of 13 s. The
    # percentage is written into the text because DuckDB's SAMPLE clause takes only constants, no parameter
    # ("Only constants are supported in sample clause"); it is a number computed here, never input.
    sample = ""
    if rows > MAX_FRAME_ROWS:
        sample = f" USING SAMPLE {100 * MAX_FRAME_ROWS / rows:.6f}% (bernoulli, 42)"
    select = f"SELECT {', '.join(exprs)} FROM staging.{source.name}"
    if not of_files:
        return f"{select}{sample}"
    new = f"{select} WHERE list_contains($files, _file_name){sample}"
    if not repeated_keys:
        return new
    key = ", ".join(_q(k) for k in source.key)
    return (
        f"{new} UNION ALL {select} WHERE NOT coalesce(list_contains($files, _file_name), false) "
        f"AND ({key}) IN ({select_repeated_keys(source)})"
    )


def select_repeated_keys(source: Source) -> str:
    """The keys found on more than one row of the staging table. Uniqueness is the whole table's, not a
    file's: a run that validates only its new files' rows still counts every row of a repeated key. There are
    none while ingest keeps its invariant; finding that out is a GROUP BY of the keys alone (5M events: ~1 s
    of CPU, ~0.3 GB), and the rows of a repeated key are read only when there is one."""
    key = ", ".join(_q(k) for k in source.key)
    return f"SELECT {key} FROM staging.{source.name} GROUP BY ALL HAVING count(*) > 1"


def referenced_sources(source: Source) -> list[Source]:
    return [SOURCES_BY_NAME[ref] for _, ref, _ in source.references]
