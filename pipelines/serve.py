"""``portalytics dashboard``: serve the Streamlit app headless on the configured port.

Safe defaults: it listens on 127.0.0.1 only (``--address`` to change; put TLS in front with a reverse proxy,
see docs/operations.md), and browsers get no tracebacks (``client.showErrorDetails=none``; the app shows an
error id and logs the detail on the server, see dashboard/errors.py). What it runs is dashboard/asgi.py: the
app (dashboard/app.py) as Streamlit's ``st.App`` plus the routes that set and clear the session cookie.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from domain.settings import Settings

# The pipeline may not import the dashboard package, so the app is found by path.
APP_PATH = Path(__file__).resolve().parents[1] / "dashboard" / "asgi.py"
#: Loopback only unless asked: the dashboard speaks plain HTTP and belongs behind a TLS reverse proxy.
DEFAULT_ADDRESS = "127.0.0.1"


def streamlit_command(
    settings: Settings, port: int | None = None, address: str | None = None
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve the dashboard (split out so it can be checked)."""
    port = port or settings.dashboard_port
    address = address or DEFAULT_ADDRESS
    argv = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        "--server.headless=true",
        f"--server.port={port}",
        f"--server.address={address}",
        "--client.showErrorDetails=none",
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


def serve_dashboard(settings: Settings, port: int | None = None, address: str | None = None) -> int:
    argv, env = streamlit_command(settings, port, address)
    host = address or DEFAULT_ADDRESS
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving the dashboard at http://{shown}:{port or settings.dashboard_port} (Ctrl+C to stop)")
    try:
        return subprocess.call(argv, env=env)
    except KeyboardInterrupt:
        return 0
