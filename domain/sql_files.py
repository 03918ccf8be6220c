"""SQL statements kept as ``.sql`` files beside the module that runs them, loaded by name.

The project's SQL convention (docs/architecture.md, "SQL convention"): set-based rules are Ibis expressions;
a statement Ibis does not express well is a ``.sql`` file in the package of the module that runs it, e.g.
``assets/health_plan/employer_enrollment.sql``, read with ``load("assets.health_plan",
"employer_enrollment")``. Values are bound as parameters (``?`` or ``$name``); table names are written
unqualified and resolved through
:func:`search_path` when the schema varies. The text is used as it is: nothing edits SQL by string
replacement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources


class MissingSqlFile(LookupError):
    """No ``<name>.sql`` in the package asked for."""


@cache
def load(package: str, name: str) -> str:
    """The text of ``<package>/<name>.sql`` (cached: the files ship with the code and do not change)."""
    path = resources.files(package).joinpath(f"{name}.sql")
    if not path.is_file():
        raise MissingSqlFile(f"no SQL file {name}.sql in package {package}")
    return path.read_text(encoding="utf-8")


@contextmanager
def search_path(conn, schema: str) -> Iterator[None]:
    """Resolve unqualified table names in ``schema`` (``schema`` or ``catalog.schema``) inside the block, then
    put the connection's search path back. Temporary tables and registered frames are still found first."""
    ((before,),) = conn.execute("SELECT current_setting('search_path')").fetchall()
    conn.execute("SET search_path = ?", [schema])
    try:
        yield
    finally:
        conn.execute("SET search_path = ?", [before])
