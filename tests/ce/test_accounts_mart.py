"""``marts.ce_accounts``: the published copy of the CE accounts the duplicate queue shows side by side."""

from __future__ import annotations

import datetime as dt

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.ce.accounts_mart import COLUMNS, ce_accounts_mart
from assets.warehouse import open_warehouse
from tests.ce.duplicates.accounts import ACCOUNTS
from tests.support import create_staging_table


def test_the_mart_marks_organisation_e_mail_and_masks_the_phone(tmp_path):
    path = str(tmp_path / "warehouse.duckdb")
    with open_warehouse(path) as conn:
        create_staging_table(conn, "ce_accounts", ACCOUNTS)
    result = dg.materialize([ce_accounts_mart], resources={"duckdb": DuckDBResource(database=path)})
    assert result.success
    with open_warehouse(path) as conn:
        assert [r[0] for r in conn.execute("DESCRIBE marts.ce_accounts").fetchall()] == list(COLUMNS)
        rows = conn.execute(
            "SELECT account_id, email_domain, email_domain_kind, mobile_phone, login_method, created_at "
            "FROM marts.ce_accounts ORDER BY account_id"
        ).fetchall()
    # lakeshorehealth.org: CE1 signs in by SSO, CE4 by password -> half SSO -> an organisation domain;
    # gmail/yahoo/icloud have no SSO account -> personal
    assert rows == [
        ("CE1", "lakeshorehealth.org", "organisation", "***-***-0101", "sso", dt.datetime(2022, 1, 1)),
        ("CE2", "gmail.com", "personal", "***-***-0101", "password", dt.datetime(2018, 5, 1)),
        ("CE3", "yahoo.com", "personal", None, "password", dt.datetime(2016, 2, 1)),
        ("CE4", "lakeshorehealth.org", "organisation", "***-***-0123", "password", dt.datetime(2022, 1, 1)),
        ("CE5", "gmail.com", "personal", "***-***-0199", "password", dt.datetime(2022, 1, 1)),
        ("CE6", "icloud.com", "personal", "***-***-0111", "password", dt.datetime(2022, 1, 1)),
        ("CE7", "icloud.com", "personal", "***-***-0122", "password", dt.datetime(2022, 1, 1)),
    ]
    assert result.get_asset_materialization_events()[0].materialization.metadata["rows"].value == 7
