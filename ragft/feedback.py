"""Human feedback: ratings of answers stored in SQLite, one durable row per rating.

    store = FeedbackStore("build/feedback.sqlite")
    store.add(question, answer, rating=+1, comment="right, with a source", sources=["wiki/holnok"])
    store.summary()            # ratings by question type
    # the 👍 / 👎 widget of notebook 03 is ragft.course.widgets.rating_panel(store, items)

Notebook 06 turns the 👎 ratings that carry a correction into fine-tuning data. Several processes may
read and write one file at once: the store runs in WAL mode (readers never block the writer), waits for
a lock, and retries with backoff, so an `add` that returned a row id is on disk.
"""

from __future__ import annotations

import numbers
import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterable, TypeVar

SCHEMA = """
CREATE TABLE IF NOT EXISTS ratings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created       TEXT    NOT NULL,
    question      TEXT    NOT NULL,
    answer        TEXT    NOT NULL,
    rating        INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment       TEXT    NOT NULL DEFAULT '',
    correction    TEXT    NOT NULL DEFAULT '',
    question_type TEXT    NOT NULL DEFAULT '',
    sources       TEXT    NOT NULL DEFAULT ''
)"""
COLUMNS = ("id", "created", "question", "answer", "rating", "comment", "correction", "question_type", "sources")
SEPARATOR = ";"          # sources are stored joined by it, so a source may not contain it
BUSY_TIMEOUT_S = 5.0     # how long SQLite itself waits for another connection's lock, per attempt
ATTEMPTS = 6             # attempts in all when the file stays locked, with a growing pause between them
BACKOFF_S = 0.05         # the first pause; it doubles each time, capped at 2 s, with jitter
_jitter = random.Random()  # its own generator: retries never touch the global random state
T = TypeVar("T")


def _transient(error: sqlite3.OperationalError) -> bool:
    """Errors that mean 'another connection holds the file right now': worth waiting for and retrying."""
    text = str(error).lower()
    return "locked" in text or "busy" in text or "locking protocol" in text


def _text(name: str, value: object, what: str, required: bool = False) -> str:
    """Check one text argument of `add`: a str, and not blank when required."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string ({what}), got {type(value).__name__} {value!r}: "
                        f"pass it as text{'' if required else ', or leave it out'}")
    if required and not value.strip():
        raise ValueError(f"a rating needs the {name} it rates: {name} is empty ({value!r}); pass {what}")
    return value


def _rating(value: object) -> int:
    """+1 or -1 as an integer (a bool or a float is refused, not rounded)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"rating must be the integer +1 (thumbs up) or -1 (thumbs down), "
                        f"got {type(value).__name__} {value!r}: pass 1 or -1")
    if value not in (-1, 1):
        raise ValueError(f"rating is +1 (thumbs up) or -1 (thumbs down), got {value!r}: pass 1 or -1")
    return int(value)


def _sources(value: str | Iterable[str]) -> str:
    """The sources as stored: one plain string is one source; otherwise a list of strings, joined by ';'."""
    if isinstance(value, str):
        value = [value] if value else []
    elif not isinstance(value, Iterable):
        raise TypeError(f"sources must be a list of source names (e.g. ['wiki/holnok']), "
                        f"got {type(value).__name__} {value!r}: pass a list, or one name as a string")
    sources = list(value)
    for i, source in enumerate(sources):
        if not isinstance(source, str):
            raise TypeError(f"sources[{i}] must be a source name (a string), got {type(source).__name__} "
                            f"{source!r}: pass the names, e.g. the chain's output['sources']")
        if not source.strip() or SEPARATOR in source:
            raise ValueError(f"sources[{i}] must be a non-empty name without {SEPARATOR!r} (the separator "
                             f"they are stored with), got {source!r}: pass each source as its own list item")
    return SEPARATOR.join(sources)


def usable_corrections(rows: Iterable[dict]) -> list[dict]:
    """The 👎 ratings that carry a question and a corrected answer: the ones notebook 06 can learn from."""
    return [r for r in rows
            if r.get("rating", -1) < 0 and r.get("correction", "").strip() and r.get("question", "").strip()]


class FeedbackStore:
    """Ratings in a SQLite file; every `add` is its own committed transaction (it survives a crash)."""

    def __init__(self, path: str | os.PathLike):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a file path (str or Path), got {type(path).__name__} {path!r}: "
                            f"pass e.g. BUILD_DIR / 'feedback.sqlite'")
        self.path = Path(path)
        if self.path.is_dir():
            raise ValueError(f"path {str(path)!r} is a folder: pass a file inside it, "
                             f"e.g. {self.path / 'feedback.sqlite'}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._run(self._create)
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) and _transient(error):
                raise
            raise ValueError(f"{self.path} is not a feedback store ({error}): pass another path, "
                             f"or move that file away") from error

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        db.execute("PRAGMA journal_mode = WAL")  # kept in the file: readers and the writer stop blocking each other
        db.execute(SCHEMA)

    def _run(self, work: Callable[[sqlite3.Connection], T], write: bool = False) -> T:
        """Run `work` on a fresh connection, in one transaction when it writes; retry while the file is locked.

        A failed attempt committed nothing (the connection is closed, which rolls back), so retrying never
        stores a rating twice.
        """
        started, attempt = time.monotonic(), 0
        while True:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                db.execute("PRAGMA synchronous = FULL")
                if not write:
                    return work(db)
                db.execute("BEGIN IMMEDIATE")  # take the write lock now, while SQLite can still wait for it
                result = work(db)
                db.execute("COMMIT")
                return result
            except sqlite3.OperationalError as error:
                attempt += 1
                if not _transient(error):
                    raise
                if attempt == ATTEMPTS:
                    raise sqlite3.OperationalError(
                        f"the feedback store {self.path} stayed locked for {time.monotonic() - started:.0f} s "
                        f"({error}): another program holds it (a database browser, a hung kernel?); "
                        f"close it and try again") from error
            finally:
                db.close()
            time.sleep(min(2.0, BACKOFF_S * 2 ** attempt) * (0.5 + _jitter.random()))

    def add(self, question: str, answer: str, rating: int, comment: str = "", correction: str = "",
            question_type: str = "", sources: str | Iterable[str] = ()) -> int:
        """Store one rating (+1 for 👍, -1 for 👎); returns its row id once it is committed.

        question must not be blank; answer may be empty (a model that said nothing is worth a 👎);
        sources is a list of source names, or one name as a plain string.
        """
        row = (time.strftime("%Y-%m-%dT%H:%M:%S"),
               _text("question", question, "the question that was asked", required=True),
               _text("answer", answer, "the answer being rated, '' if the model said nothing"),
               _rating(rating),
               _text("comment", comment, "a free note"),
               _text("correction", correction, "the right answer"),
               _text("question_type", question_type, "e.g. 'static' or 'dynamic'"),
               _sources(sources))

        def insert(db: sqlite3.Connection) -> int:
            cursor = db.execute("INSERT INTO ratings (created, question, answer, rating, comment, correction, "
                                "question_type, sources) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)
            return int(cursor.lastrowid)

        return self._run(insert, write=True)

    def rows(self) -> list[dict]:
        """Every rating, oldest first, as dicts."""
        query = f"SELECT {', '.join(COLUMNS)} FROM ratings ORDER BY id"
        return self._run(lambda db: [dict(zip(COLUMNS, r)) for r in db.execute(query)])

    def table(self, limit: int = 20) -> str:
        """The latest ratings as a plain-text table."""
        rows = self.rows()[-limit:]
        lines = [f"{'id':>3}  {'rating':6}  {'type':10}  {'question':50}  {'answer':12}  comment"]
        lines += [f"{r['id']:>3}  {'👍' if r['rating'] > 0 else '👎':6}  {r['question_type'][:10]:10}  "
                  f"{r['question'][:50]:50}  {r['answer'][:12]:12}  {r['comment']}" for r in rows]
        return "\n".join(lines)

    def summary(self) -> dict[str, dict[str, float]]:
        """Per question type: number of ratings, thumbs up, thumbs down, share up."""
        rows = self._run(lambda db: db.execute(
            "SELECT question_type, COUNT(*), SUM(rating = 1), SUM(rating = -1) FROM ratings "
            "GROUP BY question_type ORDER BY question_type").fetchall())
        return {t or "(none)": {"ratings": n, "up": up, "down": down, "share_up": up / n} for t, n, up, down in rows}

    def corrections(self) -> list[dict]:
        """👎 ratings that carry a corrected answer: the raw material of a fine-tuning set."""
        return usable_corrections(self.rows())
