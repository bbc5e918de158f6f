"""Student notebooks are generated from the solution notebooks (one source), and differ only in exercises."""

import nbformat
import pytest

from ragft import NOTEBOOKS_DIR
from ragft.course.runner import BEGIN, END, SOLUTIONS_DIR, strip_solutions, student_version

SOLUTIONS = sorted(SOLUTIONS_DIR.glob("[0-9][0-9]_*.ipynb"))


def test_every_notebook_has_a_solution_notebook():
    assert [p.name for p in SOLUTIONS] == [p.name for p in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_the_student_notebook_is_the_solution_without_its_solutions(solution):
    student = nbformat.read(NOTEBOOKS_DIR / solution.name, as_version=4)
    expected = student_version(solution)
    assert [c.source for c in student.cells] == [c.source for c in expected.cells], \
        "notebooks/ is out of date: run `python -m ragft.course.runner --students`"
    assert not any(BEGIN in c.source for c in student.cells)


@pytest.mark.parametrize("solution", [p for p in SOLUTIONS if not p.name.startswith("00")], ids=lambda p: p.name)
def test_every_exercise_cell_has_a_solution(solution):
    cells = nbformat.read(solution, as_version=4).cells
    exercises = [c for c in cells if c.cell_type == "code" and ("YOUR ANSWER" in c.source or "YOUR CODE HERE" in c.source)]
    assert len(exercises) >= 2 and all(BEGIN in c.source for c in exercises)


def test_strip_solutions_refuses_unbalanced_markers():
    assert strip_solutions(f"a = None\n{BEGIN}\na = 1\n{END}\nprint(a)") == "a = None\nprint(a)"
    with pytest.raises(ValueError, match="without"):
        strip_solutions(f"{BEGIN}\na = 1")
    with pytest.raises(ValueError, match="without"):
        strip_solutions(f"a = 1\n{END}")
