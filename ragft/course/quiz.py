"""Quizzes in the notebooks, from the same text as the lessons' quiz sections (one source).

A lesson's "## Quiz" section lists numbered questions in bold; multiple-choice options are
lines `- *a) option* explanation`, and the right ones say **Yes.** in their explanation. Other
questions are open: their answer is revealed on demand.

    from ragft.course import quiz
    quiz.show("01")     # the quiz of lessons/01_*.md as ipywidgets
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ragft import ROOT

_QUESTION = re.compile(r"^(\d+)\.\s+\*\*(.+?)\*\*\s*(.*)$")
_OPTION = re.compile(r"^\s+-\s+\*([a-z])\)\s+(.+?)\*\s*(.*)$")


@dataclass
class Option:
    letter: str
    text: str
    explanation: str

    @property
    def correct(self) -> bool:
        return "**Yes" in self.explanation


@dataclass
class Question:
    text: str
    options: list[Option] = field(default_factory=list)
    answer: str = ""  # for open questions


def plain(markdown: str) -> str:
    return re.sub(r"\*\*?(.+?)\*\*?", r"\1", markdown).strip()


def parse(markdown: str) -> list[Question]:
    """The questions of a lesson's '## Quiz' section."""
    markdown = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)  # comments (the quoted numbers' sources) are not shown
    section = re.search(r"^## Quiz\s*$(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    if not section:
        raise ValueError("this lesson has no '## Quiz' section")
    lines: list[str] = []
    for line in section.group(1).splitlines():  # re-join lines wrapped inside a question or an option
        if lines and line.strip() and not re.match(r"^(\d+\.\s|\s+-\s)", line):
            lines[-1] += " " + line.strip()
        elif line.strip():
            lines.append(line)
    questions: list[Question] = []
    for line in lines:
        if m := _QUESTION.match(line):
            questions.append(Question(plain(m.group(2)), answer=m.group(3)))
        elif questions and (m := _OPTION.match(line)):
            questions[-1].options.append(Option(m.group(1), plain(m.group(2)), m.group(3).strip()))
        elif questions:
            questions[-1].answer = (questions[-1].answer + " " + line.strip().lstrip("- ")).strip()
    for q in questions:
        if q.options and not any(o.correct for o in q.options):
            raise ValueError(f"quiz question {q.text!r} has options but none marked **Yes.**")
    return questions


def load(lesson: str) -> list[Question]:
    """The quiz of lessons/<lesson>_*.md (lesson is the two-digit number, e.g. '01')."""
    paths = sorted((ROOT / "lessons").glob(f"{lesson}_*.md"))
    if not paths:
        raise FileNotFoundError(f"no lesson numbered {lesson!r} in {ROOT / 'lessons'}")
    return parse(paths[0].read_text())


def show(lesson: str):
    """The quiz of a lesson as a widget (display it by leaving it last in a cell)."""
    from ragft.course.widgets import quiz

    return quiz(load(lesson))
