"""``portalytics materialize`` ends its process without the interpreter's teardown (``exit_now``), yet as an
ordinary exit would leave things: its exit code, all it printed, the exit handlers run, the state store
closed (no SQLite -wal file left), and no exit while a thread of the program is still working."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

SCRIPT = """
import atexit, pathlib, sys, threading, time
from domain.settings import Settings
from reports.state.db import get_engine
from pipelines.materialize import exit_now

data = pathlib.Path(sys.argv[1])
engine = get_engine(Settings(data_dir=data))  # creates the state store's tables: its -wal file exists now
with engine.begin() as conn:
    conn.exec_driver_sql("CREATE TABLE note (text TEXT)")
    conn.exec_driver_sql("INSERT INTO note VALUES ('kept')")
atexit.register(lambda: (data / "handler-ran").write_text("yes"))
threading.Thread(target=time.sleep, args=(60,), daemon=True).start()  # a daemon never holds the exit
if sys.argv[2] == "busy":  # a thread of the program still working: the ordinary exit, after it
    threading.Thread(target=lambda: (time.sleep(1), print("worker done"))).start()
print("summary of the run", end="")  # a pipe: block-buffered, nothing written yet
exit_now(3)
print(" / exit_now returned")
"""


def _run(tmp_path, mode: str) -> subprocess.CompletedProcess:
    script = tmp_path / "end.py"
    script.write_text(textwrap.dedent(SCRIPT))
    return subprocess.run(
        [sys.executable, str(script), str(tmp_path / "data"), mode],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_process_ends_with_its_code_output_handlers_and_a_closed_state_store(tmp_path):
    done = _run(tmp_path, "idle")
    assert done.returncode == 3, done.stderr
    assert done.stdout == "summary of the run"
    assert (tmp_path / "data" / "handler-ran").read_text() == "yes"
    state = tmp_path / "data" / "state.sqlite"
    assert state.exists() and not state.with_name("state.sqlite-wal").exists()
    with sqlite3.connect(state) as conn:
        assert conn.execute("SELECT text FROM note").fetchall() == [("kept",)]


def test_a_thread_still_working_gets_the_ordinary_exit(tmp_path):
    done = _run(tmp_path, "busy")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "summary of the run / exit_now returned\nworker done\n"
    assert (tmp_path / "data" / "handler-ran").read_text() == "yes"
