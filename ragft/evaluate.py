"""Scores: answers (exact match, with 95% intervals and paired comparisons) and retrieval (hit@k, recall@k, MRR@10,
nDCG@10, citations)."""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ragft.inputs import check_int

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


def exact_matches(predictions: Sequence[str], golds: Sequence[str]) -> list[bool]:
    """Whether each prediction matches its gold answer: the per-item outcomes `estimate` and `compare` read."""
    if len(predictions) != len(golds):
        raise ValueError(f"{len(predictions)} predictions for {len(golds)} gold answers")
    return [exact_match(p, g) for p, g in zip(predictions, golds)]


@dataclass(frozen=True)
class Estimate:
    """An accuracy (0 to 1) over n items and its 95% interval [low, high]: where the true accuracy likely lies."""

    value: float
    low: float
    high: float
    n: int

    @property
    def interval(self) -> list[float]:
        """[low, high], as a results file stores it."""
        return [self.low, self.high]

    @classmethod
    def from_scores(cls, scores: Mapping[str, float], n: int, key: str = "exact_match") -> Estimate:
        """The estimate inside a dict of scores that holds key, key_low and key_high (as `score_rag` returns)."""
        if not all(name in scores for name in (key, f"{key}_low", f"{key}_high")):
            raise KeyError(f"the scores hold no {key} with its interval ({key}_low, {key}_high); they hold "
                           f"{', '.join(scores)}")
        return cls(scores[key], scores[f"{key}_low"], scores[f"{key}_high"], n)

    @property
    def short(self) -> str:
        """'78% [70-85%]': the value and its 95% interval in whole percents, for a table or a line of figures."""
        return f"{self.value:.0%} [{100 * self.low:.0f}-{self.high:.0%}]"

    def __format__(self, spec: str) -> str:
        """f"{e:.1%}" formats the value alone; f"{e}" gives the value with its interval (`short`: a compact form)."""
        return format(self.value, spec) if spec else str(self)

    def __str__(self) -> str:
        return f"{self.value:.1%} (95% interval {100 * self.low:.1f}-{self.high:.1%}, n={self.n})"


@dataclass(frozen=True)
class Difference:
    """A paired difference b - a of two accuracies on the same n items (-1 to 1) and its 95% interval."""

    value: float
    low: float
    high: float
    n: int

    @property
    def within_noise(self) -> bool:
        """True when the interval holds 0: the data cannot tell the two systems apart."""
        return self.low <= 0 <= self.high

    @property
    def phrase(self) -> str:
        """'+2.2 points [-3.1, +7.4]: within noise', for a printout or a sentence."""
        points = [f"{100 * x + 0.0:+.1f}" for x in (self.value, self.low, self.high)]
        return f"{points[0]} points [{points[1]}, {points[2]}]: {'within' if self.within_noise else 'beyond'} noise"

    def __str__(self) -> str:
        return self.phrase


def estimate(correct: Sequence[bool], clusters: Sequence | None = None, seed: int = 0,
             n_boot: int = 2000) -> Estimate:
    """The share of correct items and its 95% interval. With `clusters` (each item's fact id: wordings of one fact
    are right or wrong together), a percentile bootstrap that resamples whole facts; without, Wilson's interval."""
    values = _outcomes("correct", correct)
    n, value = len(values), float(values.mean())
    if clusters is None:
        low, high = interval(int(values.sum()), n)
    else:
        codes = _cluster_codes(clusters, n)
        low, high = _bootstrap(values, codes, seed, n_boot, floor=0.0)
    return Estimate(value, low, high, n)


def compare(a_correct: Sequence[bool], b_correct: Sequence[bool], clusters: Sequence | None = None, seed: int = 0,
            n_boot: int = 2000) -> Difference:
    """How much better system b does than system a on the same items (b - a), with a 95% interval from a paired
    bootstrap over facts (`clusters`; each item alone without): `within_noise` when it holds 0."""
    a, b = _outcomes("a_correct", a_correct), _outcomes("b_correct", b_correct)
    if len(a) != len(b):
        raise ValueError(f"a_correct has {len(a)} items and b_correct {len(b)}: compare two systems on the same items")
    codes = np.arange(len(a)) if clusters is None else _cluster_codes(clusters, len(a))
    low, high = _bootstrap(b - a, codes, seed, n_boot, floor=-1.0)
    return Difference(float((b - a).mean()), low, high, len(a))


def score(predictions: Sequence[str], golds: Sequence[str], clusters: Sequence | None = None) -> Estimate:
    """Exact match with its 95% interval: `accuracy` plus how far it can be trusted (pass each item's fact id as
    `clusters` when a fact is asked in several wordings)."""
    return estimate(exact_matches(predictions, golds), clusters)


def error_bars(estimates: Sequence[Estimate]) -> list[list[float]]:
    """The distances below and above each value to its interval's ends, as matplotlib's `yerr` takes them."""
    estimates = list(estimates)
    return [[max(0.0, e.value - e.low) for e in estimates], [max(0.0, e.high - e.value) for e in estimates]]


def _outcomes(name: str, correct: Sequence[bool]) -> np.ndarray:
    """Per-item outcomes (True/False or 1/0) as a float array; a clear error for anything else."""
    if isinstance(correct, (str, bytes)) or not isinstance(correct, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a list of True/False, one per item, got {type(correct).__name__}")
    values = np.asarray(correct, dtype=float) if len(correct) else np.zeros(0)
    if values.ndim != 1 or not np.isin(values, (0, 1)).all():
        raise ValueError(f"{name} must hold only True/False (or 1/0), one per item, got {list(correct)[:5]!r}...")
    if not len(values):
        raise ValueError(f"nothing to score: {name} is empty")
    return values


def _cluster_codes(clusters: Sequence, n: int) -> np.ndarray:
    """Each item's cluster as an integer 0..C-1."""
    if isinstance(clusters, (str, bytes)) or len(clusters) != n:
        raise ValueError(f"clusters must give one fact id per item ({n}), got "
                         f"{len(clusters) if not isinstance(clusters, (str, bytes)) else repr(clusters)}")
    return np.unique(np.asarray([str(c) for c in clusters]), return_inverse=True)[1]


def _bootstrap(values: np.ndarray, codes: np.ndarray, seed: int, n_boot: int, floor: float) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of the mean over n_boot resamples of whole clusters (with replacement).
    When every item has the same value resampling cannot vary: Wilson's half-width over the C clusters instead
    (`floor`: the lowest possible mean, 0 for an accuracy, -1 for a difference)."""
    seed, n_boot = check_int("seed", seed, 0), check_int("n_boot", n_boot, 100)
    sums, sizes = np.bincount(codes, weights=values), np.bincount(codes)
    if values.min() == values.max():
        spread = interval(0, len(sizes))[1]
        return max(floor, values[0] - spread), min(1.0, values[0] + spread)
    draws = np.random.default_rng(seed).integers(len(sizes), size=(n_boot, len(sizes)))
    means = sums[draws].sum(axis=1) / sizes[draws].sum(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


# ---- retrieval -----------------------------------------------------------------------------------

def hits_at_k(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str]], k: int) -> list[bool]:
    """Per query: is a relevant document in the top k? (`estimate` turns these into hit@k with its interval.)"""
    _check_lengths(rankings, relevant)
    k = check_int("k", k, 1)
    return [any(r in rel for r in ranked[:k]) for ranked, rel in zip(rankings, relevant)]


def hit_rate_at_k(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str]], k: int) -> float:
    """Hit@k (trec_eval's success@k, DPR's top-k accuracy): the share of queries with at least one relevant
    document in the top k. With one relevant document per query it equals recall@k; with several it reads higher."""
    hits = hits_at_k(rankings, relevant, k)
    return sum(hits) / len(hits)


def recall_at_k(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str]], k: int) -> float:
    """Recall@k as trec_eval (recall_k) and BEIR report it: for each query, the share of its relevant documents
    found in the top k, averaged over queries. A query with no relevant document scores 0, as in trec_eval."""
    _check_lengths(rankings, relevant)
    k = check_int("k", k, 1)
    return sum(len(set(ranked[:k]) & rel) / len(rel) for ranked, rel in zip(rankings, relevant) if rel) / len(relevant)


def mrr_at_k(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str]], k: int = 10) -> float:
    """MRR@k (MS MARCO reports MRR@10): the mean over queries of 1 / rank of the first relevant document when it
    is in the top k, else 0 (trec_eval's recip_rank on rankings cut at k)."""
    _check_lengths(rankings, relevant)
    k = check_int("k", k, 1)
    ranks = [next((i for i, r in enumerate(ranked[:k], 1) if r in rel), None) for ranked, rel in zip(rankings, relevant)]
    return sum(1 / r for r in ranks if r) / len(ranks)


def ndcg_at_k(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str] | Mapping[str, float]], k: int = 10) -> float:
    """Mean nDCG@k (Järvelin & Kekäläinen 2002, as trec_eval's ndcg_cut and BEIR compute it): gain = grade (1 for
    a set of ids), discounted by log2(rank + 1), over the ideal ordering of every judged relevant document."""
    _check_lengths(rankings, relevant)
    k = check_int("k", k, 1)
    total = 0.0
    for ranked, rel in zip(rankings, relevant):
        gain = rel if isinstance(rel, Mapping) else dict.fromkeys(rel, 1)
        dcg = sum(gain[r] / math.log2(i + 1) for i, r in enumerate(ranked[:k], 1) if r in gain)
        ideal = sum(g / math.log2(i + 1) for i, g in enumerate(sorted(gain.values(), reverse=True)[:k], 1))
        total += dcg / ideal if ideal else 0.0
    return total / len(rankings)


def citations_right(cited: Sequence[Sequence[str]], relevant: Sequence[set[str]]) -> list[bool]:
    """Per answer: does it cite at least one document, and only relevant ones?"""
    _check_lengths(cited, relevant)
    return [bool(c) and set(c) <= rel for c, rel in zip(cited, relevant)]


def citation_accuracy(cited: Sequence[Sequence[str]], relevant: Sequence[set[str]]) -> float:
    """Share of answers whose citations are exactly relevant documents (at least one, no irrelevant one)."""
    right = citations_right(cited, relevant)
    return sum(right) / len(right)


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
    Keys: hit@1 and hit@k (share of questions with a relevant document in the top 1 / k), recall@k (share of each
    question's relevant documents in the top k), mrr@10, ndcg@10, citation_accuracy, exact_match, ms_per_question.
    Every share (hit@1, hit@k, citation_accuracy, exact_match) comes with its 95% interval, bootstrapped over facts
    (over queries for your own documents): NAME_low and NAME_high, read by `Estimate.from_scores(scores, n, NAME)`.
    """
    return score_rag_each(chain, questions, gold, k)[0]


def score_rag_each(chain, questions: Sequence | Mapping[str, str], gold: Mapping[str, set[str] | Mapping[str, float]],
                   k: int) -> tuple[dict[str, float], list[bool] | None]:
    """`score_rag`'s scores, and each question's answer right or wrong (None without answers), for `compare`:
    the chain runs once for both."""
    if isinstance(questions, Mapping):
        items = [(qid, text, None) for qid, text in questions.items()]
    else:
        items = [(q.fact_id, q.question, q.answer) for q in questions]
    start = time.perf_counter()
    outs = chain.batch([text for _, text, _ in items])
    seconds = time.perf_counter() - start
    rankings = [[_doc_id(p) for p in o["passages"]] for o in outs]
    grades = [_relevant(gold.get(qid, set())) for qid, _, _ in items]
    relevant, clusters = [set(g) for g in grades], [qid for qid, _, _ in items]
    shares = {"hit@1": hits_at_k(rankings, relevant, 1), f"hit@{k}": hits_at_k(rankings, relevant, k),
              "citation_accuracy": citations_right([o["sources"] for o in outs], relevant)}
    right = None
    if all(answer is not None for _, _, answer in items):
        right = exact_matches([o["answer"] for o in outs], [answer for _, _, answer in items])
        shares = {"exact_match": right, **shares}
    scores = {}
    for name, outcomes in shares.items():
        e = estimate(outcomes, clusters)
        scores.update({name: e.value, f"{name}_low": e.low, f"{name}_high": e.high})
    return {**scores, f"recall@{k}": recall_at_k(rankings, relevant, k), "mrr@10": mrr_at_k(rankings, relevant, 10),
            "ndcg@10": ndcg_at_k(rankings, grades, 10), "ms_per_question": 1000 * seconds / len(items)}, right


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
