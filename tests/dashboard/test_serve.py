from pathlib import Path

from pipelines.serve import streamlit_command


def test_dashboard_is_served_headless_on_the_configured_port_with_the_data_dir(settings):
    argv, env = streamlit_command(settings, None)
    assert argv[1:4] == ["-m", "streamlit", "run"]
    assert Path(argv[4]) == Path(__file__).parents[2] / "dashboard" / "app.py"
    assert "--server.headless=true" in argv
    assert "--server.port=8501" in argv
    assert env["PORTALYTICS_DATA_DIR"] == str(settings.root)
    assert "--server.port=9000" in streamlit_command(settings, 9000)[0]
