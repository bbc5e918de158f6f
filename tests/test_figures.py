"""The lessons' figures: the CLI draws every one, the lessons show them, and the committed PNGs are current."""

import re
import time

from ragft import ROOT
from ragft.course.figures import FIGURES, FIGURES_DIR, main

PNG = b"\x89PNG\r\n\x1a\n"
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.md"))


def _images(lesson) -> list[str]:
    return IMAGE.findall(lesson.read_text())


def test_the_cli_writes_every_figure_as_a_small_png(tmp_path, capsys):
    start = time.perf_counter()
    assert main(["--out", str(tmp_path)]) == 0
    print(f"{len(FIGURES)} figures in {time.perf_counter() - start:.1f} s")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FIGURES)
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        assert data.startswith(PNG) and len(data) > 10_000, f"{path.name}: not a PNG, or empty"
        assert len(data) < 120_000, f"{path.name}: {len(data) // 1024} KB; keep lesson figures small"
    assert "figures in" in capsys.readouterr().out


def test_every_lesson_shows_a_figure_in_its_concepts_and_every_image_exists():
    assert LESSONS
    for lesson in LESSONS:
        concepts = lesson.read_text().split("## The concepts", 1)[1].split("\n## ", 1)[0]
        assert IMAGE.search(concepts), f"{lesson.name}: no figure in 'The concepts'"
        for target in _images(lesson):
            assert (lesson.parent / target).is_file(), f"{lesson.name} shows {target}, which does not exist"


def test_the_committed_figures_are_exactly_the_ones_the_module_draws_and_all_are_shown():
    committed = sorted(p.name for p in FIGURES_DIR.glob("*.png"))
    assert committed == sorted(FIGURES), ("lessons/figures/ is stale: run `python -m ragft.course.figures` "
                                          "and delete the PNGs it no longer draws")
    shown = {target.rsplit("/", 1)[-1] for lesson in LESSONS for target in _images(lesson)}
    assert shown == set(FIGURES), f"figures no lesson shows: {sorted(set(FIGURES) - shown)}"
