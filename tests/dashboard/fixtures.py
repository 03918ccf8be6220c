from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from domain.settings import Settings
from reports import auth, user_admin
from reports.principal import Principal, Role
from reports.state import dispose_engines

APP = str(Path(__file__).parents[2] / "dashboard" / "app.py")
ADMIN = Principal("root", Role.ADMIN)
PASSWORD = "correct horse battery"


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(tmp_path))
    yield Settings()
    dispose_engines()


@pytest.fixture
def app(settings) -> AppTest:
    # argon2 and a shared 2-core machine are slow: be generous.
    return AppTest.from_file(APP, default_timeout=30)


@pytest.fixture
def make_user(settings):
    def make(username: str, role: Role, scope=(), *, one_time: bool = False) -> str:
        if one_time:
            return user_admin.create_user(settings, ADMIN, username, role, scope)
        user_admin.create_user(
            settings, ADMIN, username, role, scope, password=PASSWORD, must_change_password=False
        )
        return PASSWORD

    return make


@pytest.fixture
def signed_in_as(settings, make_user, app):
    """An app whose browser session already holds a valid session token for a new user of ``role``."""

    def sign_in(username: str, role: Role, scope=()) -> AppTest:
        make_user(username, role, scope)
        app.session_state["portalytics_session_token"] = auth.sign_in(settings, username, PASSWORD).token
        return app.run()

    return sign_in


def fill_sign_in(app: AppTest, username: str, password: str) -> AppTest:
    app.text_input(key="signin_username").input(username)
    app.text_input(key="signin_password").input(password)
    return app.button(key="signin_submit").click().run()


def titles(app: AppTest) -> list[str]:
    return [t.value for t in app.title]
