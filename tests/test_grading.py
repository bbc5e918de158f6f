"""Every notebook runs, offline, at its default settings, and is graded through nbgrader (ragft.course.grading)
as a class hands it in: the solved version (every exercise full marks) and the unsolved one (zero).

Those two executions are the suite's run of every notebook: from nbgrader's executed copies, each exercise cell
must print its check's helpful "Not yet: ..." unsolved and "Correct!" solved, no cell but a failed grade cell may
raise, and the results notebook 04 has just written (in the solved student's work folder) must meet issue 5's
expectations. The unsolved copy, grade cells taken out, lands in build/test-notebooks (widget state included) for
tests/test_site.py to publish. The two students are graded side by side, a core each: about 1.5 times `make course`
on two cores. RAGFT_GRADE_ONLY=00,02,05 (prefixes) grades only those, for a quicker local run.
"""

import ast
import os
import re

import nbformat
import pytest

from ragft import BUILD_DIR
from ragft.course import grading
from ragft.course.runner import BEGIN, SOLUTIONS_DIR, student_version
from ragft.results import FinetuneResults
from tests.finetune_expectations import CHECKS

SOLUTIONS = sorted(SOLUTIONS_DIR.glob("[0-9][0-9]_*.ipynb"))
_ONLY = os.environ.get("RAGFT_GRADE_ONLY", "all")
GRADED = None if _ONLY == "all" else [p for p in _ONLY.split(",") if p]
STUDENTS = ("solved", "unsolved")


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


def _graded(path) -> bool:
    return not GRADED or path.name.startswith(tuple(GRADED))


def _executed_copy(folder, student, stem):
    return nbformat.read(folder / "autograded" / student / stem / f"{stem}.ipynb", 4)


def _errors(cell) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error"]


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


@pytest.fixture(scope="module")
def graded(course):
    """The course after grading every selected notebook twice, solved and unsolved: (folder, scores)."""
    folder, released = course
    for path in filter(_graded, released):
        solved = _solved(path, folder / "source" / path.parent.name / path.name)
        for student, notebook in zip(STUDENTS, (solved, nbformat.read(path, 4))):
            (folder / "submitted" / student / path.parent.name).mkdir(parents=True)
            nbformat.write(notebook, folder / "submitted" / student / path.parent.name / path.name)
    scores = grading.grade(folder, GRADED, quiet=True, jobs=min(len(STUDENTS), os.cpu_count() or 1))
    out = BUILD_DIR / "test-notebooks"  # the unsolved run, as a learner opens it, for the site
    out.mkdir(parents=True, exist_ok=True)
    for path in filter(_graded, released):
        nb = _executed_copy(folder, "unsolved", path.stem)
        nb.cells = [c for c in nb.cells if not _meta(c).get("grade")]
        for cell in nb.cells:
            cell.metadata.pop("nbgrader", None)
        nbformat.write(nb, out / path.name)
    return folder, scores


@pytest.mark.slow  # executes notebooks through nbgrader
def test_solutions_get_full_marks_and_unsolved_notebooks_zero(course, graded):
    _, released = course
    folder, scores = graded
    graded_names = {s.notebook for s in scores}
    assert graded_names == {p.stem for p in released if _graded(p)}
    for notebook in graded_names:
        solved = [s for s in scores if s.student == "solved" and s.notebook == notebook]
        unsolved = [s for s in scores if s.student == "unsolved" and s.notebook == notebook]
        assert len(solved) == len(unsolved) >= 3, notebook
        assert all(s.score == s.max_score == grading.POINTS for s in solved), solved
        assert all(s.score == 0 for s in unsolved), unsolved
    assert (folder / "grades.csv").read_text().count("\n") == len(scores) + 1
    # each student's notebooks wrote into that student's own work folder (RAGFT_WORK), never into the kit's results/
    assert sorted(p.name for p in (folder / "work").iterdir()) == sorted(STUDENTS)


@pytest.mark.slow  # reads the executions of the test above
@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.name)
def test_notebook_runs_at_defaults_and_its_exercises_check_out(graded, solution):
    if GRADED and not _graded(solution):
        pytest.skip(f"RAGFT_GRADE_ONLY={_ONLY} leaves {solution.name} out")
    folder, _ = graded
    runs = {student: _executed_copy(folder, student, solution.stem) for student in STUDENTS}
    answers = [i for i, c in enumerate(runs["solved"].cells) if _meta(c).get("solution")]
    assert len(answers) >= 3, f"{solution.name} has {len(answers)} self-checked exercises; every notebook needs 3"
    for student, nb in runs.items():
        raised = {i: _errors(c) for i, c in enumerate(nb.cells) if _errors(c)}
        allowed = {i for i, c in enumerate(nb.cells) if _meta(c).get("grade")} if student == "unsolved" else set()
        assert set(raised) <= allowed, f"{solution.name} ({student}) raised outside a grade cell: " + str(
            {i: (raised[i], nb.cells[i].source[:200]) for i in set(raised) - allowed})
        assert [i for i, c in enumerate(nb.cells) if _meta(c).get("solution")] == answers
    for i in answers:
        student, solved = _stdout(runs["unsolved"].cells[i]), _stdout(runs["solved"].cells[i])
        assert "Not yet: " in student and "Correct!" not in student, (solution.name, i, student)
        assert "Correct!" in solved and "Not yet" not in solved, (solution.name, i, solved)


def fine_tuning_changes(text: str) -> list[str]:
    """Notebook 01's 1.5 lines: before -> after on today's questions and the old static facts, each with its 95%
    interval, then the paired change with its interval and whether it is within noise."""
    share = r"[\d.]+% \(95% interval [\d.]+-[\d.]+%, n=\d+\)"
    change = r"[+-][\d.]+ points \[[+-][\d.]+, [+-][\d.]+\]: (?:within|beyond) noise"
    return [name for name in ("today's questions", "old static facts")
            if re.search(rf"\n  {name} +{share} -> {share}\n +change {change}\n", text)]


@pytest.mark.slow  # reads the executions of the grading test
def test_notebook_01_prints_what_fine_tuning_changed_with_intervals(graded):
    if GRADED and "01" not in GRADED:
        pytest.skip(f"RAGFT_GRADE_ONLY={_ONLY} leaves notebook 01 out")
    folder, _ = graded
    text = "".join(_stdout(c) for c in _executed_copy(folder, "unsolved", "01_parametric_vs_nonparametric").cells)
    assert fine_tuning_changes(text) == ["today's questions", "old static facts"], text[-3000:]


@pytest.mark.slow  # reads what notebook 04 wrote while it was graded
@pytest.mark.parametrize("check", CHECKS)
def test_executed_notebook_04_results_meet_the_expectations(graded, check):
    if GRADED and "04" not in GRADED:
        pytest.skip(f"RAGFT_GRADE_ONLY={_ONLY} leaves notebook 04 out")
    folder, _ = graded
    check(FinetuneResults.read("yours", folder / "work" / "solved" / "results"))


def test_graded_kernels_talk_over_unix_sockets_where_there_are_any(tmp_path):
    from traitlets.config.loader import PyFileConfigLoader

    (tmp_path / "nbgrader_config.py").write_text(grading.NBGRADER_CONFIG)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert config.Execute.timeout == grading.CELL_TIMEOUT_S
    if os.name == "posix":
        assert config.KernelManager.transport == "ipc"
        assert os.path.isdir(os.path.dirname(config.KernelManager.ip)), "the sockets' folder must exist"
        assert len(config.KernelManager.ip) < 90, "a Unix socket's path must stay under ~100 bytes"
