"""The course site builds with one command, warnings as errors: a page for every lesson and notebook, and the
notebooks' widgets render in a real browser from the site's own files, with the network cut off.

Each notebook is published from its freshest executed copy (test_grading.py writes build/test-notebooks,
`make course` build/notebooks), else from its stored copy without outputs, so pages and links are always
checked. The browser test skips where Chromium is not installed; its screenshots go to build/screenshots/.
"""

import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from ragft import BUILD_DIR, ROOT
from ragft.course.runner import execute, notebooks
from ragft.course.site import SOURCES, build
from tests.test_browser import CHROMIUM, FLAGS

pytestmark = pytest.mark.slow  # builds the course site from the executed notebooks

LESSONS = sorted(p.stem for p in (ROOT / "lessons").glob("*.md") if p.name != "README.md")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
QUIZ = ".widget-radio-box input[type=radio]"
# What a notebook's page must show, rendered by the widget library: {notebook: {what: CSS selector}}
WIDGETS = {
    "00_start_here": {"quiz": QUIZ},
    "03_evaluate_rag": {"quiz": QUIZ, "rating panel": ".widget-button:has-text('👍 right')"},
    "05_decision_threshold": {"quiz": QUIZ, "slider": ".widget-slider:has-text('dynamic share') .noUi-handle"},
}


def _body(page: Path) -> str:
    """A page's text without the navigation (which links every page anyway)."""
    return page.read_text().split("<article", 1)[1].split("</article>", 1)[0]


def _freshest(name: str) -> Path | None:
    """The most recently executed copy of a notebook (the tests' or `make course`'s), or None."""
    copies = [folder / name for folder in SOURCES if (folder / name).is_file()]
    return max(copies, key=lambda p: p.stat().st_mtime, default=None)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(the built site's folder, the notebooks published from an executed copy, the folder published)."""
    root = tmp_path_factory.mktemp("site")
    published, executed = root / "notebooks", set()
    published.mkdir()
    for nb in notebooks():
        copy = _freshest(nb.name)
        shutil.copyfile(copy or nb, published / nb.name)
        if copy:
            executed.add(nb.stem)
    # sphinx-build -W: any warning (a broken link between lessons and notebooks, say) fails the build
    index = build(published, root / "html", src_dir=root / "src")
    return index.parent, executed, published


def test_every_lesson_and_notebook_has_a_page_and_lessons_link_their_notebook(site):
    html, _, _ = site
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
    html, executed, _ = site
    if never := [nb.name for nb in notebooks() if nb.stem not in executed]:
        pytest.skip(f"no executed copy of {', '.join(never)} in {' or '.join(map(str, SOURCES))} (test_grading.py "
                    "or `make course` writes them); those pages come from the stored notebooks, without outputs")
    pages = {nb.stem: _body(html / "notebooks" / f"{nb.stem}.html") for nb in notebooks()}
    without = [name for name, page in pages.items() if "cell_output" not in page]
    assert not without, f"notebook pages without outputs: {without}"
    assert any("<img" in page for page in pages.values()), "no plot on any notebook page"


def test_the_runner_saves_the_widget_state_with_the_executed_copy(tmp_path):
    path = tmp_path / "slider.ipynb"
    cells = ["import ipywidgets\nslider = ipywidgets.IntSlider(value=3, description='n')\nslider", "slider.value = 7"]
    nbformat.write(new_notebook(cells=[new_code_cell(code) for code in cells]), path)
    execute(path, out_dir=tmp_path / "out")
    executed = nbformat.read(tmp_path / "out" / path.name, as_version=4)
    view = executed.cells[0].outputs[0]["data"]["application/vnd.jupyter.widget-view+json"]
    state = executed.metadata["widgets"][WIDGET_STATE]["state"]
    assert state[view["model_id"]]["model_name"] == "IntSliderModel"
    assert state[view["model_id"]]["state"]["value"] == 7, "the saved state must be the last one, not the first"


@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package to run the browser test")
def test_widgets_render_in_a_real_browser_from_the_sites_own_files(site):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    html, executed, published = site
    if "05_decision_threshold" not in executed:
        pytest.skip("no executed copy of notebook 05 (python -m ragft.course.runner 05, or test_grading.py)")
    pages = {name: expected for name, expected in WIDGETS.items() if name in executed}
    for name in pages:
        saved = nbformat.read(published / f"{name}.ipynb", as_version=4).metadata.get("widgets", {})
        assert saved.get(WIDGET_STATE, {}).get("state"), (
            f"the executed copy of {name} has no widget state: it predates the runner that saves it; "
            "run `make course` (or python -m ragft.course.runner) again")
    shots = BUILD_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    fetched, errors = [], []  # requests for anything but the site's own files; the pages' script errors

    def refuse(route) -> None:
        fetched.append(route.request.url)
        route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route(lambda url: not url.startswith(("file:", "data:", "blob:")), refuse)
        for name, expected in pages.items():
            page = context.new_page()
            page.on("pageerror", lambda error, name=name: errors.append(f"{name}: {error}"))
            page.goto((html / "notebooks" / f"{name}.html").as_uri())
            try:
                for what, selector in expected.items():
                    widget = page.locator(selector).first
                    try:
                        widget.wait_for(state="visible", timeout=60_000)
                    except PlaywrightTimeout:
                        pytest.fail(f"the page of {name} shows no rendered {what} ({selector}); script errors: {errors}")
                widget.scroll_into_view_if_needed()
                text = page.locator("article").inner_text()
            finally:
                page.screenshot(path=str(shots / f"site_{name}.png"))
            assert not [box for box in ("HBox(", "VBox(", "Box(children") if box in text], \
                f"the page of {name} shows a widget as text, not rendered"
        browser.close()
    assert not fetched, f"a page asked the network for {fetched}: the site must serve everything itself"
    assert not errors, errors
