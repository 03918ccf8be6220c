import re

import pytest

from pipelines.users import add_user
from reports import auth
from tests.auth.scope_snapshot import publish_scope_snapshot


@pytest.fixture(autouse=True)
def published(settings):
    publish_scope_snapshot(settings)


def test_users_add_prints_a_one_time_password_once_that_must_be_changed(settings, capsys, caplog):
    caplog.set_level("DEBUG")
    assert add_user(settings, "Dana", "employer", "E042") == 0
    out = capsys.readouterr().out
    passwords = re.findall(r"One-time password .*: (\S+)$", out, flags=re.M)
    assert len(passwords) == 1
    assert out.count(passwords[0]) == 1
    assert passwords[0] not in caplog.text
    signed_in = auth.sign_in(settings, "dana", passwords[0])
    assert signed_in.must_change_password
    assert signed_in.principal.scope == ("E042",)


def test_users_add_refuses_bad_requests_with_a_reason(settings, capsys):
    assert add_user(settings, "dana", "boss", None) == 2
    assert "unknown role 'boss'" in capsys.readouterr().err
    assert add_user(settings, "dana", "employer", None) == 2
    assert "role employer needs a scope: its employer_id" in capsys.readouterr().err
    assert add_user(settings, "dana", "admin", "everything") == 2
    assert "takes no scope" in capsys.readouterr().err
    assert add_user(settings, "dana", "education_manager", "ICU, ER") == 0
    assert add_user(settings, "DANA", "staff", "P1") == 2
    assert "already exists" in capsys.readouterr().err


def test_users_add_refuses_a_scope_the_published_data_does_not_know(settings, capsys):
    assert add_user(settings, "acme", "employer", "EMP9999") == 2
    assert capsys.readouterr().err == (
        "users add: scope EMP9999 is not in the published data (no such employer_id in "
        "marts.employer_enrollment.employer_id); check the value\n"
    )
    assert add_user(settings, "erin", "education_manager", "ICU, OR") == 2
    assert "scope OR is not in the published data" in capsys.readouterr().err
    # found in any of the marts that hold the value
    assert add_user(settings, "mia", "member", "M9") == 0
    assert add_user(settings, "doc", "provider", "1245319599") == 0
    assert add_user(settings, "pat", "staff", "P2") == 0
    assert add_user(settings, "ops", "admin", None) == 0  # unscoped roles need no data


def test_users_add_with_nothing_published_cannot_check_a_scope(tmp_path, capsys):
    from domain.settings import Settings

    empty = Settings(data_dir=tmp_path / "fresh")
    assert add_user(empty, "acme", "employer", "E042") == 2
    assert "nothing is published yet, so the employer_id E042 cannot be checked" in capsys.readouterr().err
    assert add_user(empty, "ops", "admin", None) == 0
