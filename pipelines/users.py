"""``portalytics users add``: create a dashboard user and print its one-time password once.

The password goes to stdout only (never to a log); the user must change it at first sign-in.
"""

from __future__ import annotations

import sys

from domain.settings import Settings
from reports.user_admin import CLI_ADMIN, UserAdminError, create_user, parse_role


def add_user(settings: Settings, username: str, role: str, scope: str | None) -> int:
    """Exit code 0 when created; 2 with a message on stderr when the request is invalid, the name taken or the
    scope not in the published data."""
    try:
        parsed = parse_role(role)
        one_time_password = create_user(settings, CLI_ADMIN, username, parsed, scope, check_scope=True)
    except UserAdminError as exc:
        print(f"users add: {exc}", file=sys.stderr)
        return 2
    print(f"Created dashboard user {username.strip().lower()} (role {parsed.value}).")
    print(f"One-time password (shown only now; it must be changed at first sign-in): {one_time_password}")
    return 0
