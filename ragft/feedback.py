"""Human feedback: ratings of answers stored in SQLite, one durable row per rating.

    store = FeedbackStore("build/feedback.sqlite")
    store.add(question, answer, rating=+1, comment="right, with a source")
    store.summary()            # ratings by question type
    # the 👍 / 👎 widget of notebook 03 is ragft.course.widgets.rating_panel(store, items)

Notebook 06 turns the 👎 ratings that carry a correction into fine-tuning data.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

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


class FeedbackStore:
    """Ratings in a SQLite file; every `add` is its own committed transaction (it survives a crash)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success, rolls back on error, and is always closed."""
        db = sqlite3.connect(self.path)
        try:
            db.execute("PRAGMA synchronous = FULL")
            with db:
                yield db
        finally:
            db.close()

    def add(self, question: str, answer: str, rating: int, comment: str = "", correction: str = "",
            question_type: str = "", sources: Sequence[str] = ()) -> int:
        """Store one rating (+1 for 👍, -1 for 👎); returns its row id."""
        if rating not in (-1, 1):
            raise ValueError(f"rating is +1 (thumbs up) or -1 (thumbs down), got {rating!r}")
        if not question.strip():
            raise ValueError("a rating needs the question it rates")
        with self._connect() as db:  # commits on exit
            cursor = db.execute(
                "INSERT INTO ratings (created, question, answer, rating, comment, correction, question_type, sources) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (time.strftime("%Y-%m-%dT%H:%M:%S"), question, answer, rating, comment, correction, question_type,
                 ";".join(sources)))
            return int(cursor.lastrowid)

    def rows(self) -> list[dict]:
        """Every rating, oldest first, as dicts."""
        with self._connect() as db:
            return [dict(zip(COLUMNS, r)) for r in db.execute(f"SELECT {', '.join(COLUMNS)} FROM ratings ORDER BY id")]

    def table(self, limit: int = 20) -> str:
        """The latest ratings as a plain-text table."""
        rows = self.rows()[-limit:]
        lines = [f"{'id':>3}  {'rating':6}  {'type':10}  {'question':50}  {'answer':12}  comment"]
        lines += [f"{r['id']:>3}  {'👍' if r['rating'] > 0 else '👎':6}  {r['question_type'][:10]:10}  "
                  f"{r['question'][:50]:50}  {r['answer'][:12]:12}  {r['comment']}" for r in rows]
        return "\n".join(lines)

    def summary(self) -> dict[str, dict[str, float]]:
        """Per question type: number of ratings, thumbs up, thumbs down, share up."""
        with self._connect() as db:
            rows = db.execute("SELECT question_type, COUNT(*), SUM(rating = 1), SUM(rating = -1) FROM ratings "
                              "GROUP BY question_type ORDER BY question_type").fetchall()
        return {t or "(none)": {"ratings": n, "up": up, "down": down, "share_up": up / n} for t, n, up, down in rows}

    def corrections(self) -> list[dict]:
        """👎 ratings that carry a corrected answer: the raw material of a fine-tuning set."""
        return [r for r in self.rows() if r["rating"] < 0 and r["correction"].strip()]
