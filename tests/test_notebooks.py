"""Every notebook runs, offline, at its default settings; executed copies land in build/test-notebooks.

In the same run, each exercise is checked twice: the student's unsolved cell must print the check's
helpful "Not yet: ..." message, and the solution (run right after it, in the same kernel) "Correct!".

After them, the results notebook 04 has just written are checked against issue 5's expectations.
"""

import pytest

from ragft import BUILD_DIR
from ragft.course.runner import execute, notebooks
from ragft.results import FinetuneResults
from tests.finetune_expectations import CHECKS

pytestmark = pytest.mark.slow  # executes every notebook

EXECUTED = set()  # prefixes of the notebooks executed in this session


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.name)
def test_notebook_runs_at_defaults_and_its_exercises_check_out(notebook):
    exercises = {}
    run = execute(notebook, out_dir=BUILD_DIR / "test-notebooks", exercises=exercises)
    EXECUTED.add(notebook.name[:2])
    print(f"{notebook.name}: {run.seconds:.1f} s, peak {run.peak_mb:.0f} MB, {len(exercises)} self-checked exercises")
    assert len(exercises) >= 3, f"{notebook.name} has {len(exercises)} self-checked exercises; every notebook needs 3"
    for cell, out in exercises.items():
        assert "Not yet: " in out["student"] and "Correct!" not in out["student"], (cell, out["student"])
        assert "Correct!" in out["solution"] and "Not yet" not in out["solution"], (cell, out["solution"])


@pytest.mark.parametrize("check", CHECKS)
def test_executed_notebook_04_results_meet_the_expectations(check):
    if "04" not in EXECUTED:
        pytest.skip("notebook 04 was not executed in this session (its test comes first in this file)")
    check(FinetuneResults.read("yours"))
