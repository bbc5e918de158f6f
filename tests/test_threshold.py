"""The decision model and its explorer, without a browser: formulas, threshold, presets, handlers."""

from dataclasses import replace

import pytest

from ragft import threshold as th
from ragft.course.widgets import explorer
from ragft.results import FinetuneResults, HybridResults, ParametricResults, RagResults

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


def _copy_shipped(folder, *records):
    """The kit's shipped results of `records`, copied into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        (folder / record.path("shipped").name).write_bytes(record.path("shipped").read_bytes())


def test_measurements_come_from_results_or_the_shipped_copy(tmp_path):
    _copy_shipped(tmp_path / "shipped", ParametricResults, RagResults, FinetuneResults)
    m = th.load_measurements(tmp_path)
    f = FinetuneResults.read("shipped")
    assert "shipped" in m.source and "hybrid" not in m.source and m.hybrid_static is None
    assert m.rag_dynamic == {1: 0.95, 30: 0.95, 90: 0.925, 365: 0.925}
    assert m.ft_seconds_per_fact == pytest.approx(sum(w.ft_seconds for w in f.week) / (7 * 68))
    assert m.ft_dynamic == pytest.approx(sum(w.ft_today for w in f.week) / 7) and m.ft_static == f.old_fact_acc_after_replay
    mine = replace(ParametricResults.read("shipped"), closed_static=0.5)
    mine.save(tmp_path)
    assert "shipped" in th.load_measurements(tmp_path).source  # notebooks 01-04 count once all three have run
    _copy_shipped(tmp_path, RagResults, FinetuneResults)
    yours = th.load_measurements(tmp_path)
    assert "your measurements" in yours.source and yours.closed_static == 0.5
    assert th.load_measurements(tmp_path, whose="shipped").closed_static == 1.0
    with pytest.raises(FileNotFoundError, match="run notebooks 01-04"):
        th.load_measurements(tmp_path / "empty")


def test_the_hybrid_curve_uses_notebook_06_when_it_has_run(tmp_path):
    _copy_shipped(tmp_path / "shipped", ParametricResults, RagResults, FinetuneResults)
    assert th.load_measurements(tmp_path).hybrid_static is None
    _copy_shipped(tmp_path / "shipped", HybridResults)
    shipped = th.load_measurements(tmp_path)
    assert shipped.hybrid_static == 1.0 and shipped.source.endswith("hybrid: notebook 06, shipped")
    by_type = HybridResults.read("shipped").by_type
    replace(HybridResults.read("shipped"), by_type={**by_type, "hybrid": {"static": 0.99, "dynamic": 0.9}}).save(tmp_path)
    yours = th.load_measurements(tmp_path)
    assert yours.hybrid_static == 0.99 and yours.source.endswith("hybrid: notebook 06, yours")
    assert th.load_measurements(tmp_path, whose="shipped").hybrid_static == 1.0
    s = th.Scenario(dynamic_share=0.0)
    assert th.accuracy("hybrid", s, M) == pytest.approx(M.closed_static)
    assert th.accuracy("hybrid", s, replace(M, hybrid_static=0.99)) == pytest.approx(0.99)


def test_every_unit_number_says_whose_it_is(tmp_path):
    from ragft.course.widgets import whose_numbers

    _copy_shipped(tmp_path / "shipped", ParametricResults, RagResults, FinetuneResults, HybridResults)
    replace(ParametricResults.read("shipped"), closed_static=0.5).save(tmp_path)  # notebook 01 run, 04 not yet
    m = th.load_measurements(tmp_path)
    assert set(m.whose) == {"closed_static", "stale_dynamic", "ft_dynamic", "rag_static", "rag_dynamic",
                            "ft_seconds_per_fact", "index_seconds_per_doc", "query_seconds_closed",
                            "query_seconds_rag", "docs_per_fact", "hybrid_static", "ft_static"}
    assert set(m.whose.values()) == {"shipped"}
    table = whose_numbers(m, tmp_path)
    assert "closed_static          shipped  1.0" in table and "notebook 01 are not used yet" in table
    _copy_shipped(tmp_path, RagResults, FinetuneResults)
    yours = th.load_measurements(tmp_path)
    assert yours.whose["closed_static"] == yours.whose["rag_dynamic"] == "yours"
    assert yours.whose["hybrid_static"] == "shipped"                     # notebook 06 not run
    table = whose_numbers(yours, tmp_path)
    assert "closed_static          yours    0.5" in table and "not used yet" not in table
    shown = explorer(yours).children[0].children[1].value
    assert "<b>shipped</b>: hybrid_static " in shown and "closed_static" in shown.split("<b>shipped</b>")[0]
    assert "<b>Yours</b>: none; <b>shipped</b>: all 12" in explorer(m).children[0].children[1].value


def test_explorer_sliders_show_every_preset_and_the_default_exactly():
    """A browser snaps a slider to min + a multiple of its step: every default and preset value must be one."""
    widget = explorer(M)
    assert widget.controls["changes_per_day"].value == th.Scenario().changes_per_day == 68
    for name, preset in [("(custom)", th.Scenario())] + list(th.PRESETS.items()):
        for key, value in vars(preset).items():
            c = widget.controls[key]
            steps = (value - c.min) / c.step
            assert abs(steps - round(steps)) < 1e-9, f"{name}: {key}={value} would show as a multiple of {c.step}"
        if name != "(custom)":
            widget.controls["preset"].value = name
            assert widget.state["scenario"] == preset, name
