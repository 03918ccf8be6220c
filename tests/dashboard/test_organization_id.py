from reports import user_admin
from reports.principal import Role
from tests.dashboard.fixtures import ADMIN, titles

AUTH_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-cookie-secret",
        "client_id": "portalytics",
        "client_secret": "test-client-secret",
        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
    }
}


def test_without_an_auth_section_there_is_no_organization_id_button(app):
    app.run()
    assert [b.label for b in app.button] == ["Sign in", "Set new password"]


def test_an_organization_id_signs_in_as_the_dashboard_user_with_that_email(app, settings):
    user_admin.create_user(settings, ADMIN, "ce.lead", Role.CE_TEAM, email="ce.lead@example.org")
    app.secrets = AUTH_SECRETS
    app.user = {"is_logged_in": True, "email": "CE.Lead@example.org", "email_verified": True}
    app.run()
    assert not app.exception
    # no one-time password change: the identity provider authenticated the person
    assert titles(app) == ["Duplicate queue"]


def test_an_organization_id_without_a_dashboard_account_is_refused_plainly(app):
    app.secrets = AUTH_SECRETS
    app.user = {"is_logged_in": True, "email": "stranger@example.org", "email_verified": True}
    app.run()
    assert titles(app) == ["Sign in to portalytics"]
    assert [i.value for i in app.info] == [
        "There is no dashboard account for this Organization ID. Ask an administrator."
    ]
    assert "Sign in with your Organization ID" in [b.label for b in app.button]


def test_an_organization_id_whose_email_is_not_verified_signs_nobody_in(app, settings):
    user_admin.create_user(settings, ADMIN, "ce.lead", Role.CE_TEAM, email="ce.lead@example.org")
    app.secrets = AUTH_SECRETS
    for claims in ({"email_verified": False}, {}):  # said false, or not said at all
        app.user = {"is_logged_in": True, "email": "ce.lead@example.org", **claims}
        app.session_state["portalytics_oidc_refused"] = None
        app.run()
        assert titles(app) == ["Sign in to portalytics"]
        assert [i.value for i in app.info] == [
            "Your Organization ID did not confirm that this e-mail address is verified, so it cannot sign "
            "you "
            "in here. Ask your identity administrator, or sign in with your dashboard password."
        ]


def test_an_organization_id_never_matches_a_username(app, settings):
    # the username looks like the e-mail, but the account has no Organization ID e-mail
    user_admin.create_user(settings, ADMIN, "ce.lead@example.org", Role.CE_TEAM)
    app.secrets = AUTH_SECRETS
    app.user = {"is_logged_in": True, "email": "ce.lead@example.org", "email_verified": True}
    app.run()
    assert titles(app) == ["Sign in to portalytics"]
    assert [i.value for i in app.info] == [
        "There is no dashboard account for this Organization ID. Ask an administrator."
    ]
