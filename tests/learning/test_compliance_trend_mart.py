"""``marts.compliance_trend``: the Compliance page's trend from a few rows per month instead of the whole
history.

The figures the page shows must not change: on generated data the trend read from the new mart equals the
rollup of every month-end of ``marts.compliance_history`` (the same rule the as-of summary uses), for the
whole organisation and for a manager's departments.
"""

import io

import dagster as dg
import ibis
import pytest
from rich.console import Console

from assets.common import MARTS
from assets.ingestion.staging_assets import staging_assets
from assets.learning import marts as learning
from assets.warehouse import open_warehouse
from domain.learning.compliance import compliance_rollup
from domain.settings import Settings
from pipelines.generator.run import generate_all
from pipelines.resources import build_resources
from reports.learning import compliance
from reports.principal import NotPermitted, Principal, Role

LC_STAGING = [a for a in staging_assets if a.key.path[-1].startswith("lc_")]


@pytest.fixture(scope="module")
def tiny_warehouse(tmp_path_factory):
    """Generated tiny data: the four Learning Center sources ingested, the history and the trend built."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("tiny-trend"))
    generate_all(settings, "tiny", 7, console=Console(file=io.StringIO()))
    assets = [*LC_STAGING, learning.compliance_history_mart, learning.compliance_trend_mart]
    result = dg.materialize(assets, resources=build_resources(settings, "2026-03-01"))
    assert result.success
    return settings.warehouse_path


def _old_trend(history: ibis.Table) -> list[tuple]:
    """The trend as the page computed it before the mart: each month-end's rollup of the history rows."""
    out = []
    for day in sorted(history.select("month_end").distinct().to_pyarrow().column(0).to_pylist()):
        rolled = compliance_rollup(history.filter(history.month_end == day), "department")
        out += [(day, r["department"], r["pct_compliant"]) for r in rolled.to_pyarrow().to_pylist()]
    return out


def _new_trend(principal: Principal, conn) -> list[tuple]:
    frame = compliance.trend(principal, conn, "department")
    return list(zip(frame["month_end"], frame["department"], frame["pct_compliant"], strict=True))


def test_the_trend_from_the_mart_equals_the_rollup_of_the_history_on_generated_data(tiny_warehouse):
    with open_warehouse(str(tiny_warehouse), read_only=True) as conn:
        history = ibis.duckdb.from_connection(conn).table("compliance_history", database=MARTS)
        assert history.count().to_pyarrow().as_py() > 1000  # a real history, many month-ends
        admin = Principal("ada", Role.ADMIN)
        new = _new_trend(admin, conn)
        assert len({d for d, _, _ in new}) > 12
        assert new == _old_trend(history)

        departments = sorted(
            {
                r[0]
                for r in conn.execute(
                    f"SELECT DISTINCT department FROM {MARTS}.compliance_history"
                ).fetchall()
            }
        )
        scope = tuple(departments[:2])
        manager = Principal("mia", Role.EDUCATION_MANAGER, scope)
        mine = _new_trend(manager, conn)
        assert {d for _, d, _ in mine} == set(scope)
        assert mine == _old_trend(history.filter(history.department.isin(list(scope))))
        # the dates the page offers are the history's month-ends of the manager's departments
        assert compliance.month_ends(manager, conn) == sorted(
            {d for d, _, _ in _old_trend(history.filter(history.department.isin(list(scope))))}, reverse=True
        )


def test_only_managers_and_admins_read_the_trend(tiny_warehouse):
    with open_warehouse(str(tiny_warehouse), read_only=True) as conn:
        for who in (Principal("zoe", Role.STAFF, ("P0001",)), Principal("cy", Role.CE_TEAM)):
            with pytest.raises(NotPermitted):
                compliance.trend(who, conn)
            with pytest.raises(NotPermitted):
                compliance.month_ends(who, conn)


def test_the_data_contracts_doc_names_every_column_of_the_mart():
    from domain.learning.compliance import TREND_COLUMNS
    from pipelines.contracts_doc import DOC_PATH

    section = DOC_PATH.read_text(encoding="utf-8").split("`marts.compliance_trend`", 1)[1]
    assert all(f"`{c}`" in section for c in TREND_COLUMNS)
