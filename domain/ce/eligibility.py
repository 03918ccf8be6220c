"""Which of an activity's credit types a degree earns.

An activity offers credit types, each open to the degrees in ``eligible_degrees`` (``;``-separated, ``*`` =
all). A degree earns every credit type open to it, except that ``PARTICIPATION`` (when offered) goes only to
degrees that earn none of the activity's other credit types. A degree that earns nothing is ``not_eligible``
for the activity.
"""

from __future__ import annotations

import ibis

from domain.ce.tables import degree_key

PARTICIPATION = "PARTICIPATION"
ALL_DEGREES = "*"


def credit_types_by_degree(activity_credits: ibis.Table, degrees: ibis.Table) -> ibis.Table:
    """One row per activity, credit type and degree key the credit type is open to.

    ``degrees`` has a ``degree_key`` column (the degrees that occur in accounts): ``*`` is expanded over them
    so every later join is an equality join. Columns: ``activity_id, credit_type, credits, degree_key``.
    """
    # Unnest first, normalise after: Spark refuses a generator (explode) nested inside another expression.
    raw = activity_credits.select(
        "activity_id",
        "credit_type",
        "credits",
        raw_token=activity_credits.eligible_degrees.split(";").unnest(),
    )
    tokens = raw.select("activity_id", "credit_type", "credits", token=degree_key(raw.raw_token))
    named = tokens.filter((tokens.token != ALL_DEGREES) & (tokens.token != "")).select(
        "activity_id", "credit_type", "credits", degree_key=tokens.token
    )
    star = tokens.filter(tokens.token == ALL_DEGREES).select("activity_id", "credit_type", "credits")
    starred = star.cross_join(degrees.select("degree_key").distinct()).select(
        "activity_id", "credit_type", "credits", "degree_key"
    )
    # "MD;*" or "MD;MD" would otherwise open a credit type twice to the same degree.
    return ibis.union(named, starred, distinct=True)


def awarded_credit_types(activity_credits: ibis.Table, degrees: ibis.Table) -> ibis.Table:
    """The credit types an accepted claim earns, per activity and degree key, after the PARTICIPATION rule.

    Columns: ``activity_id, degree_key, credit_type, credits``. A pair (activity, degree) with no row here is
    not eligible.
    """
    open_ = credit_types_by_degree(activity_credits, degrees)
    per_pair = ibis.window(group_by=[open_.activity_id, open_.degree_key])
    # The window as a column first, then the filter on it: Ibis's Spark compiler mis-aliases a filter with a
    # window inside.
    flagged = open_.mutate(is_participation=open_.credit_type.strip().upper() == PARTICIPATION).mutate(
        earns_other=(~ibis._.is_participation).any().over(per_pair)
    )
    return flagged.filter(~flagged.is_participation | ~flagged.earns_other).select(
        "activity_id", "degree_key", "credit_type", "credits"
    )
