"""A read remembered per snapshot connection is worked out once on that connection and anew on another."""

from __future__ import annotations

import duckdb

from reports.snapshot import remembered


def test_an_answer_is_read_once_per_connection_and_key():
    calls = []

    def read(value):
        def compute():
            calls.append(value)
            return value

        return compute

    first, second = duckdb.connect(), duckdb.connect()
    try:
        assert remembered(first, ("dates", "a"), read(1)) == 1
        assert remembered(first, ("dates", "a"), read(2)) == 1  # the first answer, not read again
        assert remembered(first, ("dates", "b"), read(3)) == 3  # another key is another read
        assert remembered(second, ("dates", "a"), read(4)) == 4  # another connection reads anew
    finally:
        first.close()
        second.close()
    assert calls == [1, 3, 4]
