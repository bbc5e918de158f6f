"""Autograding with nbgrader, generated from the one source: solutions/ and ragft.course.checks.

    python -m ragft grade assign              write the nbgrader course (build/grading) and release every notebook
    python -m ragft grade run [NN ...]        autograde every submission; one row per exercise in grades.csv
    python -m ragft grade ... --course DIR    use another course folder (keep real classes out of build/)
    python -m ragft grade run --jobs 2        grade two students at once (each in its own work folder)

Each notebook is one nbgrader assignment. Its source is the solution notebook, with every exercise cell
marked as an answer cell and followed by a locked grade cell that calls the exercise's check again and
asserts `verdict.ok`: nbgrader gives the points when that cell runs without error. The release is the
student notebook (solutions cleared) plus those grade cells. A grade always comes from executing the
submission: nbgrader restores the grade cells, runs the whole notebook in a fresh kernel, then scores.
"""

from __future__ import annotations

import argparse
import ast
import csv
import fnmatch
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ragft import BUILD_DIR
from ragft.course import steady_client
from ragft.course.runner import BEGIN, END, SOLUTIONS_DIR

COURSE_DIR = BUILD_DIR / "grading"
COURSE_ID = "ragft"
POINTS = 1.0  # per exercise
# A cell's limit: the longest graded cell, notebook 04's fine-tuning, took 240-274 s with two students graded side by
# side (clean-clone CI runs, 2026-12-03)
CELL_TIMEOUT_S = 600
EXERCISE = re.compile(r"^### Exercise (\d+)", re.MULTILINE)
NBGRADER_CONFIG = f"""\
# Written by `python -m ragft grade assign`: the course's nbgrader settings.
c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = {COURSE_ID!r}
c.ClearSolutions.code_stub = {{"python": ""}}  # a cleared solution leaves the placeholder line, as in notebooks/
c.Execute.timeout = {CELL_TIMEOUT_S}
# Each wait for a kernel's message polls a second at a time: one long poll can miss its wake-up and read a reply only
# when the cell limit runs out (seen in CI: notebook 05 idle for 600 s after its widget cell). nbgrader run from an
# environment without the kit (a hub's formgrader) keeps jupyter's own client
try:
    import ragft.course.steady_client  # noqa: F401,E402
    c.KernelManager.client_class = {steady_client.NAME!r}
except ImportError:
    pass
# Kernels talk over Unix sockets in a fresh temporary folder where there are any, as ragft.course.runner's do: over
# TCP, a port freed by one kernel and taken by the next can strand a cell's request (seen once in CI)
import atexit, os, shutil, tempfile  # noqa: E401,E402
if os.name == "posix":
    _sockets = tempfile.mkdtemp(prefix="ragft-kernel-")
    atexit.register(shutil.rmtree, _sockets, True)
    c.KernelManager.transport, c.KernelManager.ip = "ipc", os.path.join(_sockets, "kernel")
"""


@dataclass
class Score:
    """One exercise of one student's notebook, as nbgrader scored it."""

    student: str
    notebook: str
    exercise: str
    score: float
    max_score: float


def check_call(source: str) -> str:
    """The check an exercise cell prints, e.g. `checks.seeds(my_answer)` out of `print(checks.seeds(my_answer))`."""
    for node in ast.parse(source).body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "print" and len(call.args) == 1
                and isinstance(inner := call.args[0], ast.Call) and isinstance(inner.func, ast.Attribute)
                and getattr(inner.func.value, "id", None) == "checks"):
            lines = ast.get_source_segment(source, inner).splitlines()  # continuation lines keep their column
            return "\n".join(lines[:1] + [line[inner.col_offset:] for line in lines[1:]])
    raise ValueError(f"this exercise cell prints no `checks.NAME(...)` verdict, so nothing can grade it; end it with "
                     f"print(checks.NAME(...)) from ragft.course.checks:\n{source}")


def _nbgrader(grade_id: str, *, solution: bool, grade: bool) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": grade, "schema_version": 3, "solution": solution,
            "task": False}
    return meta | ({"points": POINTS} if grade else {})


def source_notebook(solution_path: Path):
    """The nbgrader source of one solution notebook: exercise cells marked, each followed by its grade cell."""
    import nbformat

    nb = nbformat.read(solution_path, as_version=4)
    cells, exercise = [], None
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "markdown" and (found := EXERCISE.findall(cell.source)):
            exercise = found[-1]
        if cell.cell_type != "code" or BEGIN not in cell.source:
            continue
        if exercise is None:
            raise ValueError(f"{solution_path.name}: a solution block comes before any '### Exercise N' heading")
        grade_id = f"exercise_{exercise}"
        # nbgrader clears a solution to one blank line (the stub): drop the blank line after it, as notebooks/ has it
        cell.source = re.sub(rf"^([ \t]*{END}[ \t]*)\n[ \t]*\n", r"\1\n", cell.source, flags=re.MULTILINE)
        cell.metadata["nbgrader"] = _nbgrader(f"{grade_id}_answer", solution=True, grade=False)
        test = nbformat.v4.new_code_cell(
            f"# Graded: exercise {exercise} ({POINTS:g} point). The grader runs this cell as it is written here.\n"
            "_verdict = " + check_call(cell.source).replace("\n", "\n" + " " * len("_verdict = ")) + "\n"
            "assert _verdict.ok, str(_verdict)")
        test.id, test.metadata["nbgrader"] = grade_id, _nbgrader(grade_id, solution=False, grade=True)
        cells.append(test)
    nb.cells = cells
    return nb


def _nbgrader_cli(course: Path, *args: str, quiet: bool = False, env: dict[str, str] | None = None) -> None:
    # nbgrader runs the `alembic` script when it creates a gradebook: find it beside this Python, venv active or not
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, text=True,
                          capture_output=quiet, env=os.environ | {"PATH": path} | (env or {}))
    if done.returncode:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed in {course} (exit {done.returncode})"
                           + (f":\n{done.stdout[-3000:]}{done.stderr[-3000:]}" if quiet else "; its log is above"))


def solution_paths(prefixes: list[str] | None = None) -> list[Path]:
    """The solution notebooks, all or those whose name starts with one of `prefixes`."""
    found = sorted(SOLUTIONS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        found = [p for p in found if p.name.startswith(tuple(prefixes))]
        if not found:
            raise SystemExit(f"no notebook starts with {' or '.join(prefixes)} in {SOLUTIONS_DIR}")
    return found


def _patterns(prefixes: list[str] | None) -> list[str]:
    """nbgrader assignment globs: every notebook, or those whose name starts with each prefix."""
    return [f"{prefix}*" for prefix in prefixes] if prefixes else ["[0-9][0-9]_*"]


def assign(course: Path = COURSE_DIR, prefixes: list[str] | None = None, quiet: bool = False) -> list[Path]:
    """Write the nbgrader course (config, source/ from solutions/) and its release/; return the released notebooks."""
    import nbformat

    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG)
    paths = solution_paths(prefixes)
    for path in paths:
        (course / "source" / path.stem).mkdir(parents=True, exist_ok=True)
        nbformat.write(source_notebook(path), course / "source" / path.stem / path.name)
    for pattern in _patterns(prefixes):  # one nbgrader start for many notebooks: it takes seconds
        _nbgrader_cli(course, "generate_assignment", pattern, "--force", quiet=quiet)
    return [course / "release" / path.stem / path.name for path in paths]


def gradebook(course: Path = COURSE_DIR) -> list[Score]:
    """Every autograded exercise in the course's gradebook, by student, notebook and exercise."""
    from nbgrader.api import Gradebook

    scores = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        for assignment in gb.assignments:
            for submission in gb.assignment_submissions(assignment.name):
                for notebook in submission.notebooks:
                    scores += [Score(submission.student.id, notebook.name, g.name, g.score, g.max_score)
                               for g in notebook.grades]
    return sorted(scores, key=lambda s: (s.student, s.notebook, s.exercise))


def grade(course: Path = COURSE_DIR, prefixes: list[str] | None = None, quiet: bool = False,
          jobs: int = 1) -> list[Score]:
    """Autograde (execute, then score) every submission in course/submitted/; write course/grades.csv.

    Each student's notebooks run in order in the student's own work folder, course/work/STUDENT (RAGFT_WORK: the
    results/ and build/ their notebooks write), so that one student's notebook 05 reads that student's notebook 04,
    and grading leaves the kit's own results/ alone. `jobs` students are graded at once, each kernel given its
    share of the CPU cores (two at once on two cores grade about 1.5 times as fast as one after the other)."""
    by_student: dict[str, set[str]] = {}  # student -> the notebooks handed in
    for path in solution_paths(prefixes):
        for p in (course / "submitted").glob(f"*/{path.stem}/{path.name}"):
            by_student.setdefault(p.parent.parent.name, set()).add(path.stem)
    submitted = set().union(*by_student.values())
    if not submitted:
        raise SystemExit(f"no submissions to grade: put each one in {course}/submitted/STUDENT/NOTEBOOK/NOTEBOOK.ipynb "
                         "(NOTEBOOK as in solutions/, e.g. 00_start_here)")
    if missing := sorted(name for name in submitted if not (course / "source" / name).is_dir()):
        raise SystemExit(f"{course} has no assignment {', '.join(missing)}: run `python -m ragft grade assign` first")
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    threads = str(max(1, (os.cpu_count() or 1) // jobs))

    def autograde(student: str) -> None:
        work = course / "work" / student
        work.mkdir(parents=True, exist_ok=True)
        env = {"RAGFT_WORK": str(work)}
        if jobs > 1:  # torch and FAISS take every core by default: kernels side by side would fight over them
            env |= {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
        for pattern in _patterns(prefixes):
            if fnmatch.filter(by_student[student], pattern):
                _nbgrader_cli(course, "autograde", pattern, "--student", student, "--create", "--force",
                              quiet=quiet, env=env)

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(autograde, sorted(by_student)))
    scores = gradebook(course)
    with open(course / "grades.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "notebook", "exercise", "score", "max_score"])
        writer.writerows([s.student, s.notebook, s.exercise, s.score, s.max_score] for s in scores)
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ragft grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["assign", "run"], help="assign: write and release; run: autograde")
    parser.add_argument("prefixes", nargs="*", help="only the notebooks whose name starts with these")
    parser.add_argument("--course", type=Path, default=COURSE_DIR, help=f"the nbgrader course folder ({COURSE_DIR})")
    parser.add_argument("--jobs", type=int, default=1, help="students graded at once (default 1; at most the cores)")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if args.step == "assign":
        for path in assign(course, args.prefixes):
            print("released", path)
        print(f"hand out {course / 'release'}; put submissions in {course}/submitted/STUDENT/NOTEBOOK/NOTEBOOK.ipynb")
        return 0
    scores = grade(course, args.prefixes, jobs=args.jobs)
    totals: dict[tuple[str, str], list[float]] = {}
    for s in scores:
        total = totals.setdefault((s.student, s.notebook), [0.0, 0.0])
        total[0], total[1] = total[0] + s.score, total[1] + s.max_score
    for (student, notebook), (score, most) in totals.items():
        print(f"{student:<20} {notebook:<40} {score:g}/{most:g}")
    print(f"one row per exercise in {course / 'grades.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
