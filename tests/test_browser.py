"""A real browser: JupyterLab headless, notebook 05 in Debian's Chromium (Playwright), run all, move a slider;
then, at a laptop's 1280 px, every slider's label and readout, the dropdowns (whose measurements, preset, tornado)
and the price boxes must be visible and uncovered.

Skips with a reason where Chromium is not installed (`.ci/run` installs it from Debian's packages).
The screenshots are saved as build/screenshots/05_explorer.png and 05_explorer_1280.png.
"""

import re
import subprocess
from pathlib import Path

import pytest

from ragft import BUILD_DIR, ROOT
from tests.test_lab import running_lab

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

# Each slider's and the dropdown's label and readout (or the dropdown itself): its box, whether it lies whole in
# the output area, whether its text fits, whether another element (a plot, another control) covers its centre
# or intersects it. Run in the page; boxes in CSS pixels.
LAID_OUT = """() => {
  const boxes = (sel) => [...document.querySelectorAll(sel)].map((el) => el.getBoundingClientRect());
  const others = boxes('.jp-OutputArea-output img').concat(boxes('.widget-slider .slider-container'));
  const cut = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const parts = '.widget-readout, .widget-dropdown select, .widget-slider > .widget-label, .widget-dropdown > .widget-label, ' +
                '.widget-text > .widget-label, .widget-text input';
  return [...document.querySelectorAll(parts)].map((el) => {
    el.scrollIntoView({block: 'center'});
    const r = el.getBoundingClientRect(), area = el.closest('.jp-OutputArea-output').getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {text: el.tagName === 'SELECT' ? el.value : el.innerText, left: r.left, right: r.right,
            window: window.innerWidth, inArea: area.left - 1 <= r.left && r.right <= area.right + 1,
            clipped: el.tagName !== 'SELECT' && el.scrollWidth > el.clientWidth + 1,
            onTop: !!top && (el === top || el.contains(top) || top.contains(el)),
            overlaps: others.some((o) => cut(o, el.getBoundingClientRect()))};
  });
}"""


pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason=f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package to run the browser test")]


@pytest.fixture
def lab(tmp_path):
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)  # render every cell, not only those in view, so that widgets can be found
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    docmanager = tmp_path / "settings" / "@jupyterlab" / "docmanager-extension"
    docmanager.mkdir(parents=True)  # never save the executed notebook over the repository's clean one
    (docmanager / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    with running_lab(f"--LabApp.user_settings_dir={tmp_path / 'settings'}") as (base, token):
        yield base, token


def test_the_explorer_responds_to_a_slider_in_a_real_browser(lab):
    from playwright.sync_api import sync_playwright

    base, token = lab
    shots = BUILD_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.goto(f"{base}/lab/tree/notebooks/05_decision_threshold.ipynb?token={token}")
        page.wait_for_selector(".jp-Notebook", timeout=120_000)
        page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=120_000)  # the kernel is up
        page.click("text=Run", timeout=30_000)                   # the Run menu
        page.click("text=Run All Cells", timeout=30_000)
        try:
            page.wait_for_selector(".widget-slider", state="attached", timeout=300_000)
        finally:
            page.screenshot(path=str(shots / "05_after_run_all.png"))
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=600_000)
        slider = page.locator(".widget-slider", has_text="dynamic share").first
        slider.scroll_into_view_if_needed(timeout=30_000)   # JupyterLab renders only the cells in view
        readout = page.locator(".widget-html-content", has_text="Recommendation").first
        before = readout.inner_text(timeout=30_000)
        slider.locator(".noUi-handle").first.click()
        for _ in range(20):                                   # 20 steps of 0.01 to the right
            page.keyboard.press("ArrowRight")
        page.wait_for_function("([el, old]) => el.innerText !== old", arg=[readout.element_handle(), before],
                               timeout=60_000)
        after = readout.inner_text()
        slider.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "05_explorer.png"))
        page.set_viewport_size({"width": 1280, "height": 800})   # a laptop, the file browser open
        controls = page.evaluate(LAID_OUT)
        facts = page.locator(".widget-slider", has_text="facts changing / day").first.locator(".widget-readout")
        facts_shown = facts.inner_text()
        page.screenshot(path=str(shots / "05_explorer_1280.png"))
        browser.close()
    assert not subprocess.run(["git", "diff", "--quiet", "--", "notebooks"], cwd=ROOT).returncode, \
        "the browser test changed a notebook in the repository"
    share = lambda text: int(re.search(r"With (\d+)% of questions", text).group(1))  # noqa: E731
    assert share(after) > share(before), (before, after)
    # 9 sliders (label and readout), 3 dropdowns (whose measurements, preset, tornado: label and menu), 5 prices
    assert len(controls) == 34, f"expected 9 sliders, 3 dropdowns and 5 price boxes, each with its label, found {controls}"
    for c in controls:  # at 1280 px each label, readout and the dropdown lies in view, whole, with nothing over it
        assert 0 <= c["left"] and c["right"] <= c["window"] and c["inArea"], f"cut off at 1280 px: {c}"
        assert c["clipped"] is False, f"its text is cut off at 1280 px: {c}"
        assert c["onTop"] and not c["overlaps"], f"something lies over it at 1280 px: {c}"
    assert facts_shown == "68", f"the 'facts changing / day' slider shows {facts_shown!r}, not its value 68"
