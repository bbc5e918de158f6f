"""Scores: answers (exact match, token F1) and retrieval (recall@k, MRR, nDCG, citations)."""

from __future__ import annotations

import math
import re
import time
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


# ---- retrieval -----------------------------------------------------------------------------------

def _first_hit(ranked: Sequence[str], relevant: set[str]) -> int | None:
    """1-based rank of the first relevant id, or None."""
    return next((i for i, r in enumerate(ranked, 1) if r in relevant), None)


def recall_at_k(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str]], k: int) -> float:
    """Share of questions with at least one relevant document in the top k (each question has one gold fact)."""
    _check_lengths(rankings, relevant)
    return sum(any(r in rel for r in ranked[:k]) for ranked, rel in zip(rankings, relevant)) / len(relevant)


def mrr(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str]]) -> float:
    """Mean reciprocal rank of the first relevant document (0 when none is retrieved)."""
    _check_lengths(rankings, relevant)
    ranks = [_first_hit(ranked, rel) for ranked, rel in zip(rankings, relevant)]
    return sum(1 / r for r in ranks if r) / len(ranks)


def ndcg_at_k(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str]], k: int = 10) -> float:
    """Mean nDCG@k with binary relevance."""
    _check_lengths(rankings, relevant)
    total = 0.0
    for ranked, rel in zip(rankings, relevant):
        dcg = sum(1 / math.log2(i + 1) for i, r in enumerate(ranked[:k], 1) if r in rel)
        ideal = sum(1 / math.log2(i + 1) for i in range(1, min(len(rel), k) + 1))
        total += dcg / ideal if ideal else 0.0
    return total / len(rankings)


def citation_accuracy(cited: Sequence[Sequence[str]], relevant: Sequence[set[str]]) -> float:
    """Share of answers whose citations are exactly relevant documents (at least one, no irrelevant one)."""
    _check_lengths(cited, relevant)
    return sum(bool(c) and set(c) <= rel for c, rel in zip(cited, relevant)) / len(relevant)


def _check_lengths(a: Sequence, b: Sequence) -> None:
    if len(a) != len(b):
        raise ValueError(f"{len(a)} rankings for {len(b)} questions")
    if not b:
        raise ValueError("nothing to score: no questions")


# ---- a whole RAG system --------------------------------------------------------------------------

def gold_chunks(docs: Sequence) -> dict[str, set[str]]:
    """fact id -> ids of the chunks that state it (from the world's 'facts' metadata)."""
    gold: dict[str, set[str]] = {}
    for d in docs:
        for fact_id in filter(None, d.metadata.get("facts", "").split(";")):
            gold.setdefault(fact_id, set()).add(d.metadata.get("chunk") or d.metadata["source"])
    return gold


def score_rag(chain, questions: Sequence, gold: dict[str, set[str]], k: int) -> dict[str, float]:
    """Run a RAG chain on world questions (batched); score answers, retrieval and citations."""
    start = time.perf_counter()
    outs = chain.batch([q.question for q in questions])
    seconds = time.perf_counter() - start
    rankings = [[p.metadata.get("chunk") or p.metadata["source"] for p in o["passages"]] for o in outs]
    relevant = [gold.get(q.fact_id, set()) for q in questions]
    return {"exact_match": accuracy([o["answer"] for o in outs], [q.answer for q in questions]),
            "recall@1": recall_at_k(rankings, relevant, 1), f"recall@{k}": recall_at_k(rankings, relevant, k),
            "mrr": mrr(rankings, relevant), "ndcg@10": ndcg_at_k(rankings, relevant, 10),
            "citation_accuracy": citation_accuracy([o["sources"] for o in outs], relevant),
            "ms_per_question": 1000 * seconds / len(questions)}


def latency_ms(retriever, questions: Sequence[str]) -> dict[str, float]:
    """Per-query retrieval latency: median and 95th percentile, in milliseconds."""
    times = []
    for q in questions:
        start = time.perf_counter()
        retriever.invoke(q)
        times.append(1000 * (time.perf_counter() - start))
    times.sort()
    return {"p50_ms": times[len(times) // 2], "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))]}
