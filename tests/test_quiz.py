"""Quizzes come from the lessons' text (one source) and explain the chosen option."""

import pytest

from ragft.course import quiz, widgets
from ragft.course.runner import notebooks


@pytest.mark.parametrize("lesson", sorted({p.name[:2] for p in notebooks()}))
def test_every_lesson_has_a_well_formed_quiz(lesson):
    questions = quiz.load(lesson)
    assert len(questions) >= 3
    for q in questions:
        assert q.options or q.answer, q.text
        if q.options:
            assert len(q.options) >= 2 and all(o.explanation for o in q.options), q.text
            assert sum(o.correct for o in q.options) >= 1


def test_the_widget_explains_the_chosen_option():
    md = """## Quiz

1. **Is RAG parametric?**
   - *a) Yes.* No: the store is outside the weights.
   - *b) No.* **Yes.** Retrieved data is non-parametric.
2. **Name one cost of RAG.**
   - A search per question.

## Exercises
"""
    questions = quiz.parse(md)
    assert [o.correct for o in questions[0].options] == [False, True] and questions[1].answer == "A search per question."
    box = widgets.quiz(questions)
    title, choice, button, feedback = box.children[0].children
    button.click()
    assert "Choose an option" in feedback.value
    choice.index = 0
    button.click()
    assert feedback.value.startswith("❌") and "outside the weights" in feedback.value
    choice.index = 1
    button.click()
    assert feedback.value.startswith("✅")
    reveal = box.children[1].children[1]
    reveal.click()
    assert box.children[1].children[2].value == "A search per question."


def test_a_lesson_without_a_quiz_is_an_error():
    with pytest.raises(ValueError, match="no '## Quiz'"):
        quiz.parse("# nothing here")
    with pytest.raises(FileNotFoundError, match="no lesson numbered"):
        quiz.load("99")
