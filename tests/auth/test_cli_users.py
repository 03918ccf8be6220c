import re

from pipelines.users import add_user
from reports import auth


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
