"""The course's kernel extension: a cell that uses a name an earlier cell defines says which cell to run.

After a kernel restart, running a later cell first gives a bare `NameError`. This IPython extension adds
what to do: the section of the notebook whose cell defines the name (when the kernel knows its notebook),
and how to run the cells above. `python -m ragft.course.kernel` (run by `make lab` and `python -m ragft lab`)
loads it in every IPython kernel of this environment, restarts included; `%load_ext ragft.course.kernel`
loads it in one kernel.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

NAME = "ragft.course.kernel"
RUN_ABOVE = "Run → Run All Above Selected Cell (or Run → Run All Cells)"


def defined_names(source: str) -> set[str]:
    """The names a cell's code binds: assignments, loop and with targets, imports, functions and classes."""
    try:
        tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def where_defined(name: str, notebook: Path) -> str | None:
    """The heading above the first code cell of `notebook` that defines `name` ('' when none is above it),
    or None when no cell defines it."""
    heading = ""
    for cell in json.loads(notebook.read_text(encoding="utf-8")).get("cells", []):
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown":
            titles = [line.lstrip("#").strip() for line in source.splitlines() if line.startswith("#")]
            heading = titles[-1] if titles else heading
        elif cell.get("cell_type") == "code" and name in defined_names(source):
            return heading
    return None


def notebook_path(namespace: dict) -> Path | None:
    """The notebook this kernel runs, where the front end says: Jupyter Server 2 (JPY_SESSION_NAME) or VS Code."""
    for candidate in (os.environ.get("JPY_SESSION_NAME"), namespace.get("__vsc_ipynb_file__")):
        if candidate and candidate.endswith(".ipynb") and Path(candidate).is_file():
            return Path(candidate)
    return None


def hint(name: str, notebook: Path | None) -> str:
    """What a learner can do about `name` not being defined, as one paragraph."""
    section = None
    if notebook is not None:
        try:
            section = where_defined(name, notebook)
        except (OSError, ValueError):
            notebook = None
    if notebook is not None and section is None:
        return (f"`{name}` is not defined anywhere in {notebook.name}: check its spelling, or define it in a cell "
                "of your own.")
    where = (f" It is defined in the section '{section}' of {notebook.name}." if section else
             f" It is defined near the top of {notebook.name}." if section == "" else "")
    return (f"`{name}` is not defined yet in this kernel: this cell needs an earlier one that defines it, and that "
            f"cell has not run since the kernel (re)started.{where} Run the cells above this one first: {RUN_ABOVE}. "
            "If no earlier cell defines it, check its spelling.")


def _explain(shell, etype, value, tb, tb_offset=None) -> None:
    """IPython's custom handler for NameError: the usual traceback, its message followed by the hint."""
    name = getattr(value, "name", None)
    if name and len(value.args) == 1 and isinstance(value.args[0], str):
        value.args = (f"{value.args[0]}\n\nWhat to do: {hint(name, notebook_path(shell.user_ns))}",)
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def load_ipython_extension(ipython) -> None:
    """Register the NameError hint in this IPython shell (`%load_ext ragft.course.kernel`)."""
    ipython.set_custom_exc((NameError,), _explain)


def unload_ipython_extension(ipython) -> None:
    """Back to IPython's own NameError traceback."""
    ipython.set_custom_exc((), None)


def install(prefix: str | Path = sys.prefix) -> Path:
    """Load the extension in every IPython kernel of the environment at `prefix`, restarts included: it is added
    to that environment's etc/ipython/ipython_kernel_config.json (other settings there are kept)."""
    path = Path(prefix) / "etc" / "ipython" / "ipython_kernel_config.json"
    config = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    extensions = config.setdefault("InteractiveShellApp", {}).setdefault("extensions", [])
    if NAME not in extensions:
        extensions.append(NAME)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    try:
        print(f"{NAME}: loaded by every IPython kernel of this environment ({install()})")
    except OSError as error:  # a read-only environment (a shared image): the course works, with bare NameErrors
        print(f"{NAME}: not installed ({error}); in a notebook, `%load_ext {NAME}` loads it in that kernel")
