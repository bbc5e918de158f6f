"""Autograding (ragft.course.grading): nbgrader assignments made from solutions/, graded by executing submissions.

The slow test grades, through nbgrader, the solved and the unsolved version of notebooks 00, 02 and 05 by default:
every exercise full marks, and zero. RAGFT_GRADE_ONLY=all grades all seven the same way; it executes each notebook
twice more, about twice `make course` (53 min in a clean clone on 2026-12-02, on 2 cores shared with other jobs: all
seven got full marks solved and zero unsolved), which would take CI past its hour beside tests/test_notebooks.py's
own run, so the default keeps the three quickest (about 5 min). tests/test_notebooks.py also sees every exercise's
check fail unsolved and pass solved, and the first test here holds each grade cell to that very check call.
"""

import ast
import os

import nbformat
import pytest

from ragft.course import grading
from ragft.course.runner import BEGIN, SOLUTIONS_DIR, student_version

SOLUTIONS = sorted(SOLUTIONS_DIR.glob("[0-9][0-9]_*.ipynb"))
_ONLY = os.environ.get("RAGFT_GRADE_ONLY", "00,02,05")
GRADED = None if _ONLY == "all" else [p for p in _ONLY.split(",") if p]


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _call(source: str) -> str:
    return ast.dump(ast.parse(source).body[0].value)


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_every_exercise_is_followed_by_a_locked_grade_cell_that_reruns_its_check(solution):
    from nbgrader.nbgraderformat import MetadataValidator

    nb = grading.source_notebook(solution)
    MetadataValidator().validate_nb(nb)
    answers = [i for i, c in enumerate(nb.cells) if _meta(c).get("solution")]
    assert len(answers) == sum(BEGIN in c.source for c in nbformat.read(solution, 4).cells) >= 3
    for i in answers:
        test = nb.cells[i + 1]
        assert _meta(test)["grade"] and _meta(test)["locked"] and _meta(test)["points"] == grading.POINTS
        assert _meta(test)["grade_id"] + "_answer" == _meta(nb.cells[i])["grade_id"]
        verdict, assertion = ast.parse(test.source).body
        assert ast.dump(verdict.value) == _call(grading.check_call(nb.cells[i].source))
        assert [t.id for t in verdict.targets] == ["_verdict"]
        assert ast.unparse(assertion) == "assert _verdict.ok, str(_verdict)"
    ids = [_meta(c)["grade_id"] for c in nb.cells if _meta(c)]
    assert len(ids) == len(set(ids)) == 2 * len(answers)


def test_an_exercise_without_a_printed_check_cannot_be_graded():
    with pytest.raises(ValueError, match=r"print\(checks.NAME"):
        grading.check_call("my_answer = None  # YOUR ANSWER\n### BEGIN SOLUTION\nmy_answer = 1\n### END SOLUTION\n")
    assert grading.check_call("x = 1\nprint(checks.seeds(x))\n") == "checks.seeds(x)"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course with every notebook released, in a fresh folder."""
    folder = tmp_path_factory.mktemp("course")
    return folder, grading.assign(folder, quiet=True)


@pytest.mark.slow  # starts nbgrader
def test_the_release_is_the_student_notebook_plus_the_grade_cells(course):
    _, released = course
    assert [p.name for p in released] == [p.name for p in SOLUTIONS]
    for solution, path in zip(SOLUTIONS, released):
        cells = [c for c in nbformat.read(path, 4).cells if not _meta(c).get("grade")]
        assert [c.source for c in cells] == [c.source for c in student_version(solution).cells], path.name
        assert not any("BEGIN SOLUTION" in c.source for c in cells)


def _solved(released, source):
    """The released notebook with every answer cell filled in as the solution notebook has it."""
    nb, answers = nbformat.read(released, 4), {_meta(c).get("grade_id"): c.source for c in nbformat.read(source, 4).cells}
    for cell in nb.cells:
        if _meta(cell).get("solution"):
            cell.source = answers[_meta(cell)["grade_id"]]
    return nb


@pytest.mark.slow  # executes notebooks through nbgrader
def test_solutions_get_full_marks_and_unsolved_notebooks_zero(course):
    folder, released = course
    for path in released:
        if GRADED and not path.name.startswith(tuple(GRADED)):
            continue
        solved = _solved(path, folder / "source" / path.parent.name / path.name)
        for student, notebook in (("solved", solved), ("unsolved", nbformat.read(path, 4))):
            (folder / "submitted" / student / path.parent.name).mkdir(parents=True)
            nbformat.write(notebook, folder / "submitted" / student / path.parent.name / path.name)
    scores = grading.grade(folder, GRADED, quiet=True)
    graded = {s.notebook for s in scores}
    assert graded == {p.stem for p in released if not GRADED or p.name.startswith(tuple(GRADED))}
    for notebook in graded:
        solved = [s for s in scores if s.student == "solved" and s.notebook == notebook]
        unsolved = [s for s in scores if s.student == "unsolved" and s.notebook == notebook]
        assert len(solved) == len(unsolved) >= 3, notebook
        assert all(s.score == s.max_score == grading.POINTS for s in solved), solved
        assert all(s.score == 0 for s in unsolved), unsolved
    assert (folder / "grades.csv").read_text().count("\n") == len(scores) + 1
