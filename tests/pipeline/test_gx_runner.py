"""What ``checks.gx_runner`` reports: each expectation's verdict, and the unexpected count of a failed one."""

import sys
from pathlib import Path

import pandas as pd
import pytest

from checks.expectations import suite_for
from checks.gx_runner import start_worker, stop_worker, validate_frame
from domain.contracts import source


@pytest.fixture(params=["in this process", "in the suite worker"])
def where(request):
    """Suites validate in the calling process, or in the worker process ``portalytics materialize`` starts."""
    if request.param == "in the suite worker":
        start_worker()
        yield
        stop_worker()
    else:
        yield


def test_each_failed_expectation_has_its_count_and_the_others_pass_with_none(where):
    providers = pd.DataFrame(
        {
            "npi": ["1234567890", "1234567890", "12345", None, "2222222222"],
            "name": ["A", "B", "C", "D", None],
            "specialty": ["x", "x", "x", "x", "x"],
            "network_status": ["in", "out", "maybe", "in", None],
            "network_start": ["2026-01-01"] * 5,
        }
    )
    outcomes = validate_frame(providers, suite_for(source("hp_providers")), "hp_providers")
    found = {o.spec.label(): (o.success, o.unexpected_count) for o in outcomes}
    assert found == {
        "ExpectColumnValuesToBeUnique(npi)": (False, 2),  # both rows of the repeated NPI
        "ExpectColumnValuesToNotBeNull(npi)": (False, 1),
        "ExpectColumnValuesToMatchRegex(npi)": (False, 1),  # "12345"; the empty NPI is not matched
        "ExpectColumnValuesToNotBeNull(name)": (False, 1),
        "ExpectColumnValuesToNotBeNull(specialty)": (True, 0),
        "ExpectColumnValuesToNotBeNull(network_status)": (False, 1),
        "ExpectColumnValuesToBeInSet(network_status)": (False, 1),  # "maybe"
        "ExpectColumnValuesToNotBeNull(network_start)": (True, 0),
    }
    assert [o.spec for o in outcomes] == suite_for(source("hp_providers"))  # in the suite's order


def test_suites_in_a_row_are_each_validated_on_their_own_frame(where):
    """GX's context, data source and asset are made once per process and kept: each suite must still see
    its own frame, not the one before it."""
    employers = suite_for(source("hp_employers"))
    repeated = pd.DataFrame(
        {"employer_id": ["E1", "E1", "E1"], "name": ["A", "B", None], "group_number": "G"}
    )
    clean = pd.DataFrame({"employer_id": ["E1", "E2"], "name": ["A", "B"], "group_number": ["G", "G"]})
    nameless = pd.DataFrame({"employer_id": ["E3"], "name": [None], "group_number": ["G"]})

    def failed(frame):
        return {
            o.spec.label(): o.unexpected_count
            for o in validate_frame(frame, employers, "hp_employers")
            if not o.success
        }

    assert failed(repeated) == {
        "ExpectColumnValuesToBeUnique(employer_id)": 3,
        "ExpectColumnValuesToNotBeNull(name)": 1,
    }
    assert failed(clean) == {}
    assert failed(nameless) == {"ExpectColumnValuesToNotBeNull(name)": 1}
    assert failed(repeated.head(2)) == {"ExpectColumnValuesToBeUnique(employer_id)": 2}


def test_empty_typed_values_in_a_staging_table_are_counted_as_missing():
    import duckdb

    from checks.staging_suites import _frame
    from tests.support import create_staging_table

    courses = [
        {
            "course_id": "C1",
            "title": "Hand hygiene",
            "category": "safety",
            "contact_hours": 1.5,
            "active": True,
        },
        {"course_id": "C2", "title": "Fire safety", "category": "safety"},  # no hours, no active flag
        {
            "course_id": "C2",
            "title": "Fire safety",
            "category": "safety",
            "contact_hours": 2,
            "active": False,
        },
    ]
    specs = suite_for(source("lc_courses"))
    with duckdb.connect() as conn:
        create_staging_table(conn, "lc_courses", courses)
        frame = _frame(conn, source("lc_courses"), specs)
    failed = {
        o.spec.label(): o.unexpected_count
        for o in validate_frame(frame, specs, "lc_courses")
        if not o.success
    }
    assert failed == {
        "ExpectColumnValuesToBeUnique(course_id)": 2,
        "ExpectColumnValuesToNotBeNull(contact_hours)": 1,
        "ExpectColumnValuesToNotBeNull(active)": 1,
    }


@pytest.fixture
def unimportable_gx(tmp_path, monkeypatch):
    """In place of the real one: a ``great_expectations`` whose import fails after loading one of its
    modules."""
    package = tmp_path / "fake" / "great_expectations"
    package.mkdir(parents=True)
    (package / "loaded_first.py").write_text("")
    (package / "__init__.py").write_text(
        "import great_expectations.loaded_first\n"
        "raise ImportError('great_expectations needs numpy < 9 (stand-in)')\n"
    )
    real = {
        k: v
        for k, v in sys.modules.items()
        if k == "great_expectations" or k.startswith("great_expectations.")
    }
    for name in real:
        del sys.modules[name]
    monkeypatch.syspath_prepend(str(tmp_path / "fake"))
    yield
    for name in [k for k in sys.modules if k == "great_expectations" or k.startswith("great_expectations.")]:
        del sys.modules[name]
    sys.modules.update(real)


def test_materialize_fails_each_suite_step_with_the_import_error_and_exits_non_zero(
    settings, unimportable_gx
):
    from rich.console import Console

    from pipelines.materialize import run_materialize
    from tests.pipeline.harness import header, land

    land(settings, "hp_employers", "a.csv", f"{header('hp_employers')}\nE1,Acme,G-1\n")
    console = Console(record=True, width=300)
    code = run_materialize(settings, "2026-03-01", console=console)
    out = console.export_text()
    assert code == 1
    assert (
        "failed step: staging__hp_employers_expectations: ImportError: great_expectations needs numpy < 9 "
        "(stand-in)" in out
    )


def test_with_the_worker_started_the_calling_process_never_imports_great_expectations():
    """The point of the worker: GX's seconds of import happen in the child, beside the run's start-up. Run
    as ``python -c``: pyspark, which GX imports when it can, would exit such a process (and its spawned
    children) taking it for its own doctests; the worker keeps pyspark out."""
    import subprocess

    script = (
        "import sys\n"
        "import pandas as pd\n"
        "from checks.expectations import suite_for\n"
        "from checks.gx_runner import start_worker, stop_worker, validate_frame\n"
        "from domain.contracts import source\n"
        "start_worker()\n"
        "columns = {'employer_id': ['E1', 'E1'], 'name': ['A', None], 'group_number': ['G', 'G']}\n"
        "frame = pd.DataFrame(columns)\n"
        "found = validate_frame(frame, suite_for(source('hp_employers')), 'hp_employers')\n"
        "import checks.gx_runner as runner\n"
        "children = list(runner._worker._pool._processes.values())\n"
        "stop_worker()\n"
        "print(sorted((o.spec.label(), o.unexpected_count) for o in found if not o.success))\n"
        "print('great_expectations' in sys.modules)\n"
        "print([c.exitcode for c in children])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=Path.cwd()
    )
    assert done.stdout.splitlines() == [
        "[('ExpectColumnValuesToBeUnique(employer_id)', 2), ('ExpectColumnValuesToNotBeNull(name)', 1)]",
        "False",
        "[0]",  # the worker ends cleanly (it skips the interpreter's teardown, not its exit code)
    ]
