"""Administration > Users: add users, reset them (new one-time password or reset code), unlock, disable.

One-time passwords and reset codes are shown once, in the run that created them, and kept nowhere.
"""

import pandas as pd
import streamlit as st

from dashboard import session
from dashboard.components import download_buttons, show_table
from reports import auth, user_admin
from reports.clock import utc_now
from reports.principal import Role

admin = session.require_role(Role.ADMIN)
settings = session.settings()
st.title("Users")

st.subheader("Add a user")
with st.form("add_user", clear_on_submit=True):
    username = st.text_input("Username", key="add_username")
    role = st.selectbox("Role", [r.value for r in Role], key="add_role")
    scope = st.text_input(
        "Scope",
        key="add_scope",
        help="person_id, department(s) comma-separated, employer_id, member_id or NPI",
    )
    email = st.text_input("Organization ID e-mail (optional)", key="add_email")
    add = st.form_submit_button("Add user", key="add_submit")
if add:
    try:
        one_time = user_admin.create_user(
            settings, admin, username, role, scope, email=email or None, check_scope=True
        )
    except user_admin.UserAdminError as exc:
        st.error(str(exc))
    else:
        st.success(
            f"User {username.strip().lower()} added. Give them this one-time password; it is shown only now:"
        )
        st.code(one_time, language=None)

# The table is drawn after the actions below (into this slot above them) so it shows their effect.
st.subheader("Dashboard users")
table_slot = st.container()

st.subheader("Manage a user")
names = [u.username for u in user_admin.list_users(settings, admin)]
picked = st.selectbox("User", names, key="manage_user")
columns = st.columns(5)
reset = columns[0].button("New one-time password", key="manage_reset")
code = columns[1].button("Create reset code", key="manage_code")
unlock = columns[2].button("Unlock", key="manage_unlock")
disable = columns[3].button("Disable", key="manage_disable")
enable = columns[4].button("Enable", key="manage_enable")
try:
    if reset:
        one_time = user_admin.reset_with_one_time_password(settings, admin, picked)
        st.success(f"{picked} has a new one-time password (shown only now); their sessions were ended:")
        st.code(one_time, language=None)
    elif code:
        reset_code = auth.issue_reset_token(settings, admin, picked)
        st.success(f"Reset code for {picked}, valid once for 30 minutes (shown only now):")
        st.code(reset_code, language=None)
    elif unlock:
        user_admin.unlock_user(settings, admin, picked)
        st.success(f"{picked} is unlocked.")
    elif disable:
        user_admin.set_disabled(settings, admin, picked, True)
        st.success(f"{picked} is disabled and signed out everywhere.")
    elif enable:
        user_admin.set_disabled(settings, admin, picked, False)
        st.success(f"{picked} is enabled.")
except (user_admin.UserAdminError, LookupError) as exc:
    st.error(str(exc))

users = user_admin.list_users(settings, admin)
now = utc_now()
table = pd.DataFrame(
    [
        {
            "username": u.username,
            "role": u.role.value,
            "scope": ", ".join(u.scope),
            "e-mail": u.email,
            "status": u.status(now),
            "locked until": u.locked_until if u.status(now) == "locked" else None,
            "failed sign-ins": u.failed_attempts,
            "last sign-in": u.last_sign_in_at,
        }
        for u in users
    ],
    columns=[
        "username",
        "role",
        "scope",
        "e-mail",
        "status",
        "locked until",
        "failed sign-ins",
        "last sign-in",
    ],
)
show_table(table, into=table_slot)
with table_slot:
    download_buttons(admin, table, target="dashboard users", file_stem="dashboard-users", key="users")
