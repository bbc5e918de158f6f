"""How long each notebook takes to run: the one place the course's time for it comes from.

The seconds are `make course`'s table (ragft.course.runner) on a 2-core CPU; every place that quotes a time
(the README's course table, the syllabus and its total, notebook 00's table, each notebook's title cell, each
lesson's header) says the same whole minutes, rounded up; the instructor guide's table of expected results the
seconds themselves. tests/test_times.py fails when one disagrees.
After a new `make course`, put its seconds here and run `python -m ragft.course.times` to rewrite them all.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from ragft import ROOT

# 2026-12-04: `python -m ragft.course.runner 00 01 02 03 05 06`, then `04` on its own, each alone on a quiet 2-core
# machine (make course's cells, a fresh RAGFT_WORK as a learner's first run; SmolLM2 already converted). 04 is
# 4.1's four fine-tunes 41 s, the week 73 s (7 daily fine-tunes 46 s, the index 10 s, reading 17 s) and SmolLM2's
# LoRA demo 106 s (16 steps 76 s, its own answers to replay 17 s).
MEASURED = "make course's notebook runs (python -m ragft.course.runner), 2 CPU cores"
SECONDS = {"00": 3, "01": 162, "02": 62, "03": 66, "04": 255, "05": 44, "06": 178}


def minutes(notebook: str) -> int:
    """The notebook's running time in whole minutes, rounded up (at least 1)."""
    return max(1, math.ceil(SECONDS[notebook] / 60))


def phrase(notebook: str) -> str:
    """How every place writes the time: '3 min'."""
    return f"{minutes(notebook)} min"


def seconds(notebook: str) -> str:
    """How the instructor guide's table of expected results writes it: '~85' (seconds)."""
    return f"~{SECONDS[notebook]}"


def _tables(text: str, column: int, fmt=phrase) -> str:
    """`text` with the time cell (`column`) of every table row that starts with a notebook number rewritten."""
    out = []
    for line in text.split("\n"):
        row = re.match(r"\|\s*(\d\d)\s*\|", line)
        if row and row.group(1) in SECONDS:
            cells = line.strip().strip("|").split("|")
            cells[column] = f" {fmt(row.group(1))} "
            line = "|" + "|".join(cells) + "|"
        out.append(line)
    return "\n".join(out)


def _source(text: str) -> list[str]:
    """A notebook cell's source as nbformat stores it: lines that keep their newline."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])  # no empty last line


def write(root: Path = ROOT) -> list[Path]:
    """Rewrite every place that quotes a notebook's time from SECONDS; return the files written."""
    written = []
    readme, syllabus = root / "README.md", root / "lessons" / "README.md"
    readme.write_text(_tables(readme.read_text(), -1))
    total = sum(minutes(n) for n in SECONDS)
    syllabus.write_text(re.sub(r"\*\*Total\*\*: about \d+ minutes of computing",
                               f"**Total**: about {total} minutes of computing", _tables(syllabus.read_text(), -2)))
    guide = root / "lessons" / "instructor_guide.md"  # its table of expected results, in seconds
    guide.write_text(_tables(guide.read_text(), 1, seconds))
    written += [readme, syllabus, guide]
    for n in SECONDS:
        lesson = next((root / "lessons").glob(f"{n}_*.md"))
        header = re.sub(r"\d+ min(\s+)of(\s+)CPU(\s+)time", rf"{phrase(n)}\1of\2CPU\3time", lesson.read_text(), 1)
        lesson.write_text(header)
        path = next((root / "solutions").glob(f"{n}_*.ipynb"))
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown":  # the title cell; notebook 00's table of the course
                text = re.sub(r"\*\*Time\*\*: \d+ min of computing", f"**Time**: {phrase(n)} of computing", text)
                cell["source"] = _source(_tables(text, -1) if n == "00" else text)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        written += [lesson, path]
    return written


if __name__ == "__main__":
    from ragft.course.runner import write_students  # solutions/ changed: notebooks/ follow them

    for path in [*write(), *write_students()]:
        print("wrote", path.relative_to(ROOT))
