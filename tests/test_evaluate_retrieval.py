"""Retrieval metrics named for what they compute, and computed as trec_eval computes them (pytrec_eval, the peer)."""

import numpy as np
import pytest
import pytrec_eval

from ragft.evaluate import hit_rate_at_k, mrr_at_k, ndcg_at_k, recall_at_k


def _random_run(seed: int, graded: bool, n_queries: int = 60, pool: int = 40):
    """Random rankings (1 to 25 distinct documents) and qrels (1 to 6 relevant documents, some judged non-relevant)."""
    rng = np.random.default_rng(seed)
    rankings, qrels = [], []
    for _ in range(n_queries):
        docs = [f"d{i}" for i in rng.permutation(pool)]
        rankings.append(docs[:int(rng.integers(1, 26))])
        judged = rng.choice(pool, size=int(rng.integers(1, 9)), replace=False)
        grades = rng.integers(1, 4, size=len(judged)) if graded else np.ones(len(judged), dtype=int)
        grades[1:] *= rng.random(len(judged) - 1) < 0.7   # about 30% judged non-relevant (grade 0)
        qrels.append({f"d{d}": int(g) for d, g in zip(judged, grades)})
    return rankings, qrels


def _trec_eval(rankings, qrels, measures, cut: int | None = None) -> dict[str, float]:
    """Mean of each measure over queries, by pytrec_eval; distinct scores fix the order, `cut` truncates the run."""
    run = {str(q): {d: float(len(r) - i) for i, d in enumerate(r[:cut])} for q, r in enumerate(rankings)}
    per_query = pytrec_eval.RelevanceEvaluator({str(q): g for q, g in enumerate(qrels)}, measures).evaluate(run)
    assert len(per_query) == len(rankings)
    names = next(iter(per_query.values())).keys()
    return {m: float(np.mean([scores[m] for scores in per_query.values()])) for m in names}


@pytest.mark.parametrize("graded", [False, True], ids=["binary", "graded"])
@pytest.mark.parametrize("seed", range(5))
def test_every_retrieval_metric_agrees_with_trec_eval(seed, graded):
    rankings, qrels = _random_run(seed, graded)
    relevant = [{d for d, g in q.items() if g > 0} for q in qrels]
    peer = _trec_eval(rankings, qrels, {"success.1,3,5,10", "recall.1,3,5,10", "ndcg_cut.5,10"})
    for k in (1, 3, 5, 10):
        assert hit_rate_at_k(rankings, relevant, k) == pytest.approx(peer[f"success_{k}"], abs=1e-9), k
        assert recall_at_k(rankings, relevant, k) == pytest.approx(peer[f"recall_{k}"], abs=1e-9), k
    for k in (5, 10):
        assert ndcg_at_k(rankings, qrels, k) == pytest.approx(peer[f"ndcg_cut_{k}"], abs=1e-9), k
    for k in (1, 10):
        cut = _trec_eval(rankings, qrels, {"recip_rank"}, cut=k)["recip_rank"]
        assert mrr_at_k(rankings, relevant, k) == pytest.approx(cut, abs=1e-9), k
    assert mrr_at_k(rankings, relevant) == mrr_at_k(rankings, relevant, 10)


def test_hit_rate_reads_higher_than_recall_when_a_query_has_several_relevant_documents():
    rankings = [["a", "x", "y"], ["z", "b", "c"]]
    relevant = [{"a", "b", "c", "d"}, {"b"}]
    assert hit_rate_at_k(rankings, relevant, 3) == 1.0
    assert recall_at_k(rankings, relevant, 3) == pytest.approx((1 / 4 + 1) / 2)


def test_mrr_counts_only_a_first_hit_within_the_cutoff():
    rankings = [[f"n{i}" for i in range(10)] + ["gold"], ["gold"]]
    relevant = [{"gold"}, {"gold"}]
    assert mrr_at_k(rankings, relevant, 10) == pytest.approx(0.5)
    assert mrr_at_k(rankings, relevant, 11) == pytest.approx((1 / 11 + 1) / 2)


def test_a_query_without_relevant_documents_scores_zero_and_k_must_be_a_positive_whole_number():
    assert recall_at_k([["a"], ["b"]], [{"a"}, set()], 1) == 0.5
    assert hit_rate_at_k([["a"], ["b"]], [{"a"}, set()], 1) == 0.5
    for metric in (hit_rate_at_k, recall_at_k, mrr_at_k, ndcg_at_k):
        with pytest.raises(ValueError, match="k must be at least 1"):
            metric([["a"]], [{"a"}], 0)
        with pytest.raises(TypeError, match="k must be a whole number"):
            metric([["a"]], [{"a"}], 2.5)
