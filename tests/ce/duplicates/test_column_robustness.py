"""No column being empty, constant or all-unique stops duplicate detection (quality-bars.md "Performance").

A CE export of another shape (no phones, one placeholder value, synthetic unique e-mails) must still give
marts; what the model could not use is reported. Hypothesis blanks, flattens or uniquifies random columns of a
small synthetic population; the trained path is forced (``min_accounts_to_train``) so EM sessions are
exercised too.
"""

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from domain.ce.duplicates import DuplicatePolicy, find_duplicate_accounts
from domain.ce.duplicates.comparisons import FIELDS
from domain.ce.duplicates.detect import CLUSTER_COLUMNS, PAIR_COLUMNS
from domain.ce.duplicates.model import fixed_prior
from tests.ce.duplicates.synthetic import synthetic_accounts

ACCOUNTS, _ = synthetic_accounts(n_people=120, seed=13)
#: Columns a CE export may leave empty, fill with one value or make unique (account_id stays the key).
BLANKABLE = (
    "email",
    "first_name",
    "last_name",
    "mobile_phone",
    "birth_date",
    "license_state",
    "license_number",
    "npi",
    "street",
    "postal_code",
    "person_id",
)
MODES = ("keep", "empty", "constant", "unique")
POLICY = DuplicatePolicy(min_accounts_to_train=50)


def _value(column: str, mode: str, i: int, original):
    if mode == "keep":
        return original
    if mode == "empty":
        return None
    if column == "birth_date":
        return dt.date(1970, 1, 1) + dt.timedelta(days=0 if mode == "constant" else i)
    if column == "npi":
        return "1234567893" if mode == "constant" else f"{1000000000 + i}"
    return f"same {column}" if mode == "constant" else f"{column} {i}"


def _shaped(modes: dict[str, str]) -> pd.DataFrame:
    rows = [
        {c: _value(c, modes.get(c, "keep"), i, v) if c in BLANKABLE else v for c, v in row.items()}
        for i, row in enumerate(ACCOUNTS)
    ]
    return pd.DataFrame(rows)


# each example is a full Splink run (seconds): no shrinking, the failing column modes are printed as they are
@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.dictionaries(st.sampled_from(BLANKABLE), st.sampled_from(MODES), min_size=1, max_size=6))
# found by this test: with unique NPIs the birth-date EM session fails, and Splink left the model without the
# comparisons that session had set aside (the same failure as issue 16's missing gamma_mobile_phone)
@example({"person_id": "unique", "npi": "unique"})
@example({"birth_date": "constant"})
def test_any_mix_of_empty_constant_and_unique_columns_still_gives_marts(modes):
    result = find_duplicate_accounts(_shaped(modes), POLICY, keep_blocked_pairs=True)
    assert tuple(result.pairs.column_names) == PAIR_COLUMNS
    assert tuple(result.clusters.column_names) == CLUSTER_COLUMNS
    n = len(ACCOUNTS)
    assert result.comparisons < n * (n - 1) / 2  # a constant column never makes blocking compare every pair
    skipped = "\n".join(result.training.skipped)
    for field in FIELDS:
        # a comparison whose columns are all empty is dropped, and the run says so
        raw = {
            "name": ("first_name", "last_name"),
            "birth_date": ("birth_date",),
            "mobile_phone": ("mobile_phone",),
            "npi": ("npi",),
            "address": ("street", "postal_code"),
        }.get(field.name)
        if raw and all(modes.get(c) == "empty" for c in raw):
            assert f"comparison {field.name}: column" in skipped
            levels = set(result.pairs.column(f"{field.name}_level").to_pylist())
            assert levels <= {"missing"}
    if modes.get("mobile_phone") == "empty":
        assert (
            "training session mobile_phone: column mobile_phone empty" in skipped
            or result.training.mode == "fixed"
        )
    if modes.get("birth_date") == "constant":
        assert any(
            s.startswith("blocking key birth_date:") and "over the budget" in s
            for s in result.training.skipped
        )


def test_an_export_without_phones_and_with_unique_emails_trains_and_finds_the_pairs():
    # the shape that crashed in issue 16: EM's phone session had no pairs
    result = find_duplicate_accounts(_shaped({"mobile_phone": "empty", "email": "unique"}), POLICY)
    assert result.training.mode == "trained" and result.training.failed_sessions == ()
    assert "mobile_phone" not in result.training.sessions
    assert "training session mobile_phone: column mobile_phone empty" in result.training.skipped
    assert "comparison mobile_phone: column mobile_phone empty" in result.training.skipped
    assert result.clusters.num_rows > 0


def test_lambda_is_estimated_only_when_the_deterministic_rules_find_a_pair():
    """Every deterministic rule needs the NPI or the birth date: all-unique, they agree on no pair and lambda
    stays at the fixed prior (1 duplicate in 20 accounts spread over the other n - 1); as exported, the
    synthetic duplicates share them and lambda is estimated from the rules' pairs."""
    fixed = fixed_prior(len(ACCOUNTS), POLICY.prior_duplicate_share)
    assert fixed == 0.05 / (len(ACCOUNTS) - 1)
    unique = find_duplicate_accounts(_shaped({"npi": "unique", "birth_date": "unique"}), POLICY)
    assert unique.training.mode == "trained" and unique.training.prior == fixed
    kept = find_duplicate_accounts(_shaped({}), POLICY)
    assert kept.training.mode == "trained" and kept.training.prior != fixed
