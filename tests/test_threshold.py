"""The decision model and its explorer, without a browser: formulas, threshold, presets, handlers."""

import json
from dataclasses import replace

import pytest

from ragft import threshold as th
from ragft.course.widgets import explorer

M = th.Measured(closed_static=0.95, stale_dynamic=0.05, ft_dynamic=0.4, rag_static=0.9,
                rag_dynamic={1: 0.97, 30: 0.95, 365: 0.85}, ft_seconds_per_fact=0.2, index_seconds_per_doc=0.01,
                query_seconds_closed=0.01, query_seconds_rag={1: 0.03, 365: 0.05})


def test_accuracy_formulas_at_the_ends():
    s = th.Scenario(dynamic_share=0.0, retrain_every=1, days_kept=30)
    assert th.accuracy("fine-tuning only", s, M) == pytest.approx(0.95)
    assert th.accuracy("RAG only", s, M) == pytest.approx(0.9)
    dyn = replace(s, dynamic_share=1.0)
    assert th.accuracy("fine-tuning only", dyn, M) == pytest.approx(0.4)      # retrained daily
    assert th.accuracy("fine-tuning only", replace(dyn, retrain_every=10), M) == pytest.approx(0.1 * 0.4 + 0.9 * 0.05)
    assert th.accuracy("hybrid", dyn, M) == th.accuracy("RAG only", dyn, M) == pytest.approx(0.95)


def test_fine_tuning_only_keeps_the_static_accuracy_measured_after_retraining():
    s = th.Scenario(dynamic_share=0.0)
    assert th.accuracy("fine-tuning only", s, replace(M, ft_static=0.9)) == pytest.approx(0.9)
    assert th.accuracy("hybrid", s, replace(M, ft_static=0.9)) == pytest.approx(0.95)  # its static part is not retrained


def test_rag_accuracy_degrades_with_days_kept_by_log_interpolation():
    assert M.rag_dynamic_at(1) == 0.97 and M.rag_dynamic_at(1000) == 0.85
    assert 0.85 < M.rag_dynamic_at(100) < 0.95


def test_the_threshold_is_where_the_straight_lines_cross():
    s = th.Scenario(retrain_every=1, days_kept=30)
    t = th.threshold(s, M)
    # FT: 0.95 - 0.55 x ; RAG: 0.9 + 0.05 x  ->  x = 0.05 / 0.6
    assert t == pytest.approx(0.05 / 0.6)
    at = replace(s, dynamic_share=t)
    assert th.accuracy("fine-tuning only", at, M) == pytest.approx(th.accuracy("RAG only", at, M))
    never = replace(M, rag_static=0.99)
    assert th.threshold(s, never) == 0.0


def test_costs_add_up_and_hybrid_retrieves_only_for_dynamic_questions():
    s = th.Scenario(dynamic_share=0.5, changes_per_day=100, days_kept=1, queries_per_day=1000)
    rag = th.daily_cost("RAG only", s, M)
    hybrid = th.daily_cost("hybrid", s, M)
    assert rag["total"] == pytest.approx(rag["update"] + rag["answer"])
    assert hybrid["update"] == pytest.approx(rag["update"])
    assert hybrid["answer"] == pytest.approx(1000 * (0.5 * 0.01 + 0.5 * 0.03))
    assert th.daily_cost("fine-tuning only", s, M)["update"] == pytest.approx(2 * 100 * 0.2)


def test_recommendations_explain_themselves():
    choice, why = th.recommend(th.PRESETS["weather assistant"], M)
    assert choice in ("RAG only", "hybrid") and "dynamic" in why and "%" in why
    static_only = replace(th.PRESETS["product manual"], dynamic_share=0.0)
    choice, _ = th.recommend(static_only, M)
    assert choice != "RAG only"  # closed-book answers the static facts better, without a search
    assert th.accuracy("fine-tuning only", static_only, M) > th.accuracy("RAG only", static_only, M)


def test_bad_scenarios_are_refused():
    with pytest.raises(ValueError, match="proportion"):
        th.Scenario(dynamic_share=1.5)
    with pytest.raises(ValueError, match="retrain_every"):
        th.Scenario(retrain_every=0)
    with pytest.raises(ValueError, match="unknown strategy"):
        th.accuracy("prompting", th.Scenario(), M)


def test_explorer_handlers_update_the_readout():
    import time

    widget = explorer(M)
    first = widget.state["why"]
    start = time.perf_counter()
    widget.controls["dynamic_share"].value = 0.8
    redraw_s = time.perf_counter() - start
    assert widget.state["scenario"].dynamic_share == 0.8 and widget.state["why"] != first
    assert "80%" in widget.children[1].value
    widget.controls["preset"].value = "product manual"
    assert widget.state["scenario"] == th.PRESETS["product manual"]
    assert widget.controls["dynamic_share"].value == th.PRESETS["product manual"].dynamic_share
    print(f"redraw took {1000 * redraw_s:.0f} ms")


def test_measurements_come_from_results_or_the_shipped_copy(tmp_path):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    files = {"parametric.json": {"closed_static": 0.9, "closed_unseen_day": 0.1, "closed_seconds_per_question": 0.01},
             "rag.json": {"rag_static": 0.8, "rag_dynamic_by_days_kept": {"1": 0.9, "365": 0.7},
                          "rag_seconds_per_question_by_days_kept": {"1": 0.02, "365": 0.04}},
             "finetune.json": {"week": [{"ft_today": 0.5, "ft_seconds": 10, "index_seconds": 1, "facts": 68, "docs": 44}],
                               "old_fact_acc_after_replay": 0.85}}
    for name, data in files.items():
        (shipped / name).write_text(json.dumps(data))
    m = th.load_measurements(tmp_path)
    assert "shipped" in m.source and m.rag_dynamic == {1: 0.9, 365: 0.7} and m.ft_seconds_per_fact == pytest.approx(10 / 68)
    assert m.ft_static == 0.85
    for name, data in files.items():
        (tmp_path / name).write_text(json.dumps(data))
    assert "your measurements" in th.load_measurements(tmp_path).source
    with pytest.raises(FileNotFoundError, match="run notebooks 01-04"):
        th.load_measurements(tmp_path / "empty")


def test_the_hybrid_curve_uses_notebook_06_when_it_has_run(tmp_path):
    assert th.hybrid_results(tmp_path) is None
    (tmp_path / "shipped").mkdir()
    (tmp_path / "shipped" / "hybrid.json").write_text(json.dumps({"by_type": {"hybrid": {"static": 0.5, "dynamic": 0.9}}}))
    assert th.hybrid_results(tmp_path)["mine"] is False
    (tmp_path / "hybrid.json").write_text(json.dumps({"by_type": {"hybrid": {"static": 0.99, "dynamic": 0.9}}}))
    assert th.hybrid_results(tmp_path)["mine"] is True
    s = th.Scenario(dynamic_share=0.0)
    assert th.accuracy("hybrid", s, M) == pytest.approx(M.closed_static)
    assert th.accuracy("hybrid", s, replace(M, hybrid_static=0.99)) == pytest.approx(0.99)
