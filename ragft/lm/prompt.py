"""The course model's one prompt format, used for training, evaluation and the RAG chain alike."""

from __future__ import annotations

from typing import Sequence


def prompt(question: str, passages: Sequence[str] | None = None) -> str:
    """Numbered passages if any (open-book), then the question, then 'answer:'.

    >>> print(prompt("Who founded Zentrix?", ["Zentrix was founded by Ana Brill."]))
    passage 1: Zentrix was founded by Ana Brill.
    question: Who founded Zentrix?
    answer:
    """
    lines = [f"passage {i}: {' '.join(passage.split())}" for i, passage in enumerate(passages or [], 1)]
    lines += [f"question: {' '.join(question.split())}", "answer:"]
    return "\n".join(lines)
