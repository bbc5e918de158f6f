"""Build the course site (HTML): the syllabus, each lesson followed by its executed notebook, the guide.

    python -m ragft.course.site                        # executed notebooks from build/notebooks (make course)
    python -m ragft.course.site --notebooks DIR        # or from another folder, e.g. notebooks/ (no outputs)

Sphinx with MyST-NB renders the notebooks as they are (never executes them) into build/site/, with
warnings as errors, so a broken link between lessons and notebooks fails the build. Widgets render from the
state the runner saved in each notebook, by a renderer the site serves itself (lessons/_static/): no CDN.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ragft import BUILD_DIR, ROOT
from ragft.course.runner import notebooks

LESSONS_DIR = ROOT / "lessons"
STATIC_DIR = LESSONS_DIR / "_static"  # files the site serves itself: the widget renderer (README there)
SOURCES = [BUILD_DIR / "notebooks", BUILD_DIR / "test-notebooks"]  # make course's copies, then the tests'
LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)")
CONF = '''\
# Written by ragft/course/site.py (python -m ragft.course.site); edits here are overwritten.
project = "RAG versus fine-tuning"
html_title = "RAG versus fine-tuning"
extensions = ["myst_nb"]
nb_execution_mode = "off"  # render the executed copies as they are; never run a notebook here
html_theme = "sphinx_book_theme"
html_theme_options = {"show_toc_level": 2}
# widgets render from the state saved in each executed notebook, by a renderer the site serves itself (no CDN)
nb_ipywidgets_js = {"jupyter-widgets/embed.js": {}}
'''


def missing(folder: Path) -> list[str]:
    """The course notebooks that folder lacks."""
    return [p.name for p in notebooks() if not (folder / p.name).is_file()]


def pick_notebooks(folder: Path | None = None) -> Path:
    """The folder of notebooks to publish: `folder` if given, else the first complete one in SOURCES."""
    if folder is not None:
        if lacking := missing(folder):
            raise SystemExit(f"error: {folder} lacks {', '.join(lacking)}.\n"
                             "       run `make course` for executed copies of every notebook in build/notebooks")
        return folder
    for candidate in SOURCES:
        if not missing(candidate):
            return candidate
    raise SystemExit(f"error: no complete set of executed notebooks in {' or '.join(str(s) for s in SOURCES)}.\n"
                     "       run `make course` first (or `make site`, which does it for you), or build from the\n"
                     "       stored copies without outputs: python -m ragft.course.site --notebooks notebooks")


def layout(notebook_dir: Path) -> dict[Path, Path]:
    """{file in the repository: its path in the site source}, in reading order."""
    pages = {LESSONS_DIR / "README.md": Path("index.md")}
    for lesson in sorted(LESSONS_DIR.glob("[0-9][0-9]_*.md")):
        pages[lesson] = Path("lessons", lesson.name)
        for nb in notebooks([lesson.name[:2]]):
            pages[notebook_dir / nb.name] = Path("notebooks", nb.name)
    pages[LESSONS_DIR / "instructor_guide.md"] = Path("lessons", "instructor_guide.md")
    return pages


def relink(text: str, page: Path, source: Path, pages: dict[Path, Path]) -> str:
    """Markdown links of `source` (placed at `page` in the site) pointed at their pages in the site.

    A relative link is read as the repository reads it; a file that has no page in the site (a module,
    the README, the model card) becomes plain text that names the file in the repository.
    """
    stored = {ROOT / "notebooks" / p.name: p for p in pages.values() if p.suffix == ".ipynb"}
    targets = {**{src.resolve(): dst for src, dst in pages.items()}, **stored}

    def fix(match: re.Match) -> str:
        label, target = match.groups()
        path, _, anchor = target.partition("#")
        if not path or re.match(r"[a-z][a-z0-9+.-]*:", path):  # an anchor on this page, or a URL
            return match.group(0)
        resolved = (source.parent / path).resolve()
        if resolved in targets:
            link = Path(*[".."] * len(page.parent.parts), targets[resolved]).as_posix()
            return f"[{label}]({link}{'#' + anchor if anchor else ''})"
        named = resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else path
        return label if resolved.name in label else f"{label} (`{named}` in the repository)"

    out, fenced = [], False
    for line in text.splitlines(keepends=True):
        fenced ^= line.lstrip().startswith(("```", "~~~"))
        out.append(line if fenced else LINK.sub(fix, line))
    return "".join(out)


def assemble(notebook_dir: Path, src_dir: Path = BUILD_DIR / "site-src") -> Path:
    """Write the Sphinx source folder (conf.py, the pages, links fixed, a table of contents); return it."""
    shutil.rmtree(src_dir, ignore_errors=True)
    pages = layout(notebook_dir)
    for source, page in pages.items():
        (src_dir / page).parent.mkdir(parents=True, exist_ok=True)
        if page.suffix == ".md":
            (src_dir / page).write_text(relink(source.read_text(), page, source, pages))
        else:
            shutil.copyfile(source, src_dir / page)
    if (LESSONS_DIR / "figures").is_dir():  # the lessons' images (python -m ragft.course.figures), beside their pages
        shutil.copytree(LESSONS_DIR / "figures", src_dir / "lessons" / "figures")
    toc = "\n".join(page.with_suffix("").as_posix() for page in list(pages.values())[1:])
    with open(src_dir / "index.md", "a") as index:
        index.write(f"\n```{{toctree}}\n:hidden:\n:caption: The course\n\n{toc}\n```\n")
    (src_dir / "conf.py").write_text(f"{CONF}html_static_path = [{str(STATIC_DIR)!r}]\n")
    return src_dir


def build(notebook_dir: Path, out_dir: Path = BUILD_DIR / "site", src_dir: Path = BUILD_DIR / "site-src") -> Path:
    """Assemble the source and build the HTML site, warnings as errors; return the index page."""
    assemble(notebook_dir, src_dir)
    command = ["-W", "--keep-going", "-E", "-q", "-b", "html", str(src_dir), str(out_dir)]
    run = subprocess.run([sys.executable, "-m", "sphinx", *command], capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"error: the site did not build cleanly (sphinx-build exited {run.returncode}):\n"
                         f"{run.stdout}{run.stderr}")
    return out_dir / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", type=Path, help="folder of notebooks to publish (default: "
                        "build/notebooks, else build/test-notebooks; they must hold every course notebook)")
    parser.add_argument("--out", type=Path, default=BUILD_DIR / "site", help="the HTML's folder (default: build/site)")
    args = parser.parse_args(argv)
    notebook_dir = pick_notebooks(args.notebooks)
    print(f"building the course site from {notebook_dir} ...", flush=True)
    index = build(notebook_dir, args.out)
    print(f"course site: {index.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
