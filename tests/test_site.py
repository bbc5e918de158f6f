"""The course site builds with one command, warnings as errors: a page for every lesson and notebook.

It publishes the notebooks test_notebooks.py has just executed (build/test-notebooks) when all are
there; run alone, it builds from the stored copies, so pages and links are still checked.
"""

from pathlib import Path

import pytest

from ragft import BUILD_DIR, NOTEBOOKS_DIR, ROOT
from ragft.course.runner import notebooks
from ragft.course.site import build, missing

pytestmark = pytest.mark.slow  # builds the course site from the executed notebooks

EXECUTED = BUILD_DIR / "test-notebooks"
LESSONS = sorted(p.stem for p in (ROOT / "lessons").glob("*.md") if p.name != "README.md")


def _body(page: Path) -> str:
    """A page's text without the navigation (which links every page anyway)."""
    return page.read_text().split("<article", 1)[1].split("</article>", 1)[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    executed = not missing(EXECUTED)
    root = tmp_path_factory.mktemp("site")
    # sphinx-build -W: any warning (a broken link between lessons and notebooks, say) fails the build
    index = build(EXECUTED if executed else NOTEBOOKS_DIR, root / "html", src_dir=root / "src")
    return index.parent, executed


def test_every_lesson_and_notebook_has_a_page_and_lessons_link_their_notebook(site):
    html, _ = site
    syllabus = _body(html / "index.html")
    for lesson in LESSONS:
        assert (html / "lessons" / f"{lesson}.html").is_file(), lesson
        assert f'href="lessons/{lesson}.html"' in syllabus, f"the syllabus does not link {lesson}"
    for nb in notebooks():
        assert (html / "notebooks" / f"{nb.stem}.html").is_file(), nb.name
        lesson = _body(html / "lessons" / f"{nb.stem}.html")
        assert f'href="../notebooks/{nb.stem}.html"' in lesson, f"lesson {nb.stem} does not link its notebook"
        assert 'src="../_images/' in lesson, f"lesson {nb.stem} shows no figure (lessons/figures/)"


def test_notebook_pages_show_the_executed_outputs(site):
    html, executed = site
    if not executed:
        pytest.skip(f"{EXECUTED} lacks {', '.join(missing(EXECUTED))} (test_notebooks.py writes them); "
                    "the site was built from the stored notebooks, which have no outputs")
    pages = {nb.stem: _body(html / "notebooks" / f"{nb.stem}.html") for nb in notebooks()}
    without = [name for name, page in pages.items() if "cell_output" not in page]
    assert not without, f"notebook pages without outputs: {without}"
    assert any("<img" in page for page in pages.values()), "no plot on any notebook page"
