"""A small published snapshot for the CE team's pages, built by hand: accounts, duplicate marts, claims,
credits.

Clusters (hand-picked as the duplicate detection would see them):
- CE1 = {CE1 Robert Smith (SSO, organisation e-mail), CE2 Bob Smith (gmail)}: personal + organisation,
survivor CE1.
- CE3 = {CE3 yahoo, CE4 organisation e-mail, CE5 gmail} (Linda Nguyen): a third account, survivor CE4.
- CE6 = {CE6, CE7} twins' accounts (icloud): other, survivor CE6 (oldest). CE6's first name is one a
  spreadsheet would run.
A review pair CE2/CE6 (0.61) links two clusters and belongs to neither.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import duckdb

from domain.ce.merges import DECISION_COLUMNS, decision_rows, fold_decisions, pairs_among, resolve_accounts
from reports.state import list_decisions

ORG = "lakeshorehealth.org"
HOSTILE = '=HYPERLINK("x")'

ACCOUNTS_DDL = """
account_id VARCHAR, first_name VARCHAR, last_name VARCHAR, email VARCHAR, email_domain VARCHAR,
email_domain_kind VARCHAR, degree VARCHAR, mobile_phone VARCHAR, birth_date DATE, license_state VARCHAR,
license_number VARCHAR, npi VARCHAR, city VARCHAR, state VARCHAR, postal_code VARCHAR, login_method VARCHAR,
person_id VARCHAR, created_at TIMESTAMP
"""
ACCOUNTS = [
    (
        "CE1",
        "Robert",
        "Smith",
        f"rsmith@{ORG}",
        ORG,
        "organisation",
        "MD",
        "***-***-0101",
        dt.date(1980, 4, 12),
        "IL",
        "041.123456",
        "1098765436",
        "Chicago",
        "IL",
        "60601",
        "sso",
        "P1",
        dt.datetime(2022, 1, 1),
    ),
    (
        "CE2",
        "Bob",
        "Smith",
        "bigbob80@gmail.com",
        "gmail.com",
        "personal",
        "MD",
        "***-***-0101",
        dt.date(1980, 4, 12),
        "IL",
        "041.123456",
        None,
        "Chicago",
        "IL",
        "60601",
        "password",
        None,
        dt.datetime(2018, 5, 1),
    ),
    (
        "CE3",
        "Linda",
        "Nguyen",
        "lindanguyen75@yahoo.com",
        "yahoo.com",
        "personal",
        "RN",
        None,
        dt.date(1975, 9, 3),
        "IL",
        "036.654321",
        "1234567893",
        "Chicago",
        "IL",
        "60614",
        "password",
        None,
        dt.datetime(2016, 2, 1),
    ),
    (
        "CE4",
        "Linda",
        "Nguyen",
        f"lnguyen@{ORG}",
        ORG,
        "organisation",
        "RN",
        "***-***-0123",
        dt.date(1975, 9, 3),
        "IL",
        "036.654321",
        "1234567893",
        "Chicago",
        "IL",
        "60614",
        "password",
        None,
        dt.datetime(2022, 1, 1),
    ),
    (
        "CE5",
        "Lidna",
        "Nguyen",
        "lnguyen1975@gmail.com",
        "gmail.com",
        "personal",
        "RN",
        "***-***-0199",
        dt.date(1975, 9, 3),
        None,
        None,
        "1234567893",
        "Chicago",
        "IL",
        "60614",
        "password",
        None,
        dt.datetime(2023, 3, 1),
    ),
    (
        "CE6",
        HOSTILE,
        "Garcia",
        "maria.garcia@icloud.com",
        "icloud.com",
        "personal",
        "RN",
        "***-***-0111",
        dt.date(1990, 6, 30),
        None,
        None,
        None,
        "Evanston",
        "IL",
        "60611",
        "password",
        None,
        dt.datetime(2021, 1, 1),
    ),
    (
        "CE7",
        "Sofia",
        "Garcia",
        "sofia.garcia@icloud.com",
        "icloud.com",
        "personal",
        "RN",
        "***-***-0122",
        dt.date(1990, 6, 30),
        None,
        None,
        None,
        "Evanston",
        "IL",
        "60611",
        "password",
        None,
        dt.datetime(2021, 6, 1),
    ),
    (
        "CE9",
        "Ann",
        "Lone",
        "ann@example.com",
        "example.com",
        "personal",
        "MD",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "password",
        None,
        dt.datetime(2020, 1, 1),
    ),
]

CLUSTERS_DDL = """
cluster_id VARCHAR, account_id VARCHAR, cluster_size INTEGER, classification VARCHAR,
is_recommended_survivor BOOLEAN, recommended_survivor_account_id VARCHAR, is_organisation_account BOOLEAN,
login_method VARCHAR
"""
CLUSTERS = [
    ("CE1", "CE1", 2, "personal_plus_organisation", True, "CE1", True, "sso"),
    ("CE1", "CE2", 2, "personal_plus_organisation", False, "CE1", False, "password"),
    ("CE3", "CE3", 3, "third_account", False, "CE4", False, "password"),
    ("CE3", "CE4", 3, "third_account", True, "CE4", True, "password"),
    ("CE3", "CE5", 3, "third_account", False, "CE4", False, "password"),
    ("CE6", "CE6", 2, "other", True, "CE6", False, "password"),
    ("CE6", "CE7", 2, "other", False, "CE6", False, "password"),
]

LEVELS = ("name", "birth_date", "mobile_phone", "email_local", "license", "npi", "address", "generation")
PAIRS_DDL = (
    "account_id_l VARCHAR, account_id_r VARCHAR, match_probability DOUBLE, match_weight DOUBLE, is_match "
    "BOOLEAN, "
    "cluster_id VARCHAR, evidence VARCHAR, "
    + ", ".join(f"{f}_level VARCHAR" for f in LEVELS)
    + ", decision VARCHAR, prior_weight DOUBLE, "
    + ", ".join(f"{f}_weight DOUBLE" for f in LEVELS)
)
#: The waterfall of CE1/CE2's match weight 9.6: prior -32, name +8, birth date +7, phone +9, e-mail -1.4,
#: license +7, address +12 (NPI and generation missing: 0). Other pairs: prior -10, the rest on the name.
WEIGHTS_CE1_CE2 = (-32.0, 8.0, 7.0, 9.0, -1.4, 7.0, 0.0, 12.0, 0.0)


def _weights(pair: tuple) -> tuple[float, ...]:
    if (pair[0], pair[1]) == ("CE1", "CE2"):
        return WEIGHTS_CE1_CE2
    return (-10.0, pair[3] + 10.0, *(0.0 for _ in LEVELS[1:]))


EVIDENCE_CE1_CE2 = (
    "same birth date, same phone, e-mail differs, same license, same address, names: Robert ~ Bob"
)
PAIRS = [
    (
        "CE1",
        "CE2",
        0.998712,
        9.6,
        True,
        "CE1",
        EVIDENCE_CE1_CE2,
        "nickname",
        "exact",
        "exact",
        "different",
        "exact",
        None,
        "exact",
        None,
        None,
    ),
    (
        "CE2",
        "CE6",
        0.61,
        0.6,
        False,
        None,
        "e-mail differs, names: Bob Smith ~ Maria Garcia",
        "different",
        "different",
        "different",
        "different",
        None,
        None,
        "different",
        None,
        None,
    ),
    (
        "CE3",
        "CE4",
        0.991,
        6.8,
        True,
        "CE3",
        "same birth date, e-mail differs, same license, same NPI, same name",
        "exact",
        "exact",
        None,
        "different",
        "exact",
        "exact",
        "exact",
        None,
        None,
    ),
    (
        "CE3",
        "CE5",
        0.95,
        4.3,
        True,
        "CE3",
        "same birth date, same NPI, names: Linda Nguyen ~ Lidna Nguyen",
        "typo",
        "exact",
        None,
        "different",
        None,
        "exact",
        "exact",
        None,
        None,
    ),
    (
        "CE4",
        "CE5",
        0.93,
        3.9,
        True,
        "CE3",
        "same birth date, phone differs, same NPI, names: Linda Nguyen ~ Lidna Nguyen",
        "typo",
        "exact",
        "different",
        "similar",
        None,
        "exact",
        "exact",
        None,
        None,
    ),
    (
        "CE6",
        "CE7",
        0.912,
        3.3,
        True,
        "CE6",
        "same birth date, phone differs, same address, surnames: Garcia ~ Garcia",
        "surname_only",
        "exact",
        "different",
        "different",
        None,
        None,
        "exact",
        None,
        None,
    ),
]

OUTCOMES_DDL = """
event_id VARCHAR, account_id VARCHAR, activity_id VARCHAR, outcome VARCHAR, reason VARCHAR, channel VARCHAR,
received_at TIMESTAMP, claimed_account_id VARCHAR, person_id VARCHAR, code VARCHAR, from_phone VARCHAR
"""
OUTCOMES = [
    (
        "A1",
        "CE1",
        "ACT1",
        "accepted",
        None,
        "sms",
        dt.datetime(2026, 3, 4, 14, 30),
        None,
        "P1",
        "12345",
        "+13125550101",
    ),
    (
        "R1",
        None,
        None,
        "rejected",
        "unknown_phone",
        "sms",
        dt.datetime(2026, 3, 4, 14, 40),
        None,
        None,
        "12345",
        "+13125550199",
    ),
    (
        "R2",
        "CE1",
        None,
        "rejected",
        "unknown_code",
        "sms",
        dt.datetime(2026, 3, 5, 9, 0),
        None,
        "P1",
        "=SUM(A1)",
        "+13125550101",
    ),
    (
        "R3",
        "CE2",
        "ACT1",
        "rejected",
        "outside_window",
        "sms",
        dt.datetime(2026, 4, 1, 10, 0),
        None,
        None,
        "12345",
        "+13125550101",
    ),
    (
        "R4",
        "CE1",
        "ACT1",
        "rejected",
        "duplicate",
        "qr",
        dt.datetime(2026, 4, 2, 8, 0),
        None,
        "P1",
        "12345",
        None,
    ),
]

TOTALS_DDL = "account_id VARCHAR, person_id VARCHAR, credit_type VARCHAR, year INTEGER, credits DECIMAL(9, 2)"
ITEMS_DDL = """
account_id VARCHAR, person_id VARCHAR, source VARCHAR, item_id VARCHAR, activity_id VARCHAR, title VARCHAR,
provider_name VARCHAR, completed_on DATE, credit_type VARCHAR, credits DECIMAL(9, 2)
"""
ITEMS = [
    (
        "CE1",
        "P1",
        "ce",
        "E1",
        "ACT0",
        "Grand rounds 2025",
        None,
        dt.date(2025, 6, 1),
        "AMA_PRA_1",
        Decimal("1.50"),
    ),
    (
        "CE1",
        "P1",
        "ce",
        "A1",
        "ACT1",
        "Grand rounds",
        None,
        dt.date(2026, 3, 4),
        "AMA_PRA_1",
        Decimal("1.50"),
    ),
    (
        "CE1",
        "P1",
        "external",
        "X1",
        None,
        "Outside course",
        "Outside Society",
        dt.date(2026, 5, 1),
        "AMA_PRA_1",
        Decimal("0.75"),
    ),
    ("CE4", None, "ce", "E6", "ACT2", "Sepsis update", None, dt.date(2026, 2, 10), "ANCC", Decimal("1.00")),
    ("CE6", None, "ce", "E7", "ACT3", "Wound care", None, dt.date(2026, 3, 20), "ANCC", Decimal("0.50")),
]
# The totals the CE mart derives from ITEMS per account, credit type and calendar year:
# CE1 AMA 2025 = 1.50; CE1 AMA 2026 = 1.50 + 0.75 = 2.25; CE4 ANCC 2026 = 1.00; CE6 ANCC 2026 = 0.50.
TOTALS = [
    ("CE1", "P1", "AMA_PRA_1", 2025, Decimal("1.50")),
    ("CE1", "P1", "AMA_PRA_1", 2026, Decimal("2.25")),
    ("CE4", None, "ANCC", 2026, Decimal("1.00")),
    ("CE6", None, "ANCC", 2026, Decimal("0.50")),
]


DECISIONS_DDL = """
decision_id BIGINT, action VARCHAR, decided_by VARCHAR, decided_at TIMESTAMP, reason VARCHAR, cluster_id
VARCHAR, survivor_account_id VARCHAR, merged_account_ids VARCHAR[], account_ids VARCHAR[], undoes_decision_id
BIGINT, undone_by_decision_id BIGINT, in_force BOOLEAN
"""
SURVIVORS_DDL = "account_id VARCHAR, survivor_account_id VARCHAR, decision_id BIGINT"


def _table(conn, name: str, ddl: str, rows: list[tuple]) -> None:
    conn.execute(f"CREATE TABLE marts.{name} ({ddl})")
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        conn.executemany(f"INSERT INTO marts.{name} VALUES ({marks})", [list(r) for r in rows])


def write_snapshot(
    path: Path,
    *,
    survivors: dict[str, str] | None = None,
    decisions: list[dict] | None = None,
    kept_separate: frozenset[tuple[str, str]] = frozenset(),
    clusters: list[tuple] | None = None,
    with_accounts: bool = True,
    skip: tuple[str, ...] = (),
) -> None:
    """The CE marts into a new DuckDB file.

    ``survivors`` adds ``marts.ce_account_survivors``, ``decisions`` rows of ``marts.ce_merge_decisions``;
    ``clusters`` replaces the clusters mart's rows; ``kept_separate`` pairs are marked in the pairs mart and
    no longer link a cluster (a cluster all of whose pairs are kept separate is gone), as duplicate detection
    publishes them.
    """
    pairs = [
        (*p[:-1], "kept_separate" if (p[0], p[1]) in kept_separate else None, *_weights(p)) for p in PAIRS
    ]
    gone = {c for c, accounts in cluster_members(clusters).items() if pairs_among(accounts) <= kept_separate}
    tables = {
        "ce_accounts": (ACCOUNTS_DDL, ACCOUNTS),
        "duplicate_account_clusters": (CLUSTERS_DDL, [c for c in clusters or CLUSTERS if c[0] not in gone]),
        "duplicate_account_pairs": (PAIRS_DDL, pairs),
        "ce_attendance_outcomes": (OUTCOMES_DDL, OUTCOMES),
        "ce_credit_items": (ITEMS_DDL, ITEMS),
        "ce_credit_totals": (TOTALS_DDL, TOTALS),
    }
    if not with_accounts:
        skip = (*skip, "ce_accounts")
    with duckdb.connect(str(path)) as conn:
        conn.execute("CREATE SCHEMA marts")
        for name, (ddl, rows) in tables.items():
            if name not in skip:
                _table(conn, name, ddl, rows)
        if survivors is not None:
            _table(
                conn, "ce_account_survivors", SURVIVORS_DDL, [(a, s, 0) for a, s in sorted(survivors.items())]
            )
        if decisions is not None:
            _table(
                conn,
                "ce_merge_decisions",
                DECISIONS_DDL,
                [tuple(d[c] for c in DECISION_COLUMNS) for d in decisions],
            )


def cluster_members(clusters: list[tuple] | None = None) -> dict[str, list[str]]:
    members: dict[str, list[str]] = {}
    for cluster_id, account_id, *_ in clusters or CLUSTERS:
        members.setdefault(cluster_id, []).append(account_id)
    return members


def materialized(settings) -> dict:
    """What the next materialize publishes for the decisions in the store (``domain.ce.merges``, as
    ``assets/ce/merges.py`` folds them): keyword arguments for :func:`publish`."""
    history = list_decisions(settings)
    accounts_of = resolve_accounts(history, cluster_members())
    state = fold_decisions(history, accounts_of)
    return {
        "survivors": state.survivors,
        "decisions": decision_rows(history, accounts_of, state),
        "kept_separate": state.kept_separate,
    }


def publish(data_dir: Path, name: str = "snapshot-1.duckdb", **kwargs) -> Path:
    """Write a snapshot under ``<data_dir>/published`` and swap ``current.duckdb`` to it, as the pipeline
    does."""
    published = Path(data_dir) / "published"
    published.mkdir(parents=True, exist_ok=True)
    write_snapshot(published / name, **kwargs)
    staged = published / f".{name}.tmp"
    staged.symlink_to(name)
    os.replace(staged, published / "current.duckdb")
    return published / "current.duckdb"
