"""The notebook runner (make course, make bench) reports the kernel's own peak memory, not its parent's."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from ragft.course.runner import execute


def test_execute_reports_seconds_and_the_kernels_peak_memory(tmp_path):
    allocate = "import numpy as np\nblock = np.ones(300_000_000 // 8)\nprint(block.sum())"
    path = tmp_path / "probe.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(allocate), new_code_cell("del block")]), path)
    run = execute(path, out_dir=tmp_path / "out")
    assert 0 < run.seconds < 120
    assert 300 < run.peak_mb < 300 + 400, run  # the 300 MB block, plus the kernel itself
    executed = nbformat.read(tmp_path / "out" / "probe.ipynb", as_version=4)
    assert len(executed.cells) == 2, "the memory probe must not be saved into the notebook"
