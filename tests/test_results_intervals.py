"""Every accuracy a results file holds can carry its 95% interval: notebooks pass Estimates, the record splits them
into the number and `intervals` (keyed by the accuracy's dotted path), checks them, and saves them."""

import json

import pytest

from ragft.evaluate import Estimate
from ragft.results import (FinetuneResults, HybridResults, ParametricResults, RagResults, RetrievalResults,
                           ThresholdResults, WeekDay, _split)


def test_estimates_become_numbers_and_intervals_that_save_and_read_back(tmp_path):
    record = ParametricResults.from_estimates(closed_static=Estimate(0.95, 0.9, 0.98, 416),
                                              closed_unseen_day=Estimate(0.09, 0.04, 0.14, 136),
                                              closed_seconds_per_question=0.002)
    assert record.closed_static == 0.95 and record.interval("closed_static") == (0.9, 0.98)
    record.save(tmp_path)
    saved = json.loads((tmp_path / "parametric.json").read_text())
    assert saved["closed_static"] == 0.95
    assert saved["intervals"] == {"closed_static": [0.9, 0.98], "closed_unseen_day": [0.04, 0.14]}
    assert ParametricResults.read("yours", tmp_path) == record


def test_nested_accuracies_are_keyed_by_their_dotted_path(tmp_path):
    rag = RagResults.read("shipped")
    fields = {f: getattr(rag, f) for f in ("rag_static", "rag_dynamic_today", "rag_seconds_per_question_by_days_kept",
                                           "rag_dynamic_by_days_kept_plain", "growth")}
    record = RagResults.from_estimates(**fields, rag_dynamic_by_days_kept={1: Estimate(1.0, 0.95, 1.0, 136),
                                                                           30: Estimate(0.9, 0.8, 0.96, 136)})
    assert record.rag_dynamic_by_days_kept == {1: 1.0, 30: 0.9}
    assert record.interval("rag_dynamic_by_days_kept.30") == (0.8, 0.96)
    assert record.interval("rag_static") is None      # stored without an interval
    record.save(tmp_path)
    assert RagResults.read("yours", tmp_path).interval("rag_dynamic_by_days_kept.30") == (0.8, 0.96)
    week = WeekDay(day=61, facts=68, docs=44, ft_seconds=1.0, index_seconds=0.1, index_bytes=10,
                   ft_today=Estimate(0.5, 0.4, 0.6, 136), rag_today=1.0)

    intervals = {}
    assert _split([week], "week", intervals)[0].ft_today == 0.5 and intervals == {"week.0.ft_today": [0.4, 0.6]}


def test_a_file_without_intervals_reads_with_none_and_saves_back_unchanged(tmp_path):
    shipped = ParametricResults.read("shipped")
    assert shipped.intervals == {} or shipped.interval("closed_static") is not None
    shipped.save(tmp_path)
    assert (tmp_path / "parametric.json").read_bytes() == ParametricResults.path("shipped").read_bytes()


@pytest.mark.parametrize("intervals, message", [
    ({"closed_statik": [0.9, 1.0]}, "has no 'closed_statik'"),
    ({"closed_static": [0.9]}, r"\[low, high\] with 0 <= low <= high <= 1"),
    ({"closed_static": [0.99, 0.9]}, r"\[low, high\]"),
    ({"closed_static": [0.9, 1.2]}, r"\[low, high\]"),
])
def test_an_interval_that_names_no_accuracy_or_is_not_low_high_is_refused(tmp_path, intervals, message):
    data = {"closed_static": 0.95, "closed_unseen_day": 0.1, "closed_seconds_per_question": 0.01,
            "intervals": intervals}
    (tmp_path / "parametric.json").write_text(json.dumps(data))
    with pytest.raises((ValueError, KeyError), match=message):
        ParametricResults.read("yours", tmp_path)


def test_a_key_with_a_dot_cannot_name_a_path():
    with pytest.raises(ValueError, match="may not hold '.'"):
        ParametricResults.from_estimates(closed_static={"a.b": Estimate(1, 1, 1, 1)}, closed_unseen_day=0.1,
                                         closed_seconds_per_question=0.1)


ACCURACIES = {  # after the notebooks' next run (shipped results regenerated): every accuracy has its interval
    ParametricResults: ["closed_static", "closed_unseen_day"],
    RetrievalResults: ["retrievers.hybrid.hit@1", "retrievers.hybrid.exact_match",
                       "hot_swap.today's index (day 62).day-62 questions"],
    RagResults: ["rag_static", "rag_dynamic_today", "rag_dynamic_by_days_kept.30", "growth.365.plain.hit@1"],
    FinetuneResults: ["raw_heldout_acc", "paraphrase_heldout_acc", "lora_acc", "full_acc", "old_fact_acc_after_replay",
                      "week.0.ft_today", "week.0.rag_today"],
    ThresholdResults: ["validation.0.measured"],
    HybridResults: ["acc_hybrid", "acc_rag_only", "acc_ft_only", "measured_by_share.hybrid.0", "by_type.hybrid.static",
                    "retriever_hit1_after", "raft_acc_by_k.RAFT reader.2.dynamic"],
}


@pytest.mark.parametrize("record", list(ACCURACIES), ids=lambda r: r.NAME)
def test_the_shipped_results_store_an_interval_for_every_accuracy(record):
    shipped = record.read("shipped")
    for path in ACCURACIES[record]:
        low, high = shipped.interval(path) or (None, None)
        assert low is not None, f"results/shipped/{record.NAME}.json has no interval for {path}: rerun notebook " \
                                f"{record.NOTEBOOK} and copy its results to results/shipped"
        assert low <= high
