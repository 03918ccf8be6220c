import re

import pytest

from reports.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    new_one_time_password,
    password_problems,
    verify_password,
)

ARGON2_HASH = re.compile(r"^\$(?P<type>argon2\w+)\$v=19\$m=(?P<m>\d+),t=(?P<t>\d+),p=(?P<p>\d+)\$")


def test_hash_is_argon2id_with_at_least_the_owasp_minimum_read_back_from_the_hash():
    stored = hash_password("a long enough secret")
    params = ARGON2_HASH.match(stored)
    assert params is not None, stored
    assert params["type"] == "argon2id"
    assert int(params["m"]) >= 19456  # 19 MiB = 19 * 1024 KiB
    assert int(params["t"]) >= 2
    assert int(params["p"]) >= 1
    assert "a long enough secret" not in stored


def test_verify_accepts_the_password_and_refuses_others_and_malformed_hashes():
    stored = hash_password("a long enough secret")
    assert verify_password("a long enough secret", stored)
    assert not verify_password("a long enough secreT", stored)
    assert not verify_password("a long enough secret", "not-a-hash")


def test_two_hashes_of_one_password_differ_because_of_the_salt():
    assert hash_password("a long enough secret") != hash_password("a long enough secret")


def test_policy_wants_twelve_characters_and_no_username():
    assert MIN_PASSWORD_LENGTH == 12
    assert password_problems("elevenchars", "bob") == ["Use at least 12 characters."]  # 11 characters
    assert password_problems("twelve chars", "bob") == []  # 12 characters
    assert password_problems("alice-is-my-password", "alice") == ["Do not include your username."]
    assert password_problems("aaaaaaaaaaaaaaa", "bob") == ["Use more than three different characters."]


def test_one_time_passwords_are_random_and_pass_the_policy():
    first, second = new_one_time_password(), new_one_time_password()
    assert first != second
    assert len(first) == 16
    assert password_problems(first, "someone") == []


@pytest.mark.parametrize("password", ["password1234", "Password123!", "qwertyuiop12", "123456789012"])
def test_common_and_breached_passwords_are_refused_and_the_message_says_why(password):
    assert password_problems(password, "bob") == [
        "This password is too easy to guess: it is, or is close to, a password found in public lists of "
        "breached passwords. Use a longer phrase of unrelated words."
    ]


def test_a_password_built_from_the_users_name_or_e_mail_is_refused():
    # "ana.lopez" is the username; the surname alone, or the e-mail's local part, is refused too
    assert password_problems("lopez family garden", "ana.lopez") == [
        "Do not include your name, username or e-mail address."
    ]
    assert password_problems("my name is dkim 2026", "bob", names=["dkim@example.org"]) == [
        "Do not include your name, username or e-mail address."
    ]
    # a two-letter part is too common to refuse
    assert password_problems("a quiet blue harbour", "al") == []


def test_long_phrases_of_unrelated_words_pass():
    assert password_problems("correct horse battery", "bob") == []
    assert password_problems("ce team passphrase 2026", "ce.lead") == []
