from pathlib import Path

from pipelines.serve import streamlit_command


def test_dashboard_is_served_headless_on_the_configured_port_with_the_data_dir(settings):
    argv, env = streamlit_command(settings, None)
    assert argv[1:4] == ["-m", "streamlit", "run"]
    # the app plus the session-cookie routes (dashboard/asgi.py runs dashboard/app.py as an st.App)
    assert Path(argv[4]) == Path(__file__).parents[2] / "dashboard" / "asgi.py"
    assert "--server.headless=true" in argv
    assert "--server.port=8501" in argv
    assert env["PORTALYTICS_DATA_DIR"] == str(settings.root)
    assert "--server.port=9000" in streamlit_command(settings, 9000)[0]


def test_dashboard_listens_on_loopback_only_unless_told_and_sends_no_tracebacks(settings):
    argv, _ = streamlit_command(settings, None)
    assert "--server.address=127.0.0.1" in argv
    assert "--client.showErrorDetails=none" in argv
    assert "--server.address=10.0.0.5" in streamlit_command(settings, None, "10.0.0.5")[0]


def test_portalytics_dashboard_address_option_reaches_streamlit(settings, monkeypatch):
    from typer.testing import CliRunner

    from pipelines import serve
    from pipelines.cli import app

    started = []
    monkeypatch.setattr(serve.subprocess, "call", lambda argv, env: started.append(argv) or 0)
    default = CliRunner().invoke(app, ["dashboard", "--port", "8600"])
    assert default.exit_code == 0
    assert "Serving the dashboard at http://127.0.0.1:8600" in default.output
    assert CliRunner().invoke(app, ["dashboard", "--address", "10.0.0.5"]).exit_code == 0
    assert [a for a in started[0] if a.startswith("--server.address")] == ["--server.address=127.0.0.1"]
    assert [a for a in started[1] if a.startswith("--server.address")] == ["--server.address=10.0.0.5"]
