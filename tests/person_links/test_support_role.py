"""``portalytics users add --role support``: the help-desk role is created without a scope and signs in as
support."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from domain.settings import get_settings
from pipelines.cli import app
from reports import auth
from reports.principal import Role
from reports.state import dispose_engines


def test_the_cli_adds_a_support_user_who_signs_in_as_support(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(tmp_path))
    try:
        result = CliRunner().invoke(app, ["users", "add", "Desk.One", "--role", "support"])
        assert result.exit_code == 0, result.output
        assert "role support" in result.output
        password = re.search(r"One-time password .*: (\S+)$", result.output, flags=re.M).group(1)
        signed_in = auth.sign_in(get_settings(), "desk.one", password)
        assert signed_in.principal.role is Role.SUPPORT and signed_in.principal.scope == ()
        refused = CliRunner().invoke(app, ["users", "add", "desk.two", "--role", "support", "--scope", "P1"])
        assert refused.exit_code == 2 and "takes no scope" in refused.output
    finally:
        dispose_engines()
