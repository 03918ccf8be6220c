"""SQL files beside their module, loaded by name (docs/architecture.md, "SQL convention")."""

import re
from pathlib import Path

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


def test_every_statement_the_code_names_is_a_file_of_its_package_and_every_file_is_named():
    root = Path(__file__).resolve().parents[1]
    named = re.compile(r"""\b(?:load\(__package__, |query\(\s*conn, |_first\(conn, )"([a-z_]+)\"""")
    files = list(root.glob("[adpr]*/**/*.sql"))
    assert files
    for module in root.glob("[adpr]*/**/*.py"):
        for name in named.findall(module.read_text(encoding="utf-8")):
            assert (module.parent / f"{name}.sql").is_file(), f"{module.relative_to(root)} names {name}.sql"
    for file in files:
        code = " ".join(m.read_text(encoding="utf-8") for m in file.parent.glob("*.py"))
        assert f'"{file.stem}"' in code, f"no module of {file.parent.relative_to(root)} runs {file.name}"
