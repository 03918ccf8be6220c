"""Health-plan marts: cost share per claim line, accumulators, claim status, exceptions, enrollment roster.

Cost share is sequential per family, so it runs as :func:`domain.cost_share.price_family` over one family at a
time: DuckDB streams the claim lines ordered by subscriber (``fetchmany`` batches, the sort spills to disk if
it must), Python prices each family and appends the results to the marts in batches of Arrow rows. Memory
holds one batch, one family, the enrollment spans and the plan book, whatever the number of claim lines.

The roster and the plan years are set-based (plain DuckDB SQL).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import dagster as dg
import pyarrow as pa
from dagster_duckdb import DuckDBResource

from assets.common import MARTS, STAGING, mart_key, replace_table, staging_key
from domain.claims import ClaimLine
from domain.cost_share import (
    UNKNOWN_MEMBER,
    AccumulatorRow,
    FamilyResult,
    PlanBook,
    PlanYear,
    pct_met,
    price_family,
)
from domain.enrollment import EnrollmentSpan

GROUP = "health_plan"
HP_SOURCES: tuple[str, ...] = ("hp_plans", "hp_members", "hp_enrollment", "hp_claims")
#: Marts built by the one streaming pass over the claims.
CLAIM_MARTS: tuple[str, ...] = (
    "claim_cost_share",
    "claim_exceptions",
    "claim_status",
    "member_accumulators",
    "family_accumulators",
)
#: Asset check (non-blocking): claim lines that could not be priced, counted by reason.
CHECK_CLAIM_EXCEPTIONS = "claim_lines_without_coverage"
BATCH_ROWS = 20_000

MONEY = "DECIMAL(14,2)"
PCT = "DECIMAL(5,1)"
#: Column lists of the streamed marts, in table order, with their DuckDB types.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "claim_cost_share": (
        ("claim_id", "VARCHAR"),
        ("line_number", "INTEGER"),
        ("member_id", "VARCHAR"),
        ("deductible_applied", MONEY),
        ("coinsurance", MONEY),
        ("copay", MONEY),
        ("member_responsibility", MONEY),
        ("plan_paid", MONEY),
        ("subscriber_id", "VARCHAR"),
        ("employer_id", "VARCHAR"),
        ("plan_id", "VARCHAR"),
        ("plan_year", "INTEGER"),
        ("coverage_tier", "VARCHAR"),
        ("network", "VARCHAR"),
        ("service_category", "VARCHAR"),
        ("status", "VARCHAR"),
        ("claim_type", "VARCHAR"),
        ("root_claim_id", "VARCHAR"),
        ("service_date", "DATE"),
        ("processed_at", "TIMESTAMP"),
        ("order_at", "TIMESTAMP"),
        ("provider_npi", "VARCHAR"),
        ("billed_amount", MONEY),
        ("allowed_amount", MONEY),
        ("basis", "VARCHAR"),
        ("explanation", "VARCHAR"),
    ),
    "claim_exceptions": (
        ("claim_id", "VARCHAR"),
        ("line_number", "INTEGER"),
        ("member_id", "VARCHAR"),
        ("reason", "VARCHAR"),
        ("subscriber_id", "VARCHAR"),
        ("claim_type", "VARCHAR"),
        ("service_date", "DATE"),
        ("processed_at", "TIMESTAMP"),
        ("provider_npi", "VARCHAR"),
        ("allowed_amount", MONEY),
    ),
    "claim_status": (
        ("root_claim_id", "VARCHAR"),
        ("claim_id", "VARCHAR"),
        ("claim_type", "VARCHAR"),
        ("member_id", "VARCHAR"),
        ("subscriber_id", "VARCHAR"),
        ("employer_id", "VARCHAR"),
        ("provider_npi", "VARCHAR"),
        ("service_date", "DATE"),
        ("processed_at", "TIMESTAMP"),
        ("status", "VARCHAR"),
        ("line_count", "INTEGER"),
        ("unpriced_lines", "INTEGER"),
        ("billed_amount", MONEY),
        ("allowed_amount", MONEY),
        ("member_responsibility", MONEY),
        ("plan_paid", MONEY),
    ),
    "member_accumulators": (
        ("member_id", "VARCHAR"),
        ("plan_id", "VARCHAR"),
        ("plan_year", "INTEGER"),
        ("network", "VARCHAR"),
        ("deductible_met", MONEY),
        ("deductible_limit", MONEY),
        ("oop_met", MONEY),
        ("oop_limit", MONEY),
        ("deductible_remaining", MONEY),
        ("deductible_pct_met", PCT),
        ("oop_remaining", MONEY),
        ("oop_pct_met", PCT),
        ("subscriber_id", "VARCHAR"),
        ("employer_id", "VARCHAR"),
        ("coverage_tier", "VARCHAR"),
        ("plan_year_start", "DATE"),
    ),
    "family_accumulators": (
        ("subscriber_id", "VARCHAR"),
        ("plan_id", "VARCHAR"),
        ("plan_year", "INTEGER"),
        ("network", "VARCHAR"),
        ("deductible_met", MONEY),
        ("deductible_limit", MONEY),
        ("oop_met", MONEY),
        ("oop_limit", MONEY),
        ("deductible_remaining", MONEY),
        ("deductible_pct_met", PCT),
        ("oop_remaining", MONEY),
        ("oop_pct_met", PCT),
        ("employer_id", "VARCHAR"),
        ("coverage_tier", "VARCHAR"),
        ("plan_year_start", "DATE"),
    ),
}
ORDER_BY: dict[str, str] = {
    "claim_cost_share": "claim_id, line_number",
    "claim_exceptions": "claim_id, line_number",
    "claim_status": "root_claim_id",
    "member_accumulators": "member_id, plan_id, plan_year, network",
    "family_accumulators": "subscriber_id, plan_id, plan_year, network",
}

_CLAIM_FIELDS = (
    "claim_id, line_number, claim_type, original_claim_id, member_id, provider_npi, service_date, processed_at, "
    "status, service_category, network, allowed_amount, billed_amount"
)


def _arrow_type(duckdb_type: str) -> pa.DataType:
    if duckdb_type.startswith("DECIMAL"):
        precision, scale = duckdb_type[8:-1].split(",")
        return pa.decimal128(int(precision), int(scale))
    return {
        "VARCHAR": pa.string(),
        "INTEGER": pa.int32(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us"),
    }[duckdb_type]


@dataclass
class _TableWriter:
    """Appends rows to ``<schema>.<name>__build`` in Arrow batches; :meth:`publish` swaps it in."""

    conn: object
    schema: str
    name: str
    rows: list[tuple] = field(default_factory=list)
    count: int = 0

    def __post_init__(self) -> None:
        cols = COLUMNS[self.name]
        self._schema = pa.schema([(n, _arrow_type(t)) for n, t in cols])
        ddl = ", ".join(f"{n} {t}" for n, t in cols)
        self.conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        self.conn.execute(f"CREATE OR REPLACE TABLE {self.build_name} ({ddl})")

    @property
    def build_name(self) -> str:
        return f"{self.schema}.{self.name}__build"

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        columns = list(zip(*self.rows, strict=True))
        batch = pa.Table.from_arrays(
            [pa.array(c, type=f.type) for c, f in zip(columns, self._schema, strict=True)],
            schema=self._schema,
        )
        self.conn.register("_hp_batch", batch)
        try:
            self.conn.execute(f"INSERT INTO {self.build_name} SELECT * FROM _hp_batch")
        finally:
            self.conn.unregister("_hp_batch")
        self.count += len(self.rows)
        self.rows.clear()

    def publish(self) -> int:
        """Replace the mart by the built rows, in a fixed order so reruns are identical."""
        self.flush()
        target = f"{self.schema}.{self.name}"
        self.conn.execute(
            f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {self.build_name} ORDER BY {ORDER_BY[self.name]}"
        )
        self.conn.execute(f"DROP TABLE {self.build_name}")
        return self.count


def load_plan_book(conn, source: str = STAGING) -> PlanBook:
    cols = ", ".join(f.name for f in PlanYear.__dataclass_fields__.values())
    rows = conn.execute(f"SELECT {cols} FROM {source}.hp_plans").fetchall()
    return PlanBook(PlanYear(*r) for r in rows)


def load_spans(conn, source: str = STAGING) -> dict[str, list[EnrollmentSpan]]:
    spans: dict[str, list[EnrollmentSpan]] = defaultdict(list)
    sql = (
        f"SELECT member_id, plan_id, coverage_tier, coverage_start, coverage_end FROM {source}.hp_enrollment"
    )
    for row in conn.execute(sql).fetchall():
        spans[row[0]].append(EnrollmentSpan(*row))
    return spans


def _stream(cursor, sql: str) -> Iterator[tuple]:
    cursor.execute(sql)
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield from batch


def _families(cursor, source: str) -> Iterator[tuple[str, dict[str, str], list[ClaimLine]]]:
    """(subscriber_id, {member_id: employer_id}, claim lines) per family, families in subscriber order."""
    claim_cols = [c.strip() for c in _CLAIM_FIELDS.split(",")]
    sql = f"""
        SELECT m.subscriber_id, m.member_id AS family_member, m.employer_id,
               {", ".join(f"c.{c}" for c in claim_cols)}
        FROM {source}.hp_members m LEFT JOIN {source}.hp_claims c ON c.member_id = m.member_id
        ORDER BY m.subscriber_id, m.member_id
    """
    for subscriber_id, rows in itertools.groupby(_stream(cursor, sql), key=lambda r: r[0]):
        employers: dict[str, str] = {}
        lines: list[ClaimLine] = []
        for row in rows:
            employers[row[1]] = row[2]
            if row[3] is not None:
                lines.append(ClaimLine(*row[3:]))  # _CLAIM_FIELDS is in ClaimLine's field order
        yield subscriber_id, employers, lines


def _accumulator_values(a: AccumulatorRow) -> tuple:
    return (
        a.deductible_met,
        a.deductible_limit,
        a.oop_met,
        a.oop_limit,
        a.deductible_remaining,
        pct_met(a.deductible_met, a.deductible_limit),
        a.oop_remaining,
        pct_met(a.oop_met, a.oop_limit),
    )


def _write_family(
    out: dict[str, _TableWriter],
    subscriber_id: str,
    employers: dict[str, str],
    lines: Sequence[ClaimLine],
    result: FamilyResult,
) -> None:
    employer_of_family = employers.get(subscriber_id) or next(iter(employers.values()), None)
    paid_by_claim: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in result.lines:
        ln, p = r.line, r.priced
        totals = paid_by_claim[ln.claim_id]
        totals[0] += r.member_responsibility
        totals[1] += r.plan_paid
        out["claim_cost_share"].add(
            (
                ln.claim_id, ln.line_number, ln.member_id, r.deductible_applied, r.coinsurance, r.copay,
                r.member_responsibility, r.plan_paid, subscriber_id, employers.get(ln.member_id), p.plan_id,
                p.plan_year, p.coverage_tier, ln.network, ln.service_category, ln.status, ln.claim_type,
                p.root_claim_id, ln.service_date, ln.processed_at, p.order_at, ln.provider_npi,
                ln.billed_amount, ln.allowed_amount, r.basis, r.explanation,
            )
        )  # fmt: skip
    unpriced: dict[str, int] = defaultdict(int)
    for e in result.exceptions:
        unpriced[e.claim_id] += 1
    _write_exceptions(out["claim_exceptions"], subscriber_id, lines, result)
    for c in result.claims:
        member_pays, plan_pays = paid_by_claim.get(c.claim_id, (Decimal(0), Decimal(0)))
        out["claim_status"].add(
            (
                c.root_claim_id, c.claim_id, c.claim_type, c.member_id, subscriber_id, employers.get(c.member_id),
                c.provider_npi, c.service_date, c.processed_at, c.status, c.line_count, unpriced[c.claim_id],
                c.billed_amount, c.allowed_amount, member_pays, plan_pays,
            )
        )  # fmt: skip
    for a in result.members:
        out["member_accumulators"].add(
            (a.member_id, a.plan_id, a.plan_year, a.network, *_accumulator_values(a), subscriber_id,
             employers.get(a.member_id), a.coverage_tier, a.plan_year_start)
        )  # fmt: skip
    for a in result.families:
        out["family_accumulators"].add(
            (subscriber_id, a.plan_id, a.plan_year, a.network, *_accumulator_values(a), employer_of_family,
             a.coverage_tier, a.plan_year_start)
        )  # fmt: skip


def _write_exceptions(
    writer: _TableWriter, subscriber_id: str, lines: Sequence[ClaimLine], result: FamilyResult
) -> None:
    if not result.exceptions:
        return
    # Exceptions carry only keys; the family's lines give the context columns.
    context = {(ln.claim_id, ln.line_number): ln for ln in lines}
    for e in result.exceptions:
        ln = context[(e.claim_id, e.line_number)]
        writer.add(
            (e.claim_id, e.line_number, e.member_id, e.reason, subscriber_id, ln.claim_type, ln.service_date,
             ln.processed_at, ln.provider_npi, ln.allowed_amount)
        )  # fmt: skip


def price_all_families(conn, source: str = STAGING, target: str = MARTS) -> dict[str, int]:
    """Build the claim marts in ``target`` from the hp_* tables in ``source``, one family at a time.

    Returns the row count of each mart. ``conn`` is a DuckDB connection; the claims stream through a second
    cursor so the marts can be written while it is read."""
    plans = load_plan_book(conn, source)
    spans = load_spans(conn, source)
    out = {name: _TableWriter(conn, target, name) for name in CLAIM_MARTS}
    reader = conn.cursor()
    try:
        for subscriber_id, employers, lines in _families(reader, source):
            family_spans: Sequence[EnrollmentSpan] = [s for m in employers for s in spans.get(m, ())]
            result = price_family(subscriber_id, lines, family_spans, plans)
            _write_family(out, subscriber_id, employers, lines, result)
    finally:
        reader.close()
    # Lines of members unknown to hp_members belong to no family: reported, never priced.
    out["claim_exceptions"].flush()
    conn.execute(
        f"""
        INSERT INTO {out["claim_exceptions"].build_name}
        SELECT c.claim_id, c.line_number, c.member_id, '{UNKNOWN_MEMBER}', NULL, c.claim_type, c.service_date,
               c.processed_at, c.provider_npi, c.allowed_amount
        FROM {source}.hp_claims c ANTI JOIN {source}.hp_members m ON c.member_id = m.member_id
        """
    )
    unknown = conn.execute(
        f"SELECT count(*) FROM {source}.hp_claims c ANTI JOIN {source}.hp_members m ON c.member_id = m.member_id"
    ).fetchall()[0][0]
    out["claim_exceptions"].count += unknown
    return {name: writer.publish() for name, writer in out.items()}


def build_employer_enrollment(conn, source: str = STAGING, target: str = MARTS) -> int:
    """The roster: one row per enrollment span with the member's employer, family and names."""
    return replace_table(
        conn,
        f"{target}.employer_enrollment",
        f"""
        SELECT m.employer_id, e.name AS employer_name, en.member_id, m.subscriber_id, m.relationship,
               m.first_name, m.last_name, en.coverage_tier, en.plan_id, en.coverage_start, en.coverage_end
        FROM {source}.hp_enrollment en
        JOIN {source}.hp_members m ON m.member_id = en.member_id
        LEFT JOIN {source}.hp_employers e ON e.employer_id = m.employer_id
        ORDER BY m.employer_id, m.subscriber_id, en.member_id, en.coverage_start, en.plan_id
        """,
    )


PLAN_YEAR_COLUMNS = (
    "plan_id, plan_year, plan_year_start, plan_year_end, name, family_deductible_type, ded_ind_in, ded_fam_in, "
    "oop_ind_in, oop_fam_in, ded_ind_out, ded_fam_out, oop_ind_out, oop_fam_out, coins_in, coins_out, "
    "copay_office_visit, copay_specialist, copay_emergency, copay_rx_generic, copay_rx_brand"
)


def build_plan_years(conn, source: str = STAGING, target: str = MARTS) -> int:
    """Plan designs with the last day of each plan year (``plan_year_end``) as the engine decides it."""
    book = load_plan_book(conn, source)
    ends = [(py.plan_id, py.plan_year, book.end_of(py) - dt.timedelta(days=1)) for py in book.plan_years()]
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _hp_plan_year_ends (plan_id VARCHAR, plan_year INTEGER, plan_year_end DATE)"
    )
    if ends:
        conn.executemany("INSERT INTO _hp_plan_year_ends VALUES (?, ?, ?)", ends)
    try:
        return replace_table(
            conn,
            f"{target}.plan_years",
            f"""
            SELECT {PLAN_YEAR_COLUMNS}
            FROM {source}.hp_plans p JOIN _hp_plan_year_ends USING (plan_id, plan_year)
            ORDER BY plan_id, plan_year
            """,
        )
    finally:
        conn.execute("DROP TABLE _hp_plan_year_ends")


# ---------------------------------------------------------------------------------------- Dagster
@dg.multi_asset(
    specs=[
        dg.AssetSpec(mart_key(name), deps=[staging_key(s) for s in HP_SOURCES], group_name=GROUP)
        for name in CLAIM_MARTS
    ],
    check_specs=[
        dg.AssetCheckSpec(CHECK_CLAIM_EXCEPTIONS, asset=mart_key("claim_exceptions"), blocking=False)
    ],
)
def health_plan_claims(duckdb: DuckDBResource):
    """Cost share per effective claim line, claim status, member and family accumulators at the end of the
    data, and the claim lines that could not be priced (no covering enrollment span or plan year, unknown
    member)."""
    with duckdb.get_connection() as conn:
        counts = price_all_families(conn)
        by_reason = dict(
            conn.execute(
                f"SELECT reason, count(*) FROM {MARTS}.claim_exceptions GROUP BY reason ORDER BY reason"
            ).fetchall()
        )
        totals = conn.execute(
            f"SELECT count(*), coalesce(sum(member_responsibility), 0), coalesce(sum(plan_paid), 0) "
            f"FROM {MARTS}.claim_cost_share"
        ).fetchall()[0]
    for name in CLAIM_MARTS:
        metadata: dict = {"rows": counts[name]}
        if name == "claim_cost_share":
            metadata |= {"member_responsibility": str(totals[1]), "plan_paid": str(totals[2])}
        if name == "claim_exceptions":
            metadata |= {f"reason_{k}": v for k, v in by_reason.items()}
        yield dg.MaterializeResult(asset_key=mart_key(name), metadata=metadata)
    yield dg.AssetCheckResult(
        asset_key=mart_key("claim_exceptions"),
        check_name=CHECK_CLAIM_EXCEPTIONS,
        passed=counts["claim_exceptions"] == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"unpriced_lines": counts["claim_exceptions"], **{k: v for k, v in by_reason.items()}},
        description="Claim lines reported in marts.claim_exceptions instead of being priced.",
    )


@dg.asset(
    key=mart_key("employer_enrollment"),
    deps=[staging_key(s) for s in ("hp_employers", "hp_members", "hp_enrollment")],
    group_name=GROUP,
)
def employer_enrollment(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Every enrollment span with the member's employer, subscriber, relationship, names, tier and plan."""
    with duckdb.get_connection() as conn:
        rows = build_employer_enrollment(conn)
    return dg.MaterializeResult(metadata={"rows": rows})


@dg.asset(key=mart_key("plan_years"), deps=[staging_key("hp_plans")], group_name=GROUP)
def plan_years(duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Plan designs per plan year, with where each plan year ends."""
    with duckdb.get_connection() as conn:
        rows = build_plan_years(conn)
    return dg.MaterializeResult(metadata={"rows": rows})
