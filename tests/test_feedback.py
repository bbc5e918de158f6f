"""Human feedback in SQLite: durable rows, a readable table, a summary, the widget's handlers, clear refusals of
bad input, and no lost rating when several processes write and read one file at once."""

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from ragft import feedback
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


def test_the_store_runs_in_wal_mode(tmp_path):
    FeedbackStore(tmp_path / "fb.sqlite")
    with sqlite3.connect(tmp_path / "fb.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_bad_ratings_are_refused(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite")
    with pytest.raises(ValueError, match="thumbs up"):
        store.add("q?", "a", 5)
    with pytest.raises(ValueError, match="needs the question"):
        store.add("  ", "a", 1)
    assert store.rows() == []


GOOD = {"question": "Which river flows through Holnok?", "answer": "Ondor", "rating": 1}
BAD_INPUTS = [  # (what replaces a good argument, the error, what its message must say)
    ({"question": None}, TypeError, r"question must be a string \(the question that was asked\), got NoneType None"),
    ({"question": 61}, TypeError, r"question must be a string .*got int 61: pass it as text"),
    ({"question": ""}, ValueError, r"a rating needs the question it rates: question is empty \(''\)"),
    ({"question": " \n"}, ValueError, r"needs the question it rates: question is empty \(' \\n'\); pass the question"),
    ({"answer": None}, TypeError, r"answer must be a string \(the answer being rated, '' if the model said nothing\)"),
    ({"answer": ["Ondor"]}, TypeError, r"answer must be a string .*got list \['Ondor'\]"),
    ({"rating": 5}, ValueError, r"rating is \+1 \(thumbs up\) or -1 \(thumbs down\), got 5: pass 1 or -1"),
    ({"rating": 0}, ValueError, r"rating is \+1 .*got 0: pass 1 or -1"),
    ({"rating": True}, TypeError, r"rating must be the integer \+1 .*got bool True: pass 1 or -1"),
    ({"rating": 1.0}, TypeError, r"rating must be the integer .*got float 1.0: pass 1 or -1"),
    ({"rating": "+1"}, TypeError, r"rating must be the integer .*got str '\+1': pass 1 or -1"),
    ({"rating": None}, TypeError, r"rating must be the integer .*got NoneType None"),
    ({"comment": None}, TypeError, r"comment must be a string \(a free note\), got NoneType None: .*or leave it out"),
    ({"correction": -7}, TypeError, r"correction must be a string \(the right answer\), got int -7"),
    ({"question_type": None}, TypeError, r"question_type must be a string \(e.g. 'static' or 'dynamic'\)"),
    ({"sources": 3}, TypeError, r"sources must be a list of source names .*got int 3: pass a list, or one name"),
    ({"sources": None}, TypeError, r"sources must be a list .*got NoneType None"),
    ({"sources": ["wiki/holnok", 7]}, TypeError, r"sources\[1\] must be a source name \(a string\), got int 7"),
    ({"sources": ["wiki/holnok", " "]}, ValueError, r"sources\[1\] must be a non-empty name .*got ' '"),
    ({"sources": ["wiki/a;wiki/b"]}, ValueError, r"sources\[0\] must be .*without ';' .*each source as its own"),
]


@pytest.mark.parametrize("change, error, message", BAD_INPUTS, ids=[repr(c) for c, _, _ in BAD_INPUTS])
def test_each_bad_input_is_refused_with_what_to_do(tmp_path, change, error, message):
    store = FeedbackStore(tmp_path / "fb.sqlite")
    with pytest.raises(error, match=message):
        store.add(**{**GOOD, **change})
    assert store.rows() == []


def test_sources_a_plain_string_is_one_source_and_an_empty_answer_is_rated(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite")
    store.add(**GOOD, sources="wiki/holnok")
    store.add(**GOOD, sources=("wiki/holnok", "report/day-61"))
    store.add(**GOOD, sources=iter(["wiki/a"]))
    store.add(**GOOD, sources="")
    store.add("What was the high in Holnok on day 61?", "", np.int64(-1), correction="-7")
    rows = store.rows()
    assert [r["sources"] for r in rows] == ["wiki/holnok", "wiki/holnok;report/day-61", "wiki/a", "", ""]
    assert (rows[-1]["answer"], rows[-1]["rating"]) == ("", -1)


@pytest.mark.parametrize("path, error, message", [
    (None, TypeError, r"path must be a file path \(str or Path\), got NoneType None"),
    (61, TypeError, r"path must be a file path .*got int 61"),
    (".", ValueError, r"path '.' is a folder: pass a file inside it"),
])
def test_a_bad_path_is_refused(path, error, message):
    with pytest.raises(error, match=message):
        FeedbackStore(path)


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database, just some notes\n" * 100)
    with pytest.raises(ValueError, match=r"notes.txt is not a feedback store \(file is not a database\)"):
        FeedbackStore(notes)


def _hold_write_lock(path: Path, seconds: float, locked: threading.Event) -> None:
    """Another connection that takes the write lock and keeps it for `seconds`."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("BEGIN IMMEDIATE")
    locked.set()
    time.sleep(seconds)
    db.execute("COMMIT")
    db.close()


def test_a_locked_file_is_waited_for_and_retried(tmp_path, monkeypatch):
    monkeypatch.setattr(feedback, "BUSY_TIMEOUT_S", 0.05)  # SQLite gives up fast, so the retries must carry it
    store = FeedbackStore(tmp_path / "fb.sqlite")
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(store.path, 0.6, locked))
    holder.start()
    locked.wait()
    row = store.add(**GOOD)
    holder.join()
    assert [r["id"] for r in store.rows()] == [row]


def test_a_file_that_stays_locked_says_so_and_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(feedback, "BUSY_TIMEOUT_S", 0.05)
    monkeypatch.setattr(feedback, "ATTEMPTS", 2)
    store = FeedbackStore(tmp_path / "fb.sqlite")
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(store.path, 1.0, locked))
    holder.start()
    locked.wait()
    with pytest.raises(sqlite3.OperationalError, match=r"stayed locked .*database is locked.*close it and try again"):
        store.add(**GOOD)
    holder.join()
    assert store.rows() == []


# ------------------------------------------------------------------------------------------------
# Concurrency: real processes on one file
# ------------------------------------------------------------------------------------------------

WRITERS, READERS, RATINGS = 2, 4, 300


def _writer(path: str, name: str, start, acked: str) -> None:
    """Open the store (all processes at once) and add RATINGS ratings, writing down each acknowledged id."""
    start.wait()
    store = FeedbackStore(path)
    ids = [store.add(f"{name}: question {i}?", f"answer {i}", 1 if i % 2 else -1, question_type=name,
                     sources=[f"wiki/{name}"]) for i in range(RATINGS)]
    Path(acked).write_text("\n".join(map(str, ids)))


def _reader(path: str, start, done, reads: str) -> None:
    """Open the store and read it until the writers are done: the count only grows, ids stay in order."""
    start.wait()
    seen, n = 0, 0
    while not done.is_set() or n == 0:
        rows = FeedbackStore(path).rows()
        FeedbackStore(path).summary()
        ids = [r["id"] for r in rows]
        assert ids == sorted(ids) and len(rows) >= seen, "a reader saw ratings disappear"
        seen, n = len(rows), n + 1
    Path(reads).write_text(str(n))


def test_concurrent_writers_and_readers_lose_no_rating(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    path = str(tmp_path / "shared.sqlite")
    start, done = ctx.Barrier(WRITERS + READERS), ctx.Event()
    writers = [ctx.Process(target=_writer, args=(path, f"w{k}", start, str(tmp_path / f"w{k}.acked")))
               for k in range(WRITERS)]
    readers = [ctx.Process(target=_reader, args=(path, start, done, str(tmp_path / f"r{k}.reads")))
               for k in range(READERS)]
    for p in writers + readers:
        p.start()
    for p in writers:
        p.join(timeout=60)
    done.set()
    for p in readers:
        p.join(timeout=60)
    for p in writers + readers:
        if p.is_alive():  # hung: end it, the assertion below reports it
            p.kill()
    assert [p.exitcode for p in writers + readers] == [0] * (WRITERS + READERS), "a process died"

    rows = {r["id"]: r for r in FeedbackStore(path).rows()}
    assert len(rows) == WRITERS * RATINGS
    for k in range(WRITERS):
        acked = [int(i) for i in (tmp_path / f"w{k}.acked").read_text().split()]
        assert len(acked) == RATINGS
        assert [rows[i]["question"] for i in acked] == [f"w{k}: question {i}?" for i in range(RATINGS)]
    assert all(int((tmp_path / f"r{k}.reads").read_text()) >= 1 for k in range(READERS))


# ------------------------------------------------------------------------------------------------
# The panel
# ------------------------------------------------------------------------------------------------

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
    assert widget.rate(1) is None and "rated already" in widget.children[2].value
    with pytest.raises(ValueError, match="nothing to rate"):
        panel(store, [])
    with pytest.raises(ValueError, match=r"items\[0\] must be a dict with 'question' and 'answer'"):
        panel(store, [{"question": "Q1?"}])


class FailingStore:
    """A store whose every save fails, as a locked or read-only file would."""
    path = Path("fb.sqlite")

    def add(self, *args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")


def test_a_failing_click_shows_its_error_and_keeps_the_answer(tmp_path):
    items = [{"question": "Q1 <b>?", "answer": "A1"}, {"question": "Q2?", "answer": "A2"}]
    widget = panel(FailingStore(), items)
    text, (up, down, comment), status = widget.children[0], widget.children[1].children[:3], widget.children[2]
    comment.value = "should be B1"
    down.click()
    assert "not saved" in status.value and "OperationalError: attempt to write a readonly database" in status.value
    assert "1/2" in text.value and comment.value == "should be B1" and not up.disabled

    store = FeedbackStore(tmp_path / "fb.sqlite")  # a store that refuses the input: the message shows, escaped
    widget = panel(store, items)
    assert widget.rate(0) is None
    assert "rating is +1 (thumbs up) or -1 (thumbs down), got 0" in widget.children[2].value
    assert "1/2" in widget.children[0].value and store.rows() == []
    assert widget.rate(1) == 1 and "2/2" in widget.children[0].value
