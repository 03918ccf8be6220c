"""The mart registry (``domain.marts``) is what is built: every published mart has exactly its entry's
columns and types, every entry is published, and Dagster shows each entry's description and column schema."""

import dagster as dg
import duckdb
import pandas as pd
import pytest
from rich.console import Console

from domain import marts
from domain.ce.duplicates import find_duplicate_accounts
from domain.settings import Settings
from pipelines.definitions import load_assets
from pipelines.generator.run import generate_all
from pipelines.materialize import run_materialize
from tests.ce.duplicates.accounts import ACCOUNTS

COLUMNS_SQL = (
    "SELECT table_name, column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = 'marts' ORDER BY table_name, ordinal_position"
)


def _columns(conn) -> dict[str, tuple[tuple[str, str], ...]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in conn.execute(COLUMNS_SQL).fetchall():
        found.setdefault(table, []).append((column, kind))
    return {t: tuple(c) for t, c in found.items()}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> dict[str, tuple[tuple[str, str], ...]]:
    """The published marts' columns after a full run over the generator's tiny data (rows in every path)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("registry") / "data")
    generate_all(settings, "tiny", 7)
    assert run_materialize(settings, "2026-03-01", console=Console(record=True, width=200)) == 0
    with duckdb.connect(str(settings.current_snapshot), read_only=True) as snap:
        return _columns(snap)


def test_every_published_mart_has_exactly_its_registry_columns_and_types(published):
    assert sorted(published) == sorted(marts.MARTS)  # every entry published, nothing published without one
    for name, columns in published.items():
        assert columns == marts.get(name).column_types, name


def test_the_registry_types_are_duckdb_and_arrow_types_that_read_back_the_same():
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA marts")
    for m in marts.MARTS.values():
        conn.execute(f"CREATE TABLE {m.table} AS {m.empty_select()}")
        conn.register("_arrow", m.arrow_schema().empty_table())
        conn.execute(f"CREATE TABLE marts.{m.name}__arrow AS SELECT * FROM _arrow")
        conn.unregister("_arrow")
    found = _columns(conn)
    for m in marts.MARTS.values():
        assert found[m.name] == found[f"{m.name}__arrow"] == m.column_types, m.name


def test_empty_duplicate_marts_have_the_registry_types():
    result = find_duplicate_accounts(pd.DataFrame(ACCOUNTS[:1]))  # one account: nothing to compare
    assert result.pairs.schema == marts.get("duplicate_account_pairs").arrow_schema()
    assert result.clusters.schema == marts.get("duplicate_account_clusters").arrow_schema()


def test_dagster_shows_each_marts_registry_description_and_column_schema():
    specs = {s.key: s for a in load_assets() for s in a.specs}
    mart_keys = {k for k in specs if k.path[0] == marts.SCHEMA}
    assert mart_keys == {dg.AssetKey([marts.SCHEMA, name]) for name in marts.MARTS}
    for key in mart_keys:
        entry, spec = marts.get(key.path[-1]), specs[key]
        assert spec.description == entry.description
        schema = spec.metadata["dagster/column_schema"]
        assert [(c.name, c.type) for c in schema.columns] == list(entry.column_types)
    decided_at = (
        specs[dg.AssetKey(["marts", "ce_merge_decisions"])].metadata["dagster/column_schema"].columns[3]
    )
    assert (decided_at.name, decided_at.description) == (
        "decided_at",
        "naive UTC, like every warehouse timestamp",
    )


def test_the_thresholds_a_description_quotes_are_the_policies():
    from domain.ce.duplicates import DuplicatePolicy
    from domain.login_security import LoginSecurityPolicy
    from domain.person_links.policy import PersonLinkPolicy

    duplicates, people, login = DuplicatePolicy(), PersonLinkPolicy(), LoginSecurityPolicy()
    quoted = {
        "duplicate_account_pairs": f"match probability ≥ {duplicates.review_threshold}",
        "duplicate_account_clusters": f"match probability ≥ {duplicates.match_threshold}",
        "person_links": f"links at ≥ {people.certain_probability}",
        "cross_portal_attacks": f"within {people.attack_minutes} minutes",
        "login_lockouts": f"{login.max_failures} consecutive failures lock an account (portal, username) for "
        f"{login.lock_minutes} minutes",
        "reset_loops": f"{login.loop_requests}+ reset requests for one account within {login.loop_hours} h",
        "credential_stuffing": f"on {login.stuffing_usernames}+ distinct usernames of a portal within "
        f"{login.stuffing_minutes} minutes",
    }
    for name, words in quoted.items():
        assert words in marts.get(name).description, name
