"""``portalytics demo``: from an empty data directory to a served dashboard with one sign-in per role.

Generates small data (once: an existing landing folder is reused), materializes it, then gives each demo user
a fresh one-time password, printed here and nowhere else, and serves the dashboard. The demo users' scopes are
picked from the published snapshot so every view has something to show.
"""

from __future__ import annotations

import duckdb
from rich.console import Console
from rich.table import Table

from domain.settings import Settings
from reports.principal import Role
from reports.user_admin import CLI_ADMIN, UserAdminError, create_user, reset_with_one_time_password

DEMO_SEED = 42

#: (username, role, query picking the scope value from the published marts, or None for unscoped roles)
DEMO_USERS: tuple[tuple[str, Role, str | None], ...] = (
    (
        "demo.staff",
        Role.STAFF,
        "SELECT person_id FROM marts.transcript_items GROUP BY person_id ORDER BY count(DISTINCT source) "
        "DESC,"
        " count(*) DESC, person_id LIMIT 1",
    ),
    (
        "demo.manager",
        Role.EDUCATION_MANAGER,
        "SELECT department FROM marts.compliance_status GROUP BY department ORDER BY count(*) DESC, "
        "department"
        " LIMIT 1",
    ),
    ("demo.ce", Role.CE_TEAM, None),
    (
        "demo.employer",
        Role.EMPLOYER,
        "SELECT employer_id FROM marts.employer_enrollment GROUP BY employer_id ORDER BY count(*) DESC,"
        " employer_id LIMIT 1",
    ),
    (
        "demo.member",
        Role.MEMBER,
        "SELECT subscriber_id FROM marts.claim_cost_share WHERE member_id = subscriber_id GROUP BY "
        "subscriber_id"
        " ORDER BY count(DISTINCT member_id) DESC, count(*) DESC, subscriber_id LIMIT 1",
    ),
    (
        "demo.provider",
        Role.PROVIDER,
        "SELECT provider_npi FROM marts.claim_cost_share GROUP BY provider_npi ORDER BY count(*) DESC,"
        " provider_npi LIMIT 1",
    ),
    ("demo.admin", Role.ADMIN, None),
    ("demo.support", Role.SUPPORT, None),
)


def _scope(settings: Settings, query: str | None) -> str | None:
    if query is None:
        return None
    with duckdb.connect(str(settings.current_snapshot), read_only=True) as conn:
        row = conn.execute(query).fetchone()
    return str(row[0]) if row else None


def ensure_demo_users(settings: Settings) -> list[tuple[str, Role, str | None, str]]:
    """Create (or reset) every demo user; returns (username, role, scope, one-time password)."""
    created = []
    for username, role, query in DEMO_USERS:
        scope = _scope(settings, query)
        try:
            password = create_user(settings, CLI_ADMIN, username, role, scope)
        except UserAdminError:
            password = reset_with_one_time_password(settings, CLI_ADMIN, username)
        created.append((username, role, scope, password))
    return created


def run_demo(settings: Settings, port: int | None = None, *, serve: bool = True) -> int:
    from pipelines.generator.run import generate_all
    from pipelines.materialize import run_materialize
    from pipelines.serve import serve_dashboard

    console = Console()
    landing = settings.landing_dir
    if not landing.exists() or not any(landing.rglob("*.*")):
        generate_all(settings, "small", DEMO_SEED)
    else:
        console.print(f"Reusing the landing files already in {landing}")
    code = run_materialize(settings, None)
    if code != 0:
        console.print("[red]materialize failed; not starting the dashboard[/]")
        return code
    users = ensure_demo_users(settings)
    table = Table(title="Demo sign-ins (one-time passwords: you will choose a new password at first sign-in)")
    for col in ("username", "role", "scope", "one-time password"):
        table.add_column(col)
    for username, role, scope, password in users:
        table.add_row(username, role.value, scope or "(all)", password)
    console.print(table)
    port = port or settings.dashboard_port
    console.print(f"Dashboard: [bold]http://localhost:{port}[/]")
    return serve_dashboard(settings, port) if serve else 0
