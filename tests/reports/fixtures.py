import duckdb
import pytest

from tests.reports.snapshot import build_snapshot


@pytest.fixture(scope="session")
def snapshot_path(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("published") / "current.duckdb")
    build_snapshot(db)
    return db


@pytest.fixture
def published(snapshot_path):
    """A read-only connection, as the dashboard holds it."""
    conn = duckdb.connect(snapshot_path, read_only=True)
    yield conn
    conn.close()
