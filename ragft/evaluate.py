"""Scores: answers (exact match) and retrieval (recall@k, MRR, nDCG, citations)."""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path
from typing import Mapping, Sequence

_PUNCT = re.compile(r"[^\w\s.\-]|(?<!\d)\.|\.(?!\d)|-(?!\d)")
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text: str) -> str:
    """Lower-case, drop articles and punctuation, squeeze spaces; keep '-3' and '184.20' intact."""
    text = _PUNCT.sub(" ", text.lower())
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, gold: str) -> bool:
    return normalize_answer(prediction) == normalize_answer(gold)


def accuracy(predictions: Sequence[str], golds: Sequence[str]) -> float:
    """Share of exact matches (0 to 1)."""
    if len(predictions) != len(golds):
        raise ValueError(f"{len(predictions)} predictions for {len(golds)} gold answers")
    if not golds:
        raise ValueError("nothing to score: no gold answers")
    return sum(exact_match(p, g) for p, g in zip(predictions, golds)) / len(golds)


def interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson's 95% interval for a share of successes out of n: honest at small n and at 0 or n successes."""
    if not (isinstance(n, int) and isinstance(successes, int) and 0 <= successes <= n and n > 0):
        raise ValueError(f"interval needs whole numbers 0 <= successes <= n and n > 0, "
                         f"got successes={successes!r}, n={n!r}")
    share, spread = successes / n, z * z / n
    centre = (share + spread / 2) / (1 + spread)
    half = z * math.sqrt(share * (1 - share) / n + spread / (4 * n)) / (1 + spread)
    return max(0.0, centre - half), min(1.0, centre + half)


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


def ndcg_at_k(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str] | Mapping[str, float]], k: int = 10) -> float:
    """Mean nDCG@k: binary relevance for a set of ids, graded (gain = grade) for {id: grade} as in a qrels file."""
    _check_lengths(rankings, relevant)
    total = 0.0
    for ranked, rel in zip(rankings, relevant):
        gain = rel if isinstance(rel, Mapping) else dict.fromkeys(rel, 1)
        dcg = sum(gain[r] / math.log2(i + 1) for i, r in enumerate(ranked[:k], 1) if r in gain)
        ideal = sum(g / math.log2(i + 1) for i, g in enumerate(sorted(gain.values(), reverse=True)[:k], 1))
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
    """fact id -> ids of the chunks that state it, from the course world's 'facts' metadata (empty on documents
    without it: score those against a relevance file, `read_qrels`)."""
    gold: dict[str, set[str]] = {}
    for d in docs:
        for fact_id in filter(None, d.metadata.get("facts", "").split(";")):
            gold.setdefault(fact_id, set()).add(_doc_id(d))
    return gold


def read_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """A relevance file as {query id: {doc id: grade}}: JSON in that shape, or lines 'query doc grade' (BEIR's
    TSV, header allowed) or 'query 0 doc grade' (TREC)."""
    path = Path(path)
    if path.suffix == ".json":
        return {str(q): {str(d): int(g) for d, g in docs.items()} for q, docs in json.loads(path.read_text()).items()}
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split()
        if not fields or (n == 1 and len(fields) in (3, 4) and not fields[-1].lstrip("-").isdigit()):
            continue  # a blank line or a header
        if len(fields) not in (3, 4) or not fields[-1].lstrip("-").isdigit():
            raise ValueError(f"{path}:{n}: expected 'query doc grade' or 'query 0 doc grade', got {line!r}")
        qrels.setdefault(fields[0], {})[fields[-2]] = int(fields[-1])
    return qrels


def score_rag(chain, questions: Sequence | Mapping[str, str], gold: Mapping[str, set[str] | Mapping[str, float]],
              k: int) -> dict[str, float]:
    """Run a RAG chain on questions (batched); score its retrieval and citations, and its answers where known.

    Course world: `questions` are QA items, `gold` is `gold_chunks(docs)` (fact id -> chunk ids). Your own
    documents: `questions` is {query id: question}, `gold` a relevance file {query id: {doc id: grade}}
    (`read_qrels`): grade > 0 is relevant, nDCG uses the grades, and exact match is left out (no answers).
    recall@k is the hit rate: the share of questions with a relevant document in the top k.
    """
    if isinstance(questions, Mapping):
        items = [(qid, text, None) for qid, text in questions.items()]
    else:
        items = [(q.fact_id, q.question, q.answer) for q in questions]
    start = time.perf_counter()
    outs = chain.batch([text for _, text, _ in items])
    seconds = time.perf_counter() - start
    rankings = [[_doc_id(p) for p in o["passages"]] for o in outs]
    grades = [_relevant(gold.get(qid, set())) for qid, _, _ in items]
    relevant = [set(g) for g in grades]
    scores = {}
    if all(answer is not None for _, _, answer in items):
        scores["exact_match"] = accuracy([o["answer"] for o in outs], [answer for _, _, answer in items])
    return {**scores, "recall@1": recall_at_k(rankings, relevant, 1), f"recall@{k}": recall_at_k(rankings, relevant, k),
            "mrr": mrr(rankings, relevant), "ndcg@10": ndcg_at_k(rankings, grades, 10),
            "citation_accuracy": citation_accuracy([o["sources"] for o in outs], relevant),
            "ms_per_question": 1000 * seconds / len(items)}


def _relevant(gold: set[str] | Mapping[str, float]) -> dict[str, float]:
    """The relevant ids with their grades: a set's ids at grade 1, a qrels entry's ids graded above 0."""
    return {d: g for d, g in gold.items() if g > 0} if isinstance(gold, Mapping) else dict.fromkeys(gold, 1)


def _doc_id(doc) -> str:
    """A document's id as `ragft.rag.doc_id` reads it by default: doc.id, else its 'chunk', else its 'source'."""
    found = doc.id or doc.metadata.get("chunk") or doc.metadata.get("source")
    if not found:
        raise ValueError(f"the document {doc.page_content[:40]!r} has no id: give every document Document(id=...) "
                         "(the kit's retrievers and stores do)")
    return found


def latency_ms(retriever, questions: Sequence[str]) -> dict[str, float]:
    """Per-query retrieval latency: median and 95th percentile, in milliseconds."""
    times = []
    for q in questions:
        start = time.perf_counter()
        retriever.invoke(q)
        times.append(1000 * (time.perf_counter() - start))
    times.sort()
    return {"p50_ms": times[len(times) // 2], "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))]}
