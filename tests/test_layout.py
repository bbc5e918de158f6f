"""The tree shows the architecture: small modules, the science apart from the tooling, one way in for models
and stores, and a README whose map matches the files."""

import ast
import re
from pathlib import Path

from ragft import ROOT

PACKAGE = ROOT / "ragft"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
TOOLING = PACKAGE / "course"
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "notebooks").glob("*.ipynb"))
MAX_LINES = 400


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    """The ragft modules a file imports (`from ragft import lm` counts as ragft.lm)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    here = _name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    out = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("ragft")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            if base.startswith("ragft"):
                out.add(base)
                out |= {f"{base}.{a.name}" for a in node.names}
    known = {_name(p) for p in MODULES}
    return {m for m in out if m in known}


def test_every_module_fits_on_a_few_screens():
    long = {str(p.relative_to(ROOT)): n for p in MODULES if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by idea): {long}"


def test_no_science_module_imports_the_tooling():
    science = [p for p in MODULES if TOOLING not in p.parents and p.name != "__main__.py"]
    offenders = {_name(p): sorted(m for m in _imports(p) if m.startswith("ragft.course")) for p in science}
    assert not {k: v for k, v in offenders.items() if v}


def test_no_import_cycles_between_modules():
    graph = {_name(p): _imports(p, top_level_only=True) - {_name(p)} for p in MODULES}

    def visit(node, path):
        if node in path:
            raise AssertionError("import cycle: " + " -> ".join(path[path.index(node):] + [node]))
        for nxt in graph.get(node, ()):
            if not nxt.startswith(node + "."):  # a package importing its own modules is not a cycle
                visit(nxt, path + [node])

    for node in graph:
        visit(node, [])


def test_only_the_reader_seam_loads_a_model():
    pattern = re.compile(r"\blm\.load\(|from ragft\.lm(?:\.checkpoint)? import [^\n]*\bload\b|checkpoint\.load\(")
    allowed = {PACKAGE / "readers.py"} | set((PACKAGE / "lm").glob("*.py"))
    offenders = [str(p.relative_to(ROOT)) for p in MODULES + NOTEBOOKS
                 if p not in allowed and pattern.search(p.read_text())]
    assert not offenders, f"load models through ragft.readers, not lm.load: {offenders}"


def test_no_notebook_reaches_into_the_vector_store():
    offenders = [p.name for p in NOTEBOOKS if re.search(r"\.index\.(ntotal|d\b|search|add)|\bstore\.index\b", p.read_text())]
    assert not offenders, f"use the store seam (ragft.rag.store) instead of store.index: {offenders}"


def test_the_readme_map_matches_the_package_file_by_file():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## What is inside", 1)[1].split("```", 2)[1]
    listed, stack = set(), []  # stack: (indent, folder) of the folders the current line is inside
    for line in block.splitlines():
        m = re.match(r"^( *)(\S+)", line)
        if not m or not m.group(2).endswith((".py", "/")):
            continue
        indent, name = len(m.group(1)), m.group(2)
        stack = [(i, f) for i, f in stack if i < indent]
        path = "/".join([f for _, f in stack] + [name.rstrip("/")])
        if path.startswith("ragft/"):
            listed.add(path)
        if name.endswith("/"):
            stack.append((indent, name.rstrip("/")))
    actual = {str(p.relative_to(ROOT)) for p in MODULES if p.name != "__init__.py"}
    actual |= {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*") if p.is_dir() and p.name != "__pycache__"}
    assert listed == actual, (f"README 'What is inside' lists files that do not exist: {sorted(listed - actual)}; "
                              f"and misses: {sorted(actual - listed)}")
