"""Dashboard server time: each role's main page, p95 over repeated runs (target < 300 ms) on the published
snapshot.

Each page runs through Streamlit's AppTest exactly as a browser request runs it: the router
(``dashboard/app.py``) checks the session in the state store, then the page reads the snapshot and builds its
elements. The baseline is an empty page run the same way in the same run, so the figure can be read on any
machine.

The bench signs in as a throw-away user per role in a temporary state store, so neither its users nor the
audit rows its page views write reach the real one (nor its CE decisions: the bench only reads the queue).
Every role has a row in :data:`PAGES`; a role whose marts are not in the snapshot is skipped with a note.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from domain.settings import Settings
from pipelines.bench import BenchContext, Figure
from reports import auth, user_admin
from reports.principal import Principal, Role
from reports.state import dispose_engines

TOPIC = "dashboard"
RUNS = 20
TARGET_S = 0.300
#: The app is found by path: the pipeline may not import the dashboard package.
APP_PATH = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PASSWORD = "throwaway passphrase not for people"  # noqa: S105 (a throw-away user in a temporary store)
BENCH_ADMIN = Principal("bench.admin", Role.ADMIN)
#: Generous: the first run imports the page's libraries, and the machine is shared.
APP_TIMEOUT_S = 120

ScopePicker = Callable[[duckdb.DuckDBPyConnection], tuple[str, ...] | None]


def _published(conn, table: str) -> bool:
    """Whether ``marts.<table>`` is in the snapshot (a snapshot may hold only some topics' marts)."""
    found = conn.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = ?", [table]
    ).fetchone()
    return bool(found and found[0])


def _one(conn, table: str, sql: str) -> tuple[str, ...] | None:
    """The first column of ``sql``'s first row as a one-value scope; None when ``marts.<table>`` is missing
    or the query finds nothing (the page is then skipped)."""
    if not _published(conn, table):
        return None
    row = conn.execute(sql).fetchone()
    return (str(row[0]),) if row and row[0] is not None else None


def _unscoped_if_rows(conn, table: str) -> tuple[str, ...] | None:
    """No scope (the role sees everything), as long as ``marts.<table>`` has rows for the page to show."""
    if not _published(conn, table):
        return None
    found = conn.execute(f"SELECT count(*) FROM marts.{table}").fetchone()  # noqa: S608 (a fixed mart name)
    return () if found and found[0] else None


def busiest_transcript(conn) -> tuple[str, ...] | None:
    """The person with the most transcript items: the heaviest My transcript page."""
    return _one(
        conn,
        "transcript_items",
        "SELECT person_id FROM marts.transcript_items GROUP BY person_id ORDER BY count(*) DESC, person_id "
        "LIMIT 1",
    )


def biggest_department(conn) -> tuple[str, ...] | None:
    """The department with the most compliance rows: the heaviest Compliance page."""
    return _one(
        conn,
        "compliance_status",
        "SELECT department FROM marts.compliance_status WHERE department IS NOT NULL "
        "GROUP BY department ORDER BY count(*) DESC, department LIMIT 1",
    )


def duplicate_queue(conn) -> tuple[str, ...] | None:
    """The CE team has no scope: the whole queue of duplicate clusters is its heaviest page."""
    return _unscoped_if_rows(conn, "duplicate_account_clusters")


def biggest_employer(conn) -> tuple[str, ...] | None:
    """The employer with the most members: the longest Enrollment roster."""
    return _one(
        conn,
        "employer_enrollment",
        "SELECT employer_id FROM marts.employer_enrollment WHERE employer_id IS NOT NULL "
        "GROUP BY employer_id ORDER BY count(DISTINCT member_id) DESC, employer_id LIMIT 1",
    )


def busiest_subscriber(conn) -> tuple[str, ...] | None:
    """The subscriber whose family has the most priced claim lines: the longest My deductible page (a
    subscriber's member_id is their subscriber_id, and they see the whole family)."""
    return _one(
        conn,
        "claim_cost_share",
        "SELECT subscriber_id FROM marts.claim_cost_share WHERE subscriber_id IS NOT NULL "
        "GROUP BY subscriber_id ORDER BY count(*) DESC, subscriber_id LIMIT 1",
    )


def busiest_provider(conn) -> tuple[str, ...] | None:
    """The NPI that billed the most claims: the longest Eligibility & claims page."""
    return _one(
        conn,
        "claim_status",
        "SELECT provider_npi FROM marts.claim_status WHERE provider_npi IS NOT NULL "
        "GROUP BY provider_npi ORDER BY count(*) DESC, provider_npi LIMIT 1",
    )


def security_findings(conn) -> tuple[str, ...] | None:
    """An admin has no scope: the Security page over every portal's login findings."""
    return _unscoped_if_rows(conn, "login_daily_summary")


def people_linked(conn) -> tuple[str, ...] | None:
    """The help desk has no scope: the Person page, as long as person links are published."""
    return _unscoped_if_rows(conn, "person_links")


@dataclass(frozen=True)
class PageBench:
    role: Role
    #: The view file under dashboard/views (the role's main page).
    view: str
    #: Picks a realistic (heavy) scope for the throw-away user from the published snapshot.
    scope: ScopePicker


#: One row per role's main page (its landing page in dashboard/app.py ROLE_PAGES). A page whose scope picker
#: finds nothing in the snapshot is skipped with a note.
PAGES: tuple[PageBench, ...] = (
    PageBench(Role.STAFF, "staff/transcript.py", busiest_transcript),
    PageBench(Role.EDUCATION_MANAGER, "education_manager/compliance.py", biggest_department),
    PageBench(Role.CE_TEAM, "ce_team/duplicates.py", duplicate_queue),
    PageBench(Role.EMPLOYER, "employer/roster.py", biggest_employer),
    PageBench(Role.MEMBER, "member/deductible.py", busiest_subscriber),
    PageBench(Role.PROVIDER, "provider/eligibility.py", busiest_provider),
    PageBench(Role.ADMIN, "admin/security.py", security_findings),
    PageBench(Role.SUPPORT, "support/person.py", people_linked),
)


@contextmanager
def _temporary_state(settings: Settings) -> Iterator[Settings]:
    """Settings (and the environment the app reads) with the state store in a temporary directory."""
    names = ("PORTALYTICS_DATA_DIR", "PORTALYTICS_STATE_URL")
    saved = {n: os.environ.get(n) for n in names}
    with tempfile.TemporaryDirectory(prefix="portalytics-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'state.sqlite'}"
        os.environ["PORTALYTICS_DATA_DIR"] = str(settings.root)
        os.environ["PORTALYTICS_STATE_URL"] = url
        try:
            yield settings.model_copy(update={"state_url": url})
        finally:
            for n, v in saved.items():
                if v is None:
                    os.environ.pop(n, None)
                else:
                    os.environ[n] = v
            dispose_engines()


def _p95(app: AppTest, runs: int) -> float:
    app.run()  # warm-up: imports and caches, like a server that has served the page once
    if app.exception:
        raise RuntimeError(f"the page failed: {app.exception[0].message}")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        app.run()
        times.append(time.perf_counter() - start)
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def _page_app(settings: Settings, page: PageBench, scope: tuple[str, ...]) -> AppTest:
    username = f"bench.{page.role.value}"
    user_admin.create_user(
        settings, BENCH_ADMIN, username, page.role, scope, password=PASSWORD, must_change_password=False
    )
    app = AppTest.from_file(str(APP_PATH), default_timeout=APP_TIMEOUT_S)
    app.session_state["portalytics_session_token"] = auth.sign_in(settings, username, PASSWORD).token
    app.run()
    app.switch_page(f"views/{page.view}")
    return app


def _empty_app(directory: Path) -> AppTest:
    script = directory / "empty_page.py"
    script.write_text('import streamlit as st\n\nst.title("empty")\n')
    return AppTest.from_file(str(script), default_timeout=APP_TIMEOUT_S)


def bench(ctx: BenchContext, pages: tuple[PageBench, ...] = PAGES, runs: int | None = None) -> list[Figure]:
    runs = runs or RUNS
    if not ctx.settings.current_snapshot.exists():
        ctx.console.print(
            f"[yellow]{TOPIC}: nothing published at {ctx.settings.current_snapshot}; run materialize[/]"
        )
        return []
    with duckdb.connect(str(ctx.settings.current_snapshot), read_only=True) as conn:
        scopes = {p.role: p.scope(conn) for p in pages}
    figures = []
    with _temporary_state(ctx.settings) as settings, tempfile.TemporaryDirectory() as tmp:
        baseline = _p95(_empty_app(Path(tmp)), runs)
        for page in pages:
            scope = scopes[page.role]
            if scope is None:
                ctx.console.print(f"[yellow]{TOPIC}: no data for a {page.role.value} scope; skipped[/]")
                continue
            p95 = _p95(_page_app(settings, page, scope), runs)
            figures.append(
                Figure(
                    TOPIC,
                    f"{page.role.value} main page ({page.view}), p95",
                    p95 * 1000,
                    "ms",
                    baseline * 1000,
                    f"< {TARGET_S * 1000:.0f} ms",
                    p95 < TARGET_S,
                    f"{runs} AppTest runs incl. the router's session check; baseline: an empty page; "
                    f"{ctx.cores} cores",
                )
            )
    return figures
