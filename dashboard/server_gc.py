"""Keep Python's cyclic garbage collector off the long-lived objects of the libraries the pages import.

A full (oldest-generation) collection walks every tracked object in the server process: the modules and caches
of Streamlit, pandas, Arrow, Ibis and SQLAlchemy, hundreds of thousands of them, which never become garbage.
On the medium snapshot such a collection added about 120 ms to one rerun in ten of a heavy page. So the first
time each page has run in this process (its libraries are imported by then), what is alive is moved to the
permanent generation (``gc.freeze``), and later collections walk only what the pages allocate since. That is
at most one collection per page per server process; objects created afterwards are collected as usual.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_pages_run: set[str] = set()


def freeze_after_first_run(page: str) -> bool:
    """Freeze what is alive now if ``page`` has not run before in this process; True if this call froze."""
    with _lock:
        if page in _pages_run:
            return False
        _pages_run.add(page)
        gc.collect()  # what is garbage already should not be frozen with the rest
        gc.freeze()
        return True
