"""One random stream per source, so adding rows to one source never shifts another's data."""

from __future__ import annotations

import random
import zlib


def stable_hash(text: str) -> int:
    """A hash that is the same in every process (``hash()`` of a str is randomised per interpreter)."""
    return zlib.crc32(text.encode("utf-8"))


def source_rng(seed: int, name: str) -> random.Random:
    return random.Random(seed ^ stable_hash(name))
