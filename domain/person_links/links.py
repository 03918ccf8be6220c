"""``marts.person_links`` and ``marts.person_link_review``: one person across the four portals.

The rule (domain-rules.md "Clarifications", "One person across the portals"); a person is an HR ``person_id``
(the ``person_key``), and each link names the ``source`` and ``source_id`` it reaches:

1. ``hr``: every HR record links to itself.
2. ``ce_account``: an account that carries the person_id (``person_id``); an account an accepted CE-team merge
   joined to such an account, either way round (``accepted_merge``); an account the duplicate model pairs with
   such an account, or puts in one cluster with it (``duplicate_model``, with the pair's probability, or the
   cluster's weakest pair when the two were not paired directly). The model is not retrained here: its pairs,
   clusters and the CE team's merges are read from their marts. Pairs the CE team kept separate link nothing.
3. ``plan_member``: first name, last name and birth date agree (trimmed, case- and accent-insensitive; the HR birth date is
   the date part of the lc_user_id) AND the HR e-mail or the HR address (street and 5-digit ZIP) agrees with the
   member's. Name and birth date alone are only shown for review.
4. ``portal_user:<portal>``: a user name seen in the portal's sign-in events, by the portal's own user→person
   mapping: the Learning Center signs people in with their HR e-mail's user name (or the whole e-mail), the CE
   portal with the CE account's e-mail (the user reaches the account's person); on any portal a user name that
   is exactly the e-mail of an HR record, of a linked CE account or of a linked plan member (``exact_email``).

Certainty: shared ids, accepted merges and agreeing e-mail/address are certain; a duplicate-model link is a link
at ``certain_probability`` or above. A link below certainty, and a source that would link to two different
people with the same certainty, goes to ``person_link_review`` with the reason, never into ``person_links``.
A source some person holds by a certain link is not offered to another person for review (the shared id wins).
A portal user reached through a CE account or plan member inherits that link's certainty and probability.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.person_links.policy import PersonLinkPolicy

LINK_COLUMNS = ("person_key", "source", "source_id", "method", "probability", "evidence")
REVIEW_COLUMNS = (*LINK_COLUMNS, "reason")

HR, CE_ACCOUNT, PLAN_MEMBER = "hr", "ce_account", "plan_member"
PORTAL_USER_PREFIX = "portal_user:"

BELOW_CERTAINTY = "below certainty"
NAME_AND_BIRTH_ONLY = "name and birth date agree, but neither e-mail nor address does"
AMBIGUOUS = "would link to more than one person"


@dataclass(frozen=True)
class LinkInputs:
    """Where each input is (a table name or a parenthesised SELECT), with the columns the rule reads."""

    #: person_id, lc_user_id, first_name, last_name, email, street, postal_code
    people: str = "staging.lc_people"
    #: account_id, email, person_id
    accounts: str = "staging.ce_accounts"
    #: account_id_l, account_id_r, match_probability, evidence, decision
    pairs: str = "marts.duplicate_account_pairs"
    #: cluster_id, account_id
    clusters: str = "marts.duplicate_account_clusters"
    #: account_id, survivor_account_id
    survivors: str = "marts.ce_account_survivors"
    #: member_id, first_name, last_name, birth_date, email, street, postal_code
    members: str = "staging.hp_members"
    #: portal, username
    events: str = "staging.auth_events"


def _name(column: str) -> str:
    """A name compared trimmed, case- and accent-insensitively: a latin-1 export folds Dvořák to Dvorak."""
    return f"strip_accents(lower(trim({column})))"


def _street(column: str) -> str:
    """A street compared loosely: lower case, every run of punctuation and spaces one space."""
    return f"nullif(trim(regexp_replace(lower(coalesce({column}, '')), '[^a-z0-9]+', ' ', 'g')), '')"


def _zip5(column: str) -> str:
    return f"nullif(left(regexp_replace(coalesce({column}, ''), '[^0-9]', '', 'g'), 5), '')"


def _email(column: str) -> str:
    return f"nullif(lower(trim({column})), '')"


def _resolve(candidates: str) -> str:
    """Pick one row per (person, source, source_id) and decide link or review per source (see the module doc).

    ``candidates``: person_key, source, source_id, method, probability, evidence, certain, deterministic, reason,
    pref (lower = the better evidence when two rows are equally strong). Per source: when some person holds it
    by a certain deterministic link, only those rows count; otherwise the certain probabilistic ones; with none
    certain every candidate is for review. Two people counting for one source is ambiguous: review.
    """
    # after the pick there is one row per person and source, so the window sums count people
    return f"""
    SELECT person_key, source, source_id, method, probability, evidence,
           CASE WHEN n_counting = 1 THEN 'linked' ELSE 'review' END AS status,
           CASE WHEN n_counting > 1 AND certain THEN '{AMBIGUOUS}' WHEN NOT certain THEN reason END AS reason
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
                FROM {candidates}
            ) WHERE pick = 1
        )
    ) WHERE counts
    """


def person_link_rows_sql(t: LinkInputs = LinkInputs(), policy: PersonLinkPolicy = PersonLinkPolicy()) -> str:
    """SELECT of every resolved row: :data:`LINK_COLUMNS` + ``status`` (``linked`` / ``review``) + ``reason``."""
    certain_p, review_p = policy.certain_probability, policy.review_probability
    return f"""
    WITH hr AS MATERIALIZED (
        SELECT person_id, {_name("first_name")} AS fn, {_name("last_name")} AS ln,
               CAST(try_strptime(substr(regexp_replace(lc_user_id, '[^0-9]', '', 'g'), 1, 8), '%m%d%Y') AS DATE)
                   AS birth_date,
               {_email("email")} AS email, split_part({_email("email")}, '@', 1) AS email_user,
               {_street("street")} AS street_key, {_zip5("postal_code")} AS zip5
        FROM {t.people}
    ),
    accounts AS MATERIALIZED (SELECT account_id, {_email("email")} AS email, person_id FROM {t.accounts}),
    anchors AS MATERIALIZED (SELECT a.account_id, a.person_id FROM accounts a JOIN hr USING (person_id)),
    pair AS MATERIALIZED (
        SELECT account_id_l AS a, account_id_r AS b, match_probability AS p, evidence FROM {t.pairs}
        WHERE decision IS DISTINCT FROM 'kept_separate'
        UNION ALL
        SELECT account_id_r, account_id_l, match_probability, evidence FROM {t.pairs}
        WHERE decision IS DISTINCT FROM 'kept_separate'
    ),
    cluster_weakest AS (
        SELECT c.cluster_id, min(pr.p) AS p
        FROM {t.clusters} c JOIN pair pr ON pr.a = c.account_id
        JOIN {t.clusters} c2 ON c2.account_id = pr.b AND c2.cluster_id = c.cluster_id
        GROUP BY c.cluster_id
    ),
    stage1 AS MATERIALIZED (
        SELECT person_id AS person_key, '{HR}' AS source, person_id AS source_id, 'hr_roster' AS method,
               CAST(NULL AS DOUBLE) AS probability, 'the HR roster record' AS evidence,
               TRUE AS certain, TRUE AS deterministic, CAST(NULL AS VARCHAR) AS reason, 0 AS pref
        FROM hr
        UNION ALL
        SELECT person_id, '{CE_ACCOUNT}', account_id, 'person_id', NULL, 'the account carries the HR person_id',
               TRUE, TRUE, NULL, 0
        FROM anchors
        UNION ALL
        SELECT an.person_id, '{CE_ACCOUNT}', s.account_id, 'accepted_merge', NULL,
               'merged by the CE team into ' || s.survivor_account_id || ', which carries the HR person_id',
               TRUE, TRUE, NULL, 0
        FROM {t.survivors} s JOIN anchors an ON an.account_id = s.survivor_account_id
        UNION ALL
        SELECT an.person_id, '{CE_ACCOUNT}', s.survivor_account_id, 'accepted_merge', NULL,
               'survivor of ' || s.account_id || ' (merged by the CE team), which carries the HR person_id',
               TRUE, TRUE, NULL, 0
        FROM {t.survivors} s JOIN anchors an ON an.account_id = s.account_id
        UNION ALL
        SELECT an.person_id, '{CE_ACCOUNT}', pr.b, 'duplicate_model', pr.p,
               'duplicate model pairs it with ' || an.account_id || ' (p=' || CAST(round(pr.p, 4) AS VARCHAR)
                   || ')' || coalesce(': ' || pr.evidence, ''),
               pr.p >= {certain_p}, FALSE, '{BELOW_CERTAINTY}', 0
        FROM pair pr JOIN anchors an ON an.account_id = pr.a
        WHERE pr.p >= {review_p}
        UNION ALL
        SELECT an.person_id, '{CE_ACCOUNT}', c2.account_id, 'duplicate_model', w.p,
               'duplicate model clusters it with ' || an.account_id || ' in ' || c.cluster_id
                   || ' (weakest pair p=' || CAST(round(w.p, 4) AS VARCHAR) || ')',
               w.p >= {certain_p}, FALSE, '{BELOW_CERTAINTY}', 1
        FROM anchors an
        JOIN {t.clusters} c ON c.account_id = an.account_id
        JOIN {t.clusters} c2 ON c2.cluster_id = c.cluster_id AND c2.account_id <> an.account_id
        JOIN cluster_weakest w ON w.cluster_id = c.cluster_id
        UNION ALL
        SELECT person_id, '{PLAN_MEMBER}', member_id,
               CASE WHEN email_agrees AND address_agrees THEN 'name_birth_email_address'
                    WHEN email_agrees THEN 'name_birth_email'
                    WHEN address_agrees THEN 'name_birth_address'
                    ELSE 'name_birth_only' END,
               NULL,
               'first name, last name and birth date agree'
                   || CASE WHEN email_agrees THEN '; e-mail agrees' ELSE '' END
                   || CASE WHEN address_agrees THEN '; street and ZIP agree' ELSE '' END,
               email_agrees OR address_agrees, email_agrees OR address_agrees, '{NAME_AND_BIRTH_ONLY}', 0
        FROM (
            SELECT hr.person_id, m.member_id,
                   coalesce(m.email = hr.email, FALSE) AS email_agrees,
                   coalesce(m.street_key = hr.street_key AND m.zip5 = hr.zip5, FALSE) AS address_agrees
            FROM (
                SELECT member_id, {_name("first_name")} AS fn, {_name("last_name")} AS ln, birth_date,
                       {_email("email")} AS email, {_street("street")} AS street_key, {_zip5("postal_code")} AS zip5
                FROM {t.members}
            ) m
            JOIN hr ON m.fn = hr.fn AND m.ln = hr.ln AND m.birth_date = hr.birth_date
        )
    ),
    resolved1 AS MATERIALIZED ({_resolve("stage1")}),
    users AS MATERIALIZED (
        SELECT DISTINCT portal, username, lower(trim(username)) AS uname
        FROM {t.events} WHERE username IS NOT NULL AND trim(username) <> ''
    ),
    via AS MATERIALIZED (
        -- e-mails of linked (or for-review) CE accounts and plan members, with the link they inherit
        SELECT r.person_key, r.source, r.source_id, r.probability, r.status, r.reason, a.email
        FROM resolved1 r JOIN accounts a ON r.source = '{CE_ACCOUNT}' AND a.account_id = r.source_id
        WHERE a.email IS NOT NULL
        UNION ALL
        SELECT r.person_key, r.source, r.source_id, r.probability, r.status, r.reason, m.email
        FROM resolved1 r
        JOIN (SELECT member_id, {_email("email")} AS email FROM {t.members}) m
          ON r.source = '{PLAN_MEMBER}' AND m.member_id = r.source_id
        WHERE m.email IS NOT NULL
    ),
    stage2 AS MATERIALIZED (
        SELECT hr.person_id AS person_key, '{PORTAL_USER_PREFIX}' || u.portal AS source, u.username AS source_id,
               'portal_directory' AS method, CAST(NULL AS DOUBLE) AS probability,
               'the Learning Center signs in with the HR e-mail''s user name' AS evidence,
               TRUE AS certain, TRUE AS deterministic, CAST(NULL AS VARCHAR) AS reason, 0 AS pref
        FROM users u JOIN hr ON u.portal = 'learning_center' AND u.uname = hr.email_user
        UNION ALL
        SELECT hr.person_id, '{PORTAL_USER_PREFIX}' || u.portal, u.username, 'portal_directory', NULL,
               'the Learning Center signs in with the HR e-mail', TRUE, TRUE, NULL, 0
        FROM users u JOIN hr ON u.portal = 'learning_center' AND u.uname = hr.email
        UNION ALL
        SELECT hr.person_id, '{PORTAL_USER_PREFIX}' || u.portal, u.username, 'exact_email', NULL,
               'the user name is the HR e-mail', TRUE, TRUE, NULL, 1
        FROM users u JOIN hr ON u.uname = hr.email AND u.portal <> 'learning_center'
        UNION ALL
        SELECT v.person_key, '{PORTAL_USER_PREFIX}' || u.portal, u.username,
               CASE WHEN u.portal = 'ce_portal' AND v.source = '{CE_ACCOUNT}' THEN 'portal_directory'
                    ELSE 'exact_email' END,
               v.probability,
               CASE WHEN u.portal = 'ce_portal' AND v.source = '{CE_ACCOUNT}'
                    THEN 'the CE portal signs in with the e-mail of account ' || v.source_id
                    ELSE 'the user name is the e-mail of ' || replace(v.source, '_', ' ') || ' ' || v.source_id
               END,
               v.status = 'linked', v.status = 'linked' AND v.probability IS NULL,
               coalesce(v.reason, '{BELOW_CERTAINTY}') || ' (' || replace(v.source, '_', ' ') || ' '
                   || v.source_id || ')',
               CASE WHEN u.portal = 'ce_portal' AND v.source = '{CE_ACCOUNT}' THEN 0 ELSE 1 END
        FROM users u JOIN via v ON u.uname = v.email
    ),
    resolved2 AS ({_resolve("stage2")})
    SELECT * FROM resolved1 UNION ALL SELECT * FROM resolved2
    """


def person_links_sql(rows: str) -> str:
    """``marts.person_links`` from the resolved rows (a table name): the certain links only."""
    return (
        f"SELECT {', '.join(LINK_COLUMNS)} FROM {rows} WHERE status = 'linked' "
        "ORDER BY person_key, source, source_id"
    )


def person_link_review_sql(rows: str) -> str:
    """``marts.person_link_review`` from the resolved rows: every link below certainty, with the reason."""
    return (
        f"SELECT {', '.join(REVIEW_COLUMNS)} FROM {rows} WHERE status = 'review' "
        "ORDER BY source, source_id, person_key"
    )
