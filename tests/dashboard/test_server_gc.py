"""The server freezes long-lived objects once per page (``dashboard.server_gc``), so full garbage collections
stop re-walking the libraries' objects on every later rerun."""

import gc

import pytest

from dashboard import server_gc


@pytest.fixture(autouse=True)
def fresh_process_state(monkeypatch):
    monkeypatch.setattr(server_gc, "_pages_run", set())
    yield
    gc.unfreeze()  # give the test process its collector back


def test_the_first_run_of_each_page_freezes_what_is_alive_and_later_runs_do_not():
    gc.unfreeze()
    long_lived = [[i] for i in range(10_000)]  # alive before the page's first run, as imported modules are
    assert server_gc.freeze_after_first_run("member_deductible") is True
    frozen = gc.get_freeze_count()
    assert frozen >= len(long_lived)
    assert server_gc.freeze_after_first_run("member_deductible") is False  # a rerun of the same page
    assert gc.get_freeze_count() == frozen
    assert server_gc.freeze_after_first_run("admin_security") is True  # a page not run before
