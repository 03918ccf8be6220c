from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from domain.settings import Settings
from pipelines.generator.run import generate_all


def generate(root: Path, scale: str = "tiny", seed: int = 42) -> Settings:
    settings = Settings(data_dir=root)
    generate_all(settings, scale, seed, console=Console(file=io.StringIO(), width=120))
    return settings


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> Settings:
    """One tiny data set shared by the read-only tests (generation takes about a second)."""
    return generate(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def small(tmp_path_factory) -> Settings:
    """The small data set (about 200k rows, a few seconds), generated once for the scale tests."""
    return generate(tmp_path_factory.mktemp("small"), scale="small")
