-- Every resolved person-link row (domain/person_links/links.py, the rule in its docstring): LINK_COLUMNS +
-- status ('linked' / 'review') + reason. $certain_probability: a duplicate-model link at or above it is certain;
-- $review_probability: pairs below it are not even offered for review. The per-source resolution (one row per
-- person and source, then link or review) is written out twice, once per stage: portal users (stage 2) reach
-- a person through the CE accounts and plan members stage 1 resolved.
-- Names compare trimmed, case- and accent-insensitively (a latin-1 export folds Dvořák to Dvorak); e-mails
-- trimmed and lower-cased; streets loosely (every run of punctuation and spaces one space); ZIPs by 5 digits.
WITH hr AS MATERIALIZED (
    SELECT person_id, strip_accents(lower(trim(first_name))) AS fn, strip_accents(lower(trim(last_name))) AS ln,
           CAST(try_strptime(substr(regexp_replace(lc_user_id, '[^0-9]', '', 'g'), 1, 8), '%m%d%Y') AS DATE)
               AS birth_date,
           nullif(lower(trim(email)), '') AS email, split_part(nullif(lower(trim(email)), ''), '@', 1) AS email_user,
           nullif(trim(regexp_replace(lower(coalesce(street, '')), '[^a-z0-9]+', ' ', 'g')), '') AS street_key,
           nullif(left(regexp_replace(coalesce(postal_code, ''), '[^0-9]', '', 'g'), 5), '') AS zip5
    FROM staging.lc_people
),
accounts AS MATERIALIZED (
    SELECT account_id, nullif(lower(trim(email)), '') AS email, person_id FROM staging.ce_accounts
),
anchors AS MATERIALIZED (SELECT a.account_id, a.person_id FROM accounts a JOIN hr USING (person_id)),
pair AS MATERIALIZED (
    SELECT account_id_l AS a, account_id_r AS b, match_probability AS p, evidence FROM marts.duplicate_account_pairs
    WHERE decision IS DISTINCT FROM 'kept_separate'
    UNION ALL
    SELECT account_id_r, account_id_l, match_probability, evidence FROM marts.duplicate_account_pairs
    WHERE decision IS DISTINCT FROM 'kept_separate'
),
cluster_weakest AS (
    SELECT c.cluster_id, min(pr.p) AS p
    FROM marts.duplicate_account_clusters c JOIN pair pr ON pr.a = c.account_id
    JOIN marts.duplicate_account_clusters c2 ON c2.account_id = pr.b AND c2.cluster_id = c.cluster_id
    GROUP BY c.cluster_id
),
stage1 AS MATERIALIZED (
    SELECT person_id AS person_key, 'hr' AS source, person_id AS source_id, 'hr_roster' AS method,
           CAST(NULL AS DOUBLE) AS probability, 'the HR roster record' AS evidence,
           TRUE AS certain, TRUE AS deterministic, CAST(NULL AS VARCHAR) AS reason, 0 AS pref
    FROM hr
    UNION ALL
    SELECT person_id, 'ce_account', account_id, 'person_id', NULL, 'the account carries the HR person_id',
           TRUE, TRUE, NULL, 0
    FROM anchors
    UNION ALL
    SELECT an.person_id, 'ce_account', s.account_id, 'accepted_merge', NULL,
           'merged by the CE team into ' || s.survivor_account_id || ', which carries the HR person_id',
           TRUE, TRUE, NULL, 0
    FROM marts.ce_account_survivors s JOIN anchors an ON an.account_id = s.survivor_account_id
    UNION ALL
    SELECT an.person_id, 'ce_account', s.survivor_account_id, 'accepted_merge', NULL,
           'survivor of ' || s.account_id || ' (merged by the CE team), which carries the HR person_id',
           TRUE, TRUE, NULL, 0
    FROM marts.ce_account_survivors s JOIN anchors an ON an.account_id = s.account_id
    UNION ALL
    SELECT an.person_id, 'ce_account', pr.b, 'duplicate_model', pr.p,
           'duplicate model pairs it with ' || an.account_id || ' (p=' || CAST(round(pr.p, 4) AS VARCHAR)
               || ')' || coalesce(': ' || pr.evidence, ''),
           pr.p >= $certain_probability, FALSE, 'below certainty', 0
    FROM pair pr JOIN anchors an ON an.account_id = pr.a
    WHERE pr.p >= $review_probability
    UNION ALL
    SELECT an.person_id, 'ce_account', c2.account_id, 'duplicate_model', w.p,
           'duplicate model clusters it with ' || an.account_id || ' in ' || c.cluster_id
               || ' (weakest pair p=' || CAST(round(w.p, 4) AS VARCHAR) || ')',
           w.p >= $certain_probability, FALSE, 'below certainty', 1
    FROM anchors an
    JOIN marts.duplicate_account_clusters c ON c.account_id = an.account_id
    JOIN marts.duplicate_account_clusters c2 ON c2.cluster_id = c.cluster_id AND c2.account_id <> an.account_id
    JOIN cluster_weakest w ON w.cluster_id = c.cluster_id
    UNION ALL
    SELECT person_id, 'plan_member', member_id,
           CASE WHEN email_agrees AND address_agrees THEN 'name_birth_email_address'
                WHEN email_agrees THEN 'name_birth_email'
                WHEN address_agrees THEN 'name_birth_address'
                ELSE 'name_birth_only' END,
           NULL,
           'first name, last name and birth date agree'
               || CASE WHEN email_agrees THEN '; e-mail agrees' ELSE '' END
               || CASE WHEN address_agrees THEN '; street and ZIP agree' ELSE '' END,
           email_agrees OR address_agrees, email_agrees OR address_agrees,
           'name and birth date agree, but neither e-mail nor address does', 0
    FROM (
        SELECT hr.person_id, m.member_id,
               coalesce(m.email = hr.email, FALSE) AS email_agrees,
               coalesce(m.street_key = hr.street_key AND m.zip5 = hr.zip5, FALSE) AS address_agrees
        FROM (
            SELECT member_id, strip_accents(lower(trim(first_name))) AS fn,
                   strip_accents(lower(trim(last_name))) AS ln, birth_date, nullif(lower(trim(email)), '') AS email,
                   nullif(trim(regexp_replace(lower(coalesce(street, '')), '[^a-z0-9]+', ' ', 'g')), '') AS street_key,
                   nullif(left(regexp_replace(coalesce(postal_code, ''), '[^0-9]', '', 'g'), 5), '') AS zip5
            FROM staging.hp_members
        ) m
        JOIN hr ON m.fn = hr.fn AND m.ln = hr.ln AND m.birth_date = hr.birth_date
    )
),
resolved1 AS MATERIALIZED (
    -- per source: one row per person (the strongest evidence), then link, review, or ambiguous (see links.py)
    SELECT person_key, source, source_id, method, probability, evidence,
           CASE WHEN n_counting = 1 THEN 'linked' ELSE 'review' END AS status,
           CASE WHEN n_counting > 1 AND certain THEN 'would link to more than one person'
                WHEN NOT certain THEN reason END AS reason
    FROM (
        SELECT *,
               CASE WHEN n_det > 0 THEN n_det WHEN n_certain > 0 THEN n_certain ELSE 0 END AS n_counting,
               CASE WHEN n_det > 0 THEN certain AND deterministic WHEN n_certain > 0 THEN certain ELSE TRUE END
                   AS counts
        FROM (
            SELECT *,
                   sum(CASE WHEN certain THEN 1 ELSE 0 END) OVER (PARTITION BY source, source_id) AS n_certain,
                   sum(CASE WHEN certain AND deterministic THEN 1 ELSE 0 END)
                       OVER (PARTITION BY source, source_id) AS n_det
            FROM (
                SELECT *, row_number() OVER (
                    PARTITION BY person_key, source, source_id
                    ORDER BY certain DESC, deterministic DESC, probability DESC NULLS FIRST, pref, method, evidence
                ) AS pick
                FROM stage1
            ) WHERE pick = 1
        )
    ) WHERE counts
),
users AS MATERIALIZED (
    -- distinct (portal, username) first: the 5M events fold into ~250k names before any text function runs
    SELECT portal, username, lower(trim(username)) AS uname
    FROM (SELECT DISTINCT portal, username FROM staging.auth_events WHERE username IS NOT NULL)
    WHERE trim(username) <> ''
),
via AS MATERIALIZED (
    -- e-mails of linked (or for-review) CE accounts and plan members, with the link they inherit
    SELECT r.person_key, r.source, r.source_id, r.probability, r.status, r.reason, a.email
    FROM resolved1 r JOIN accounts a ON r.source = 'ce_account' AND a.account_id = r.source_id
    WHERE a.email IS NOT NULL
    UNION ALL
    SELECT r.person_key, r.source, r.source_id, r.probability, r.status, r.reason, m.email
    FROM resolved1 r
    JOIN (SELECT member_id, nullif(lower(trim(email)), '') AS email FROM staging.hp_members) m
      ON r.source = 'plan_member' AND m.member_id = r.source_id
    WHERE m.email IS NOT NULL
),
stage2 AS MATERIALIZED (
    SELECT hr.person_id AS person_key, 'portal_user:' || u.portal AS source, u.username AS source_id,
           'portal_directory' AS method, CAST(NULL AS DOUBLE) AS probability,
           'the Learning Center signs in with the HR e-mail''s user name' AS evidence,
           TRUE AS certain, TRUE AS deterministic, CAST(NULL AS VARCHAR) AS reason, 0 AS pref
    FROM users u JOIN hr ON u.portal = 'learning_center' AND u.uname = hr.email_user
    UNION ALL
    SELECT hr.person_id, 'portal_user:' || u.portal, u.username, 'portal_directory', NULL,
           'the Learning Center signs in with the HR e-mail', TRUE, TRUE, NULL, 0
    FROM users u JOIN hr ON u.portal = 'learning_center' AND u.uname = hr.email
    UNION ALL
    SELECT hr.person_id, 'portal_user:' || u.portal, u.username, 'exact_email', NULL,
           'the user name is the HR e-mail', TRUE, TRUE, NULL, 1
    FROM users u JOIN hr ON u.uname = hr.email AND u.portal <> 'learning_center'
    UNION ALL
    SELECT v.person_key, 'portal_user:' || u.portal, u.username,
           CASE WHEN u.portal = 'ce_portal' AND v.source = 'ce_account' THEN 'portal_directory'
                ELSE 'exact_email' END,
           v.probability,
           CASE WHEN u.portal = 'ce_portal' AND v.source = 'ce_account'
                THEN 'the CE portal signs in with the e-mail of account ' || v.source_id
                ELSE 'the user name is the e-mail of ' || replace(v.source, '_', ' ') || ' ' || v.source_id
           END,
           v.status = 'linked', v.status = 'linked' AND v.probability IS NULL,
           coalesce(v.reason, 'below certainty') || ' (' || replace(v.source, '_', ' ') || ' '
               || v.source_id || ')',
           CASE WHEN u.portal = 'ce_portal' AND v.source = 'ce_account' THEN 0 ELSE 1 END
    FROM users u JOIN via v ON u.uname = v.email
),
resolved2 AS (
    SELECT person_key, source, source_id, method, probability, evidence,
           CASE WHEN n_counting = 1 THEN 'linked' ELSE 'review' END AS status,
           CASE WHEN n_counting > 1 AND certain THEN 'would link to more than one person'
                WHEN NOT certain THEN reason END AS reason
    FROM (
        SELECT *,
               CASE WHEN n_det > 0 THEN n_det WHEN n_certain > 0 THEN n_certain ELSE 0 END AS n_counting,
               CASE WHEN n_det > 0 THEN certain AND deterministic WHEN n_certain > 0 THEN certain ELSE TRUE END
                   AS counts
        FROM (
            SELECT *,
                   sum(CASE WHEN certain THEN 1 ELSE 0 END) OVER (PARTITION BY source, source_id) AS n_certain,
                   sum(CASE WHEN certain AND deterministic THEN 1 ELSE 0 END)
                       OVER (PARTITION BY source, source_id) AS n_det
            FROM (
                SELECT *, row_number() OVER (
                    PARTITION BY person_key, source, source_id
                    ORDER BY certain DESC, deterministic DESC, probability DESC NULLS FIRST, pref, method, evidence
                ) AS pick
                FROM stage2
            ) WHERE pick = 1
        )
    ) WHERE counts
)
SELECT * FROM resolved1 UNION ALL SELECT * FROM resolved2
