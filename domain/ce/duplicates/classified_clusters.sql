-- The cluster mart from dup_members(component_id, account_id), the prepared dup_accounts and
-- dup_org_domains(email_domain). Only components of 2 or more accounts are kept; the cluster_id is the
-- smallest account_id of the component (stable across reruns). The kinds are bound: $third_account,
-- $personal_plus_organisation, $other.
WITH m AS (
    SELECT
        min(mb.account_id) OVER (PARTITION BY mb.component_id) AS cluster_id,
        mb.account_id,
        count(*) OVER (PARTITION BY mb.component_id) AS cluster_size,
        a.login_method,
        a.created_at,
        (a.login_method = 'sso' OR od.email_domain IS NOT NULL) AS is_organisation_account
    FROM dup_members mb
    JOIN dup_accounts a USING (account_id)
    LEFT JOIN dup_org_domains od ON od.email_domain = a.email_domain
),
ranked AS (
    SELECT *,
        row_number() OVER (
            PARTITION BY cluster_id
            ORDER BY (login_method = 'sso') DESC, is_organisation_account DESC, created_at ASC NULLS LAST,
                     account_id ASC
        ) AS survivor_rank,
        sum(CASE WHEN is_organisation_account THEN 1 ELSE 0 END) OVER (PARTITION BY cluster_id) AS n_org
    FROM m WHERE cluster_size >= 2
)
SELECT
    cluster_id,
    account_id,
    CAST(cluster_size AS INTEGER) AS cluster_size,
    CASE
        WHEN cluster_size >= 3 THEN $third_account
        WHEN n_org = 1 THEN $personal_plus_organisation
        ELSE $other
    END AS classification,
    survivor_rank = 1 AS is_recommended_survivor,
    first_value(account_id) OVER (PARTITION BY cluster_id ORDER BY survivor_rank) AS
    recommended_survivor_account_id,
    is_organisation_account,
    login_method
FROM ranked
