"""``portalytics dashboard``: serve the Streamlit app headless on the configured port."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from domain.settings import Settings

# The pipeline may not import the dashboard package, so the app is found by path.
APP_PATH = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def streamlit_command(settings: Settings, port: int | None = None) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve the dashboard (split out so it can be checked)."""
    port = port or settings.dashboard_port
    argv = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        "--server.headless=true",
        f"--server.port={port}",
        "--server.runOnSave=false",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=minimal",
    ]
    env = dict(os.environ)
    # The app reads the same settings: pin the data directory absolutely, whatever the working directory.
    env["PORTALYTICS_DATA_DIR"] = str(settings.root)
    if settings.state_url:
        env["PORTALYTICS_STATE_URL"] = settings.state_url
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    return argv, env


def serve_dashboard(settings: Settings, port: int | None = None) -> int:
    argv, env = streamlit_command(settings, port)
    print(f"Serving the dashboard at http://localhost:{port or settings.dashboard_port} (Ctrl+C to stop)")
    try:
        return subprocess.call(argv, env=env)
    except KeyboardInterrupt:
        return 0
