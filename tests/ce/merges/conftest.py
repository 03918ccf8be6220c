from __future__ import annotations

import pytest

from domain.settings import Settings
from reports.state import dispose_engines


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    """The state store (decisions) and the warehouse both live in the test's own directory."""
    monkeypatch.setenv("PORTALYTICS_DATA_DIR", str(tmp_path))
    yield Settings(data_dir=tmp_path)
    dispose_engines()
