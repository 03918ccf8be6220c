"""On materialize's incremental run the person links are kept as they stand when the run's new sign-in files
bring no portal user the events did not already hold and nothing else the links read changed; a new portal
user, a changed input or a run not tagged incremental rebuilds. Either way the marts equal a full recompute.

The world is ``tests/person_links/world.py`` (HR, CE accounts, plan members, the duplicate model's marts);
its sign-in events arrive as landing files through the real auth_events ingest."""

from __future__ import annotations

import json

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.common import staging_key
from assets.increments import INCREMENTAL, PLAN_TAG
from assets.ingestion.staging_assets import staging_assets
from assets.person_links import person_links
from assets.warehouse import open_warehouse
from domain.person_links import person_link_review_sql, person_link_rows_sql, person_links_sql
from pipelines.resources import build_resources
from tests.person_links import world
from tests.pipeline.harness import land

STAGING = [a for a in staging_assets if a.key == staging_key("auth_events")]
LC = "portal_user:learning_center"


@dg.asset(key=staging_key("lc_people"))
def hr_changes_hal_email(duckdb: DuckDBResource) -> None:
    """A stand-in for a new HR file: Hal Wu's e-mail becomes ``q``, a user name the events already hold."""
    with duckdb.get_connection() as conn:
        conn.execute("UPDATE staging.lc_people SET email = 'q' WHERE person_id = 'P6'")


def _world_without_events(settings) -> None:
    settings.ensure_root()
    source = world.build()
    with open_warehouse(str(settings.warehouse_path)) as conn:
        for schema, table in source.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE table_name <> 'auth_events'"
        ).fetchall():
            conn.register("_t", source.sql(f"SELECT * FROM {schema}.{table}").to_arrow_table())
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            conn.execute(f"CREATE TABLE {schema}.{table} AS SELECT * FROM _t")
            conn.unregister("_t")
    source.close()


def _lines(events: list[dict]) -> str:
    return "".join(
        json.dumps({**e, "occurred_at": e["occurred_at"].isoformat() + "+00:00", "user_agent": "test"}) + "\n"
        for e in events
    )


def _run(settings, instance, plan: str = INCREMENTAL, extra: tuple = ()) -> bool:
    """Materialize staging/auth_events (and ``extra``), then the links; returns whether they were kept."""
    result = dg.materialize(
        [*STAGING, *extra, person_links],
        instance=instance,
        resources=build_resources(settings),
        tags={PLAN_TAG: plan},
        selection=[*(a.key for a in (*STAGING, *extra)), *person_links.keys],
    )
    assert result.success
    [links] = [
        e.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key.path[-1] == "person_links"
    ]
    return links.metadata["kept"].value


def _marts_and_recompute(settings) -> tuple[tuple[list, list], tuple[list, list]]:
    """(links, review) as the marts hold them, and as the rule computes them over the warehouse now."""
    with open_warehouse(str(settings.warehouse_path)) as conn:
        marts = tuple(
            conn.execute(f"SELECT * FROM marts.{m} ORDER BY ALL").fetchall()
            for m in ("person_links", "person_link_review")
        )
        rows = person_link_rows_sql()
        conn.execute(f"CREATE TEMP TABLE fresh AS {rows.sql}", rows.params)
        fresh = tuple(
            conn.execute(f"SELECT * FROM ({sql}) ORDER BY ALL").fetchall()
            for sql in (person_links_sql("fresh"), person_link_review_sql("fresh"))
        )
    return marts, fresh


def _known_users(day: int) -> list[dict]:
    """New events (new ids) of users the world's events already hold, a blank and a missing user name: no new
    portal user."""
    at = f"2026-10-{day:02d}T08:0"
    return [
        world.event(f"{at}0:00Z", "login_success", "ana.diaz", portal="learning_center"),
        world.event(f"{at}5:00Z", "login_failure", "admin", portal="patient_portal"),
        world.event(f"{at}6:00Z", "login_failure", "  ", portal="patient_portal"),
        {**world.event(f"{at}7:00Z", "login_failure", "x", portal="patient_portal"), "username": None},
    ]


def _links_of(marts, person: str) -> set[tuple[str, str]]:
    return {(r[1], r[2]) for r in marts[0] if r[0] == person}


def test_links_are_kept_only_while_no_new_portal_user_or_input_comes(settings):
    instance = dg.DagsterInstance.ephemeral()
    _world_without_events(settings)
    land(settings, "auth_events", "d1.jsonl", _lines(world.EVENTS))
    assert _run(settings, instance) is False  # nothing to keep yet
    marts, fresh = _marts_and_recompute(settings)
    assert marts == fresh
    assert len(marts[0]) == 25 and len(marts[1]) == 5  # the world's own counts (tests/person_links)
    assert (LC, "di.lo") not in _links_of(marts, "P4")
    before = marts

    # Only users the events already hold: the links stay as they are.
    land(settings, "auth_events", "d2.jsonl", _lines(_known_users(6)))
    assert _run(settings, instance) is True
    marts, fresh = _marts_and_recompute(settings)
    assert marts == fresh == before

    # Di Lo signs in to the Learning Center for the first time: her HR e-mail's user name links her.
    land(
        settings,
        "auth_events",
        "d3.jsonl",
        _lines([world.event("2026-10-07T08:00:00Z", "login_success", "di.lo", portal="learning_center")]),
    )
    assert _run(settings, instance) is False
    marts, fresh = _marts_and_recompute(settings)
    assert marts == fresh
    assert (LC, "di.lo") in _links_of(marts, "P4")
    assert len(marts[0]) == 26

    # HR changes Hal's e-mail to a user name the events hold, and a file of known users lands: the links
    # read another HR table, so they are rebuilt and Hal gets the Learning Center user "q".
    land(settings, "auth_events", "d4.jsonl", _lines(_known_users(8)))
    assert (LC, "q") not in _links_of(marts, "P6")
    assert _run(settings, instance, extra=(hr_changes_hal_email,)) is False
    marts, fresh = _marts_and_recompute(settings)
    assert marts == fresh
    assert (LC, "q") in _links_of(marts, "P6")

    # With nothing else changed the next file of known users is kept again; a run not tagged incremental
    # (--full, dagster dev, the schedule) rebuilds.
    land(settings, "auth_events", "d5.jsonl", _lines(_known_users(9)))
    assert _run(settings, instance) is True
    land(settings, "auth_events", "d6.jsonl", _lines(_known_users(10)))
    assert _run(settings, instance, plan="full") is False
    marts, fresh = _marts_and_recompute(settings)
    assert marts == fresh
