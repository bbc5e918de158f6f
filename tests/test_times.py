"""One time per notebook, from `make course` (ragft.course.times), quoted the same everywhere: the README's course
table, the syllabus (lessons/README.md) and its total, notebook 00's table, each notebook's title cell, each lesson."""

import json
import re

import pytest

from ragft import ROOT
from ragft.course import times

NUMBERS = sorted(times.SECONDS)


def _table(text: str, column: int) -> dict[str, str]:
    """{notebook number: the cell in `column`} for every row of a markdown table that starts with a number."""
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if re.match(r"\|\s*0\d\s*\|", line)]
    return {row[0]: row[column] for row in rows}


def _title(number: str) -> str:
    path = next((ROOT / "solutions").glob(f"{number}_*.ipynb"))
    return "".join(json.loads(path.read_text())["cells"][0]["source"])


def test_the_table_covers_every_notebook_and_rounds_up():
    assert NUMBERS == sorted(p.name[:2] for p in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    for n, seconds in times.SECONDS.items():
        assert 60 * (times.minutes(n) - 1) < seconds <= 60 * times.minutes(n), n
    assert times.phrase("05") == f"{times.minutes('05')} min"


@pytest.mark.parametrize("where, text, column", [
    ("README.md's course table", lambda: (ROOT / "README.md").read_text(), -1),
    ("the syllabus, lessons/README.md", lambda: (ROOT / "lessons" / "README.md").read_text(), -2),
    ("notebook 00's table", lambda: "".join(
        "".join(c["source"]) for c in json.loads(next((ROOT / "solutions").glob("00_*.ipynb")).read_text())["cells"]), -1),
])
def test_every_table_quotes_the_measured_times(where, text, column):
    quoted = _table(text(), column)
    assert quoted == {n: times.phrase(n) for n in NUMBERS}, f"{where} disagrees with ragft/course/times.py"


def test_the_instructor_guides_table_quotes_the_measured_seconds():
    quoted = _table((ROOT / "lessons" / "instructor_guide.md").read_text(), 1)
    assert quoted == {n: times.seconds(n) for n in NUMBERS}, "lessons/instructor_guide.md disagrees with times.py"


def test_the_syllabus_total_is_the_sum():
    total = re.search(r"\*\*Total\*\*: about (\d+) minutes of computing", (ROOT / "lessons" / "README.md").read_text())
    assert total and int(total.group(1)) == sum(times.minutes(n) for n in NUMBERS)


@pytest.mark.parametrize("number", NUMBERS)
def test_each_notebook_and_lesson_quotes_its_time(number):
    title = re.search(r"\*\*Time\*\*: (\d+ min) of computing", _title(number))
    assert title and title.group(1) == times.phrase(number), f"notebook {number}'s title cell: {title}"
    lesson = next((ROOT / "lessons").glob(f"{number}_*.md")).read_text()
    header = " ".join(lesson.split("\n## ", 1)[0].split())          # the header, its lines joined
    quoted = re.findall(r"(\d+ min) of CPU time", header)
    assert quoted == [times.phrase(number)], f"lesson {number}'s header quotes {quoted}"
