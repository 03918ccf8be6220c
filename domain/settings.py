"""Settings from ``PORTALYTICS_*`` environment variables and the layout of the data directory.

Settings live in ``domain`` (not ``pipelines``) because both sides of the product read them: the pipeline
writes under the data directory and the dashboard reads the published snapshot and its own state store from
it, and the dashboard may not import the pipeline.
"""

from __future__ import annotations

import contextlib
import os
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Files and folders this product creates are its owner's only (0600 / 0700): they hold personal data.
PRIVATE_UMASK = 0o077


def make_files_private() -> None:
    """Every file and folder the process creates from now on is owner-only (the warehouse, DuckDB's WAL and
    spill files, snapshots, the state store and its WAL, Dagster's run storage)."""
    os.umask(PRIVATE_UMASK)


def chmod_private(path: Path, mode: int = 0o600) -> None:
    """Tighten a file (or, with 0o700, a folder) this product made; one owned by someone else is left
    alone."""
    with contextlib.suppress(FileNotFoundError, PermissionError):
        path.chmod(mode)


#: The organisation's time zone unless ``PORTALYTICS_ORG_TIMEZONE`` says otherwise: the one default every read
#: falls back to when a caller passes no zone.
DEFAULT_ORG_TIMEZONE = "America/Chicago"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTALYTICS_", extra="ignore")

    data_dir: Path = Path("./data")
    #: The organisation's time zone: a completion's date is its date here.
    org_timezone: str = DEFAULT_ORG_TIMEZONE
    #: SQLAlchemy URL of the dashboard's own state (users, sessions, decisions, audit); default SQLite in
    #: data_dir.
    state_url: str | None = None
    #: How many older published snapshots to keep beside the current one.
    keep_snapshots: int = 2
    #: How many independent pipeline steps run at once, side by side in the one process (1: one at a time).
    step_threads: int = 2
    #: Steps tagged heavy (the auth_events ingest, duplicate detection, the cost share) run side by side only
    #: while the landing folder holds at most this many GB (medium 2.1 GB: yes; large 21 GB: one at a time).
    heavy_side_by_side_max_landing_gb: float = 8.0
    dashboard_port: int = 8501
    idle_timeout_minutes: int = 30
    session_lifetime_hours: int = 12
    #: How long five consecutive failed sign-ins lock a dashboard account.
    lockout_minutes: int = 15
    #: CE Broker provider tracking number without the ``50-`` prefix (column A of the roster upload).
    ce_broker_provider_number: str = ""
    #: The organisation named as issuer on transcript credentials.
    credential_issuer_name: str = "portalytics CE office"
    #: Where ``published/`` is served (the status list's URL in each credential); verify itself is offline.
    credential_base_url: str = "https://credentials.portalytics.invalid"
    #: How long a one-time password (new user, admin reset) can be used before an administrator must issue
    #: another.
    one_time_password_hours: int = 72
    #: The education managers' target: the dashed line on the compliance trend (% compliant).
    compliance_target_pct: float = 90.0
    #: Compliance reminders (``reports.learning.reminders``). A dry run (the default) writes each e-mail as an
    #: .eml file to ``<data dir>/outbox/`` instead of sending it; set ``PORTALYTICS_REMINDERS_DRY_RUN=false``
    #: to send over SMTP.
    reminders_dry_run: bool = True
    reminders_from: str = "Education <education@example.org>"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    #: "none", "starttls" (upgrade the plain connection) or "ssl" (TLS from the start, usually port 465).
    smtp_tls: Literal["none", "starttls", "ssl"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = 30.0

    @cached_property
    def root(self) -> Path:
        return self.data_dir.resolve()

    def ensure_root(self) -> Path:
        """Create the data directory 0700 (tightening an existing one) and make later files owner-only."""
        make_files_private()
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        chmod_private(self.root, 0o700)
        return self.root

    @property
    def landing_dir(self) -> Path:
        return self.root / "landing"

    @property
    def truth_dir(self) -> Path:
        return self.root / "truth"

    @property
    def warehouse_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.root / "published"

    @property
    def current_snapshot(self) -> Path:
        return self.published_dir / "current.duckdb"

    @property
    def keys_dir(self) -> Path:
        """Private keys (0700 folder, 0600 files): the transcript credentials' signing key."""
        return self.root / "keys"

    @property
    def outbox_dir(self) -> Path:
        return self.root / "outbox"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def state_db_url(self) -> str:
        return self.state_url or f"sqlite:///{self.root / 'state.sqlite'}"


def get_settings() -> Settings:
    return Settings()
