"""Run the course headless, and keep the student notebooks in step with their solutions.

    python -m ragft.course.runner              # run every notebook in order; executed copies under build/
    python -m ragft.course.runner 00 01        # only those whose name starts with 00 or 01
    python -m ragft.course.runner 05 --out DIR # executed copies in DIR instead of build/notebooks
    python -m ragft.course.runner --students   # regenerate notebooks/ from solutions/ (the one source)

The solution notebooks in solutions/ are the source. In an exercise cell, the placeholder line
(`my_answer = None  # YOUR ANSWER`) is followed by the solution between `### BEGIN SOLUTION` and
`### END SOLUTION`; the student notebook is the same notebook with those blocks removed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ragft import BUILD_DIR, NOTEBOOKS_DIR, ROOT

SOLUTIONS_DIR = ROOT / "solutions"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def notebooks(prefixes: list[str] | None = None) -> list[Path]:
    """The course notebooks in order (names start with a two-digit number)."""
    found = sorted(p for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if prefixes:
        found = [p for p in found if p.name.startswith(tuple(prefixes))]
        if not found:
            raise SystemExit(f"no notebook starts with {' or '.join(prefixes)} in {NOTEBOOKS_DIR}")
    return found


def strip_solutions(source: str) -> str:
    """A cell's source without its solution blocks (markers included)."""
    out, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            if not inside:
                raise ValueError(f"{END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} without {END}")
    return "\n".join(out)


def student_version(solution_path: Path):
    """The student notebook made from a solution notebook."""
    import nbformat

    nb = nbformat.read(solution_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
    return nb


def write_students() -> list[Path]:
    """Regenerate every student notebook in notebooks/ from solutions/."""
    import nbformat

    written = []
    for path in sorted(SOLUTIONS_DIR.glob("[0-9][0-9]_*.ipynb")):
        nbformat.write(student_version(path), NOTEBOOKS_DIR / path.name)
        written.append(NOTEBOOKS_DIR / path.name)
    return written


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


# Run in the kernel after the last cell: its peak memory. VmHWM belongs to the kernel's own address space,
# so unlike ru_maxrss it does not inherit the peak of the process that started it.
PEAK_PROBE = """\
try:
    _peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError):  # no /proc (macOS): ru_maxrss, in bytes there
    import resource as _resource
    _peak = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss / 2**20
print(round(_peak, 1))"""


@dataclass
class Run:
    """How an executed notebook went: wall seconds, and the kernel's peak memory in MB."""

    seconds: float
    peak_mb: float


def _steady_kernel(client, folder: str) -> None:
    """Let the client talk to its kernel with steady_client's channels (a missed wake-up costs a second, not the cell
    limit), over Unix sockets in `folder` (a fresh temporary one) where there are any: with TCP, a port freed by one
    kernel and taken by the next can strand a cell's request (seen once in CI: a kernel idle for minutes, its cell
    never received). The path is absolute, since the kernel runs in the notebook's folder."""
    from ragft.course import steady_client

    km = client.create_kernel_manager()
    km.client_class = steady_client.NAME
    if os.name == "posix":
        km.transport, km.ip = "ipc", os.path.join(folder, "kernel")


def execute(path: Path, out_dir: Path = BUILD_DIR / "notebooks", timeout: int = 900,
            exercises: dict | None = None) -> Run:
    """Execute one notebook in its own folder; write the executed copy to out_dir; return a Run.

    The copy keeps its widgets' state (as `jupyter nbconvert --execute` does), so the site renders them.

    With `exercises` (a dict), each exercise cell (one with a solution block in solutions/) is followed,
    in the same kernel, by its solution; the dict receives {cell index: {"student": what the unsolved
    cell printed, "solution": what the solved one printed}}, so tests can see both verdicts.
    """
    import copy

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    solved = nbformat.read(SOLUTIONS_DIR / path.name, as_version=4).cells if exercises is not None else []
    start = time.perf_counter()
    sockets = tempfile.mkdtemp(prefix="ragft-kernel-")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    _steady_kernel(client, sockets)
    try:
        client.reset_execution_trackers()
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
                if index < len(solved) and BEGIN in solved[index].source:
                    solution = copy.deepcopy(solved[index])
                    client.execute_cell(solution, index, store_history=False)
                    exercises[index] = {"student": _stdout(cell), "solution": _stdout(solution)}
            seconds = time.perf_counter() - start
            nb.cells.append(nbformat.v4.new_code_cell(PEAK_PROBE))  # run last, then taken out again
            client.execute_cell(nb.cells[-1], len(nb.cells) - 1, store_history=False)
            probe = nb.cells.pop()
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
        client.set_widgets_metadata()  # the widgets' state, so that the site can render them without a kernel
        out_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out_dir / path.name)
    return Run(round(seconds, 1), float(_stdout(probe)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="*", help="run only notebooks whose name starts with these")
    parser.add_argument("--students", action="store_true", help="regenerate notebooks/ from solutions/ and stop")
    parser.add_argument("--out", type=Path, default=BUILD_DIR / "notebooks",
                        help="folder for the executed copies (default: build/notebooks)")
    args = parser.parse_args(argv)
    if args.students:
        for path in write_students():
            print("wrote", path.relative_to(ROOT))
        return 0
    rows, failed = [], False
    total = time.perf_counter()
    for path in notebooks(args.prefixes):
        print(f"running {path.name} ...", flush=True)
        try:
            run = execute(path, args.out)
            rows.append((path.name, run.seconds, run.peak_mb, "ok"))
        except Exception as error:  # report every notebook, then fail
            failed = True
            reason = str(error).splitlines()[0][:80] if str(error) else type(error).__name__
            rows.append((path.name, float("nan"), float("nan"), f"FAILED: {reason}"))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'notebook':<{width}}  seconds  peak MB  status")
    for name, seconds, peak, status in rows:
        print(f"{name:<{width}}  {seconds:7.1f}  {peak:7.0f}  {status}")
    print(f"{'total':<{width}}  {time.perf_counter() - total:7.1f}           executed copies in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
