"""SQL files beside their module, loaded by name (docs/architecture.md, "SQL convention")."""

import duckdb
import pytest

from domain.sql_files import MissingSqlFile, load, search_path


def test_a_statement_is_loaded_by_its_package_and_name():
    text = load("assets.health_plan", "plan_providers")
    assert "FROM staging.hp_providers" in text
    assert load("assets.health_plan", "plan_providers") is text  # read once


def test_an_unknown_name_is_refused_with_the_name_and_package():
    with pytest.raises(
        MissingSqlFile, match=r"no SQL file plan_prividers\.sql in package assets\.health_plan"
    ):
        load("assets.health_plan", "plan_prividers")


def test_search_path_resolves_unqualified_names_then_restores_the_connection():
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA wh; CREATE TABLE wh.t AS SELECT 7 AS x; CREATE TABLE main.t AS SELECT 1 AS x")
    with search_path(conn, "wh"):
        assert conn.execute("SELECT x FROM t").fetchall() == [(7,)]
    assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
    with pytest.raises(duckdb.CatalogException), search_path(conn, "wh"):
        conn.execute("SELECT * FROM missing")
    assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
