"""``marts.person_links`` and ``marts.person_link_review``: one person across the four portals.

The rule (domain-rules.md "Clarifications", "One person across the portals"); a person is an HR ``person_id``
(the ``person_key``), and each link names the ``source`` and ``source_id`` it reaches:

1. ``hr``: every HR record links to itself.
2. ``ce_account``: an account that carries the person_id (``person_id``); an account an accepted CE-team merge
   joined to such an account, either way round (``accepted_merge``); an account the duplicate model pairs with
   such an account, or puts in one cluster with it (``duplicate_model``, with the pair's probability, or the
   cluster's weakest pair when the two were not paired directly). The model is not retrained here: its pairs,
   clusters and the CE team's merges are read from their marts. Pairs the CE team kept separate link nothing.
3. ``plan_member``: first name, last name and birth date agree (trimmed, case- and accent-insensitive; the HR
   birth date is the date part of the lc_user_id) AND the HR e-mail or the HR address (street and 5-digit ZIP)
   agrees with the member's. Name and birth date alone are only shown for review.
4. ``portal_user:<portal>``: a user name seen in the portal's sign-in events, by the portal's own user→person
   mapping: the Learning Center signs people in with their HR e-mail's user name (or the whole e-mail), the CE
   portal with the CE account's e-mail (the user reaches the account's person); on any portal a user name that
   is exactly the e-mail of an HR record, of a linked CE account or of a linked plan member (``exact_email``).

Certainty: shared ids, accepted merges and agreeing e-mail/address are certain; a duplicate-model link is a
link at ``certain_probability`` or above. A link below certainty, and a source that would link to two
different people with the same certainty, goes to ``person_link_review`` with the reason, never into
``person_links``. A source some person holds by a certain link is not offered to another person for review
(the shared id wins). A portal user reached through a CE account or plan member inherits that link's certainty
and probability.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from domain.person_links.policy import PersonLinkPolicy
from domain.sql_files import load

LINK_COLUMNS = ("person_key", "source", "source_id", "method", "probability", "evidence")
REVIEW_COLUMNS = (*LINK_COLUMNS, "reason")

HR, CE_ACCOUNT, PLAN_MEMBER = "hr", "ce_account", "plan_member"
PORTAL_USER_PREFIX = "portal_user:"

BELOW_CERTAINTY = "below certainty"
NAME_AND_BIRTH_ONLY = "name and birth date agree, but neither e-mail nor address does"
AMBIGUOUS = "would link to more than one person"


class Statement(NamedTuple):
    """A rule's fixed SQL text (a ``.sql`` file beside its module) and the values bound to it."""

    sql: str
    params: dict[str, object]


@dataclass(frozen=True)
class LinkInputs:
    """The tables ``person_link_rows.sql`` reads, with the columns it reads (the bench counts them)."""

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


def person_link_rows_sql(policy: PersonLinkPolicy = PersonLinkPolicy()) -> Statement:
    """SELECT of every resolved row: :data:`LINK_COLUMNS` + ``status`` (``linked`` / ``review``) + ``reason``
    (``person_link_rows.sql`` beside this module, reading the tables :class:`LinkInputs` names)."""
    return Statement(
        load(__package__, "person_link_rows"),
        {"certain_probability": policy.certain_probability, "review_probability": policy.review_probability},
    )


def new_portal_users_sql(files: list[str]) -> Statement:
    """SELECT of the portal users (``portal``, ``username``) that only the events of ``files`` (their
    ``_file_name``) hold: the users the links read grow by exactly these when those files are added to
    ``staging.auth_events`` (``new_portal_users.sql``). None: the links read the same users as before."""
    return Statement(load(__package__, "new_portal_users"), {"files": list(files)})


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
