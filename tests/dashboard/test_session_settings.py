"""The dashboard keeps its settings while the environment stays the same, and sees a changed one."""

from __future__ import annotations

from pathlib import Path

from dashboard import session


def test_settings_follow_a_changed_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(tmp_path / "one"))
    first = session.settings()
    assert session.settings() is first
    assert first.data_dir == Path(tmp_path / "one")
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(tmp_path / "two"))
    assert session.settings().data_dir == Path(tmp_path / "two")
