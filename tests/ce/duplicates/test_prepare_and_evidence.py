"""Standardising accounts (nicknames, e-mail local part, street words) and the evidence text."""

import duckdb
import pandas as pd
import pytest

from domain.ce.duplicates.evidence import evidence_text
from domain.ce.duplicates.nicknames import name_forms, nickname_pairs
from domain.ce.duplicates.prepare import INPUT_COLUMNS, prepare_accounts


def _prepared(**row) -> dict:
    conn = duckdb.connect()
    frame = pd.DataFrame([{c: None for c in INPUT_COLUMNS} | {"account_id": "A1"} | row])
    table = prepare_accounts(conn, frame)
    cur = conn.execute(f"SELECT * FROM {table}")
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchall()[0], strict=True))


def test_the_nickname_table_ships_about_a_hundred_and_more_names():
    pairs = nickname_pairs()
    assert len(pairs) >= 100
    for nick, formal in [("bob", "robert"), ("liz", "elizabeth"), ("bill", "william"), ("kate", "katherine"),
                         ("jim", "james")]:  # fmt: skip
        assert (nick, formal) in pairs


def test_a_nickname_expands_to_every_formal_name_it_may_stand_for():
    assert name_forms("Chris") == {"chris", "christina", "christine", "christopher"}
    assert name_forms("Robert") == {"robert"}  # a formal name stands for itself only


def test_first_name_forms_are_built_in_sql_the_same_way():
    assert _prepared(first_name=" Bob ")["first_name_forms"] == ["bob", "robert"]
    assert _prepared(first_name="Zoë")["first_name_forms"] == ["zoe"]  # accents folded, no nickname


def test_email_local_part_drops_dots_tags_and_case():
    row = _prepared(email="Jane.Doe+CE@Gmail.com")
    assert (row["email_local"], row["email_domain"]) == ("janedoe", "gmail.com")


def test_street_words_and_zip_plus_four_are_standardised():
    row = _prepared(street="12 Oak Street, Apartment 4B", postal_code="60601-1234")
    assert (row["street_std"], row["postal5"]) == ("12 oak st apt 4b", "60601")


def test_names_keep_only_letters():
    row = _prepared(first_name='=HYPERLINK("x")', last_name="O'Brien-Núñez")
    assert (row["first_name_std"], row["last_name_std"]) == ("hyperlinkx", "obriennunez")


def test_a_missing_column_is_named():
    with pytest.raises(ValueError, match="missing column.*npi"):
        prepare_accounts(duckdb.connect(), pd.DataFrame([{c: None for c in INPUT_COLUMNS if c != "npi"}]))


def test_evidence_reads_like_the_ce_team_talks():
    levels = {
        "name": "nickname",
        "birth_date": "exact",
        "mobile_phone": "different",
        "email_local": "missing",
    }
    assert (
        evidence_text(levels, "Bob", "Smith", "Robert", "Smith")
        == "same birth date, phone differs, names: Bob ~ Robert"
    )


def test_evidence_names_the_special_levels():
    levels = {
        "name": "swapped",
        "birth_date": "day_month_swapped",
        "license": "number_only",
        "address": "postal_code_only",
        "npi": "exact",
    }
    assert evidence_text(levels, "Lee", "Kim", "Kim", "Lee") == (
        "birth day and month swapped, same license number, state differs, same NPI, "
        "same postal code, street differs, names swapped: Lee Kim ~ Kim Lee"
    )


def test_fixed_m_and_u_of_every_field_are_probabilities_that_sum_to_one():
    from domain.ce.duplicates.comparisons import FIELDS

    for field in FIELDS:
        ms = [lv.m for lv in field.levels if lv.m is not None]
        us = [lv.u for lv in field.levels if lv.u is not None]
        assert abs(sum(ms) - 1) < 1e-9 and abs(sum(us) - 1) < 1e-9, field.name
        assert field.levels[0].key == "missing" and field.levels[-1].key == "different"


def test_middle_initials_generation_suffixes_double_surnames_and_phone_formats_are_standardised():
    row = _prepared(first_name="Mary J.", last_name="García-Lopez Jr.", mobile_phone="+1 (312) 555-0101")
    assert (row["first_name_std"], row["last_name_std"]) == ("mary", "garcialopez")
    assert row["generation"] == "jr" and row["last_name_parts"] == ["garcia", "lopez"]
    assert row["mobile_phone"] == "3125550101"
    assert _prepared(mobile_phone="312.555.0101")["mobile_phone"] == "3125550101"
    # NYSIIS, the phonetic code blocking uses: MacDonald ~ McDonald, Stephen ~ Steven
    assert _prepared(last_name="MacDonald")["last_name_phonetic"] == "MCDANALD"
    assert _prepared(last_name="McDonald")["last_name_phonetic"] == "MCDANALD"
    assert _prepared(first_name="Stephen")["first_name_phonetic"] == "STAFAN"
    assert _prepared(first_name="Steven")["first_name_phonetic"] == "STAFAN"
    assert _prepared(street="1200 W Lake St", postal_code="60607")["street_number"] == "1200"


def test_evidence_names_the_new_levels():
    levels = {"birth_date": "decades_apart", "address": "street_only", "generation": "one_sided",
              "name": "surname_part"}  # fmt: skip
    assert evidence_text(levels, "Ana", "Ruiz", "Ana", "Ruiz-Soto") == (
        "birth dates decades apart, same street, postal code differs, Jr/Sr suffix on one account only, "
        "double surname: Ana Ruiz ~ Ana Ruiz-Soto"
    )
