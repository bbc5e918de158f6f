"""Scoring answers: exact match and token F1 after a light, number-safe normalisation."""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

_PUNCT = re.compile(r"[^\w\s.\-]|(?<!\d)\.|\.(?!\d)|-(?!\d)")
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text: str) -> str:
    """Lower-case, drop articles and punctuation, squeeze spaces; keep '-3' and '184.20' intact."""
    text = _PUNCT.sub(" ", text.lower())
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, gold: str) -> bool:
    return normalize_answer(prediction) == normalize_answer(gold)


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD-style token overlap F1 between a prediction and the gold answer."""
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def accuracy(predictions: Sequence[str], golds: Sequence[str]) -> float:
    """Share of exact matches (0 to 1)."""
    if len(predictions) != len(golds):
        raise ValueError(f"{len(predictions)} predictions for {len(golds)} gold answers")
    if not golds:
        raise ValueError("nothing to score: no gold answers")
    return sum(exact_match(p, g) for p, g in zip(predictions, golds)) / len(golds)
