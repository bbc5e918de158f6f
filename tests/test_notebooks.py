"""Every notebook runs, offline, at its default settings; executed copies land in build/test-notebooks."""

import pytest

from ragft import BUILD_DIR
from ragft.course import execute, notebooks


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.name)
def test_notebook_runs_at_defaults(notebook):
    seconds = execute(notebook, out_dir=BUILD_DIR / "test-notebooks")
    print(f"{notebook.name}: {seconds:.1f} s")
