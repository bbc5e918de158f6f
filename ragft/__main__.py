"""The course's commands without `make` (Windows, or any shell): `python -m ragft COMMAND [ARGS...]`.

    python -m ragft setup        install the pinned environment into the Python running this
    python -m ragft lab          open the course in JupyterLab at the start notebook
    python -m ragft test         run the whole test suite (notebooks included)
    python -m ragft course       run every notebook headless (ragft.course.runner)
    python -m ragft site         build the course site (ragft.course.site)
    python -m ragft bench [PART] print the benchmark figures (ragft.course.bench)
    python -m ragft model        re-train the course model from its seed (ragft.lm)
    python -m ragft envcheck     the environment self-check (ragft.course.envcheck)
    python -m ragft students     rewrite notebooks/ from solutions/ (ragft.course.runner --students)
"""

from __future__ import annotations

import subprocess
import sys

from ragft import ROOT

COMMANDS = {
    "setup": [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r",
              str(ROOT / "requirements.txt")],
    "lab": [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT}",
            "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb"],
    "test": [sys.executable, "-m", "pytest"],
    "course": [sys.executable, "-m", "ragft.course.runner"],
    "site": [sys.executable, "-m", "ragft.course.site"],
    "bench": [sys.executable, "-m", "ragft.course.bench"],
    "model": [sys.executable, "-m", "ragft.lm", "pretrain"],
    "envcheck": [sys.executable, "-m", "ragft.course.envcheck"],
    "students": [sys.executable, "-m", "ragft.course.runner", "--students"],
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip())
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    command, rest = argv[0], argv[1:]
    if command == "setup":
        code = subprocess.call(COMMANDS["setup"])
        return code or subprocess.call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
                                        "-q", "--no-deps", "-e", str(ROOT)])
    return subprocess.call(COMMANDS[command] + rest, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
