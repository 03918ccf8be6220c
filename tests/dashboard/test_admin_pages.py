import contextlib
import re

from reports import audit, auth
from reports.principal import Role
from tests.auth.scope_snapshot import publish_scope_snapshot
from tests.dashboard.fixtures import ADMIN, fill_sign_in, titles


def add_user(app, username, role, scope):
    app.text_input(key="add_username").input(username)
    app.selectbox(key="add_role").select(role)
    app.text_input(key="add_scope").input(scope)
    return app.button(key="add_submit").click().run()


def test_admin_adds_a_user_and_sees_the_one_time_password_once(signed_in_as, settings):
    publish_scope_snapshot(settings)
    app = signed_in_as("root", Role.ADMIN)
    app.switch_page("views/admin/users.py").run()
    add_user(app, "Dana", "employer", "E042")
    assert not app.exception
    assert [s.value for s in app.success] == [
        "User dana added. Give them this one-time password; it is shown only now:"
    ]
    [one_time] = [c.value for c in app.code]
    assert re.fullmatch(r"[A-Za-z2-9]{16}", one_time)
    assert list(app.dataframe[0].value["username"]) == ["dana", "root"]

    app.run()  # any later rerun: the password is gone from the page
    assert [c.value for c in app.code] == []

    signed_in = auth.sign_in(settings, "dana", one_time)
    assert signed_in.must_change_password
    assert (signed_in.principal.role, signed_in.principal.scope) == (Role.EMPLOYER, ("E042",))


def test_admin_sees_why_a_user_cannot_be_added(signed_in_as):
    app = signed_in_as("root", Role.ADMIN)
    app.switch_page("views/admin/users.py").run()
    add_user(app, "dana", "employer", "")
    assert [e.value for e in app.error] == ["role employer needs a scope: its employer_id"]
    assert [c.value for c in app.code] == []


def test_admin_cannot_add_a_user_whose_scope_is_not_in_the_published_data(signed_in_as, settings):
    publish_scope_snapshot(settings)
    app = signed_in_as("root", Role.ADMIN)
    app.switch_page("views/admin/users.py").run()
    add_user(app, "acme", "employer", "EMP9999")
    assert [e.value for e in app.error] == [
        "scope EMP9999 is not in the published data (no such employer_id in "
        "marts.employer_enrollment.employer_id); check the value"
    ]
    assert [c.value for c in app.code] == []
    assert list(app.dataframe[0].value["username"]) == ["root"]


def test_admin_unlocks_and_resets_a_user(signed_in_as, make_user, settings, app):
    make_user("sam", Role.STAFF, ("P0001",))
    for _ in range(5):
        with contextlib.suppress(auth.AuthError):
            auth.sign_in(settings, "sam", "not my password")
    signed_in_as("root", Role.ADMIN)
    app.switch_page("views/admin/users.py").run()
    table = app.dataframe[0].value.set_index("username")
    assert table.loc["sam", "status"] == "locked"

    app.selectbox(key="manage_user").select("sam")
    app.button(key="manage_unlock").click().run()
    assert [s.value for s in app.success] == ["sam is unlocked."]
    assert app.dataframe[0].value.set_index("username").loc["sam", "status"] == "active"

    app.button(key="manage_reset").click().run()
    [one_time] = [c.value for c in app.code]
    assert auth.sign_in(settings, "sam", one_time).must_change_password


def test_audit_log_page_lists_sign_ins_for_admins(signed_in_as, make_user, app):
    make_user("erin", Role.EDUCATION_MANAGER, ("ICU",))
    fill_sign_in(app.run(), "erin", "wrong password!")
    signed_in_as("root", Role.ADMIN)
    app.switch_page("views/admin/audit_log.py").run()
    assert titles(app) == ["Audit log"]
    log = app.dataframe[0].value
    # newest first: erin added (by root), erin's failed sign-in, root added, root's sign-in
    assert list(zip(log["who"], log["what"], log["target"], strict=True)) == [
        ("root", "sign_in", "—"),  # no target: a dash, not an empty cell
        ("root", "user_add", "root"),
        ("erin", "sign_in_failed", "—"),
        ("root", "user_add", "erin"),
    ]
    app.text_input(key="audit_actor").input("erin").run()
    assert set(app.dataframe[0].value["who"]) == {"erin"}


def test_reading_the_audit_log_is_itself_audited(signed_in_as, settings, app):
    signed_in_as("root", Role.ADMIN)
    app.switch_page("views/admin/audit_log.py").run()
    app.run()
    app.text_input(key="audit_actor").input("Erin").run()
    views = [(r.target, r.detail) for r in reversed(audit.read(settings, ADMIN, actions=["view"]))]
    assert views == [
        ("audit log", "who anyone; what everything; up to 500"),
        ("audit log", "who erin; what everything; up to 500"),
    ]


def test_the_pipeline_page_shows_the_apply_now_runs_status_not_a_pid(signed_in_as, settings):
    import datetime as dt
    import sys
    import time

    from reports.materialize_launch import materialize_running, start_materialize, write_status
    from reports.principal import Principal

    app = signed_in_as("root2", Role.ADMIN).switch_page("views/admin/pipeline.py").run()
    assert not app.exception
    assert "No run has been started from the dashboard yet." in [c.value for c in app.caption]

    start_materialize(
        settings, Principal("root2", Role.ADMIN), command=[sys.executable, "-c", "import time; time.sleep(3)"]
    )
    app.run()
    assert [i.value for i in app.info][0].startswith("Queued at ")
    assert app.button(key="pipeline_apply_now").disabled  # one run at a time
    assert not any("pid" in m.value or "process" in m.value for m in [*app.markdown, *app.info])
    deadline = time.monotonic() + 30
    while materialize_running(settings) and time.monotonic() < deadline:
        time.sleep(0.1)
    write_status(
        settings,
        "published",
        finished_at=dt.datetime(2026, 7, 1, 9, 15, tzinfo=dt.UTC),
        published_at=dt.datetime(2026, 7, 1, 9, 14, tzinfo=dt.UTC),
    )
    app.run()
    assert [s.value for s in app.success] == [  # in the organisation's zone (Chicago, CDT in July)
        "Published at 2026-07-01 04:14 CDT (run finished 2026-07-01 04:15 CDT)."
    ]
    write_status(
        settings,
        "failed",
        reason="the run stopped with exit code 1 (a blocking check failed or the input was refused)",
    )
    app.run()
    assert app.error[0].value.endswith(
        "the run stopped with exit code 1 (a blocking check failed or the input was refused)."
    )
