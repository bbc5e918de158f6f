"""Human feedback in SQLite: durable rows, a readable table, a summary, and the widget's handlers."""

import sqlite3

import pytest

from ragft.course.widgets import rating_panel as panel
from ragft.feedback import FeedbackStore


def test_each_rating_is_one_durable_row(tmp_path):
    path = tmp_path / "fb.sqlite"
    store = FeedbackStore(path)
    first = store.add("Which river flows through Holnok?", "Ondor", 1, "right", question_type="static")
    store.add("What was the high in Holnok on day 61?", "3", -1, "-7", correction="-7", question_type="dynamic")
    with sqlite3.connect(path) as db:  # another connection sees both rows: they were committed
        assert db.execute("SELECT COUNT(*) FROM ratings").fetchone()[0] == 2
    reopened = FeedbackStore(path)
    assert [r["id"] for r in reopened.rows()] == [first, first + 1]
    assert reopened.summary() == {"dynamic": {"ratings": 1, "up": 0, "down": 1, "share_up": 0.0},
                                  "static": {"ratings": 1, "up": 1, "down": 0, "share_up": 1.0}}
    assert [r["correction"] for r in reopened.corrections()] == ["-7"]
    assert "Ondor" in reopened.table()


def test_bad_ratings_are_refused(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite")
    with pytest.raises(ValueError, match="thumbs up"):
        store.add("q?", "a", 5)
    with pytest.raises(ValueError, match="needs the question"):
        store.add("  ", "a", 1)
    assert store.rows() == []


def test_the_panel_buttons_store_ratings(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite")
    items = [{"question": "Q1?", "answer": "A1", "sources": ["s1"], "question_type": "static"},
             {"question": "Q2?", "answer": "A2", "question_type": "dynamic"}]
    widget = panel(store, items)
    up, down = widget.children[1].children[:2]
    up.click()
    widget.children[1].children[2].value = "should be B2"
    down.click()
    rows = store.rows()
    assert [(r["question"], r["rating"], r["comment"], r["sources"]) for r in rows] == \
        [("Q1?", 1, "", "s1"), ("Q2?", -1, "should be B2", "")]
    assert "All rated" in widget.children[0].value and up.disabled
    with pytest.raises(ValueError, match="nothing to rate"):
        panel(store, [])
