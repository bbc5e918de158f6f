"""The decision model and its explorer, without a browser: formulas, bands, money, threshold, presets, handlers."""

import re
from dataclasses import replace

import numpy as np
import pytest

from ragft import threshold as th
from ragft import unit_numbers as un
from ragft.course.widgets import explorer
from ragft.results import FinetuneResults, HybridResults, ParametricResults, RagResults

M = th.Measured(closed_static=0.95, stale_dynamic=0.05, ft_dynamic=0.4, rag_static=0.9,
                rag_dynamic={1: 0.97, 30: 0.95, 365: 0.85}, ft_seconds_per_fact=0.2, index_seconds_per_doc=0.01,
                query_seconds_closed=0.01, query_seconds_rag={1: 0.03, 365: 0.05}, tokens_closed=20.0, tokens_rag=150.0)
ONE_RUN = dict(retrain_every=1, rebuild_every=1)  # one fine-tuning run between rebuilds: no forgetting adds up


def test_accuracy_formulas_at_the_ends():
    s = th.Scenario(dynamic_share=0.0, days_kept=30, **ONE_RUN)
    assert th.accuracy("RAG only", s, M) == pytest.approx(0.9)
    assert th.accuracy("hybrid", s, M) == pytest.approx(0.95)  # no notebook 06: the base model's static accuracy
    dyn = replace(s, dynamic_share=1.0)
    assert th.accuracy("fine-tuning only", dyn, M) == pytest.approx(0.4)      # retrained daily
    weekly = replace(dyn, retrain_every=10, rebuild_every=10)                  # every fact changes daily: fresh 1/N
    assert th.accuracy("fine-tuning only", weekly, M) == pytest.approx(0.1 * 0.4 + 0.9 * 0.05)
    assert th.accuracy("hybrid", dyn, M) == th.accuracy("RAG only", dyn, M) == pytest.approx(0.95)


def test_a_mix_is_a_straight_line_between_its_two_parts():
    s = th.Scenario(dynamic_share=0.3)
    for k in th.STRATEGIES:
        static, dynamic = th.parts(k, s, un.terms(M))
        assert th.accuracy(k, s, M) == pytest.approx(0.7 * static + 0.3 * dynamic)


def test_forgetting_adds_up_over_retrains_and_replay_slows_it():
    m = replace(M, ft_static=0.85, ft_static_no_replay=0.6, old_before=0.95)
    s = th.Scenario(dynamic_share=0.0, retrain_every=1, rebuild_every=1)
    rho = (0.85 - 0.05) / (0.95 - 0.05)
    assert th.accuracy("fine-tuning only", s, m) == pytest.approx(0.05 + 0.9 * rho)  # one run: notebook 04's number
    many = replace(s, rebuild_every=10)                                           # ten runs before a rebuild
    assert th.accuracy("fine-tuning only", many, m) == pytest.approx(0.05 + 0.9 * np.mean([rho ** j for j in range(1, 11)]))
    assert th.accuracy("fine-tuning only", replace(many, replay=False), m) < th.accuracy("fine-tuning only", many, m)
    nothing = th.Scenario(dynamic_share=0.0, changes_per_day=0)                   # nothing to learn: the base model
    assert th.learns_nothing(nothing) and th.accuracy("fine-tuning only", nothing, m) == pytest.approx(0.95)


def test_slowly_changing_facts_stay_fresh_longer():
    s = th.Scenario(dynamic_share=1.0, retrain_every=30, rebuild_every=30)
    fast, slow = th.accuracy("fine-tuning only", s, M), th.accuracy("fine-tuning only", replace(s, change_rate=0.01), M)
    fresh = np.mean([0.99 ** d for d in range(30)])
    assert slow == pytest.approx(fresh * 0.4 + (1 - fresh) * 0.05) and slow > fast


def test_new_static_knowledge_is_learned_by_the_weights_or_read_from_the_store():
    s = th.Scenario(dynamic_share=0.0, static_known=0.0, changes_per_day=0)
    assert th.accuracy("fine-tuning only", s, M) == pytest.approx(0.4)   # learned in one run, at ft_dynamic
    assert th.accuracy("hybrid", s, M) == pytest.approx(0.4)
    assert th.accuracy("RAG only", s, M) == pytest.approx(0.9)           # read from its pages
    no_replay = replace(M, ft_dynamic_no_replay=0.8)
    assert th.accuracy("fine-tuning only", replace(s, replay=False), no_replay) == pytest.approx(0.8)


def test_measured_new_static_knowledge_replaces_the_days_and_rags_stand_ins_by_amount():
    m = replace(M, new_static_weights={10: 0.9, 1000: 0.5}, new_static_store={10: 0.1, 1000: 0.3})
    s = th.Scenario(dynamic_share=0.0, static_known=0.0, changes_per_day=0, static_facts=10)
    assert th.accuracy("fine-tuning only", s, m) == pytest.approx(0.9)
    assert th.accuracy("hybrid", s, m) == pytest.approx(0.9)
    assert th.accuracy("RAG only", s, m) == pytest.approx(0.1)           # not rag_static (0.9): new pages, read
    assert th.accuracy("RAG only", replace(s, static_facts=100), m) == pytest.approx(0.2)  # halfway in log(amount)
    assert th.accuracy("fine-tuning only", replace(s, static_facts=10**5), m) == pytest.approx(0.5)  # flat beyond
    half = replace(s, static_known=0.5, static_facts=20)                  # 10 new facts, 10 known
    assert th.accuracy("RAG only", half, m) == pytest.approx(0.5 * 0.9 + 0.5 * 0.1)
    with pytest.raises(ValueError, match="new_static_store"):
        replace(M, new_static_store={10: 1.5})


def test_fine_tuning_new_static_facts_in_makes_the_weights_forget_what_they_knew_as_measured():
    m = replace(M, new_static_weights={10: 0.9, 1000: 0.8}, new_static_store={10: 0.1, 1000: 0.1},
                new_static_old_after={10: 0.95, 1000: 0.5}, new_static_old_before=1.0)
    s = th.Scenario(dynamic_share=0.0, static_known=0.5, changes_per_day=0, static_facts=2000)  # 1,000 new facts
    keep = (0.5 - 0.05) / (1.0 - 0.05)
    assert th.accuracy("fine-tuning only", s, m) == pytest.approx(0.5 * (0.05 + (0.95 - 0.05) * keep) + 0.5 * 0.8)
    assert th.accuracy("hybrid", s, m) == pytest.approx(0.5 * (0.05 + (0.95 - 0.05) * keep) + 0.5 * 0.8)
    assert th.accuracy("RAG only", s, m) == pytest.approx(0.5 * 0.9 + 0.5 * 0.1)   # the store forgets nothing
    known = replace(s, static_known=1.0)                                          # nothing new: nothing forgotten
    assert th.accuracy("fine-tuning only", known, m) == pytest.approx(0.95)


def test_the_hybrid_reads_with_its_own_measured_accuracy_along_the_store_curve():
    m = replace(M, hybrid_static=0.99, hybrid_dynamic=0.9, hybrid_days_kept=1)
    s = th.Scenario(dynamic_share=1.0, days_kept=1)
    assert th.accuracy("hybrid", s, m) == pytest.approx(0.9)             # not RAG's 0.97
    assert th.accuracy("hybrid", replace(s, days_kept=365), m) == pytest.approx(0.9 - (0.97 - 0.85))
    assert th.accuracy("hybrid", replace(s, dynamic_share=0.0), m) == pytest.approx(0.99)


def test_the_store_curve_is_read_by_size_in_chunks():
    m = replace(M, store_chunks={1: 100, 30: 1000, 365: 10000}, docs_per_fact=1.0)
    small = th.Scenario(dynamic_share=1.0, days_kept=1, changes_per_day=100, static_facts=0)
    assert th.store_chunks(small, m) == 100 and th.accuracy("RAG only", small, m) == pytest.approx(0.97)
    busy = replace(small, changes_per_day=1000)                           # ten times the reports a day
    assert th.accuracy("RAG only", busy, m) == pytest.approx(0.95)       # a 1,000-chunk store, as 30 days above
    with_pages = replace(small, static_facts=9900)
    assert th.accuracy("RAG only", with_pages, m) == pytest.approx(0.85)
    assert th.accuracy("hybrid", with_pages, m) == pytest.approx(0.97)   # the hybrid's store holds no static pages


def test_the_threshold_is_where_the_straight_lines_cross():
    s = th.Scenario(days_kept=30, **ONE_RUN)
    t = th.threshold(s, M)
    assert t == pytest.approx(0.05 / 0.6)  # FT: 0.95 - 0.55 x ; RAG: 0.9 + 0.05 x
    at = replace(s, dynamic_share=t)
    assert th.accuracy("fine-tuning only", at, M) == pytest.approx(th.accuracy("RAG only", at, M))
    assert th.threshold(s, replace(M, rag_static=0.99)) == 0.0
    low, high = th.threshold_band(s, M)
    assert low == high == pytest.approx(t)  # no intervals: no band


def test_bands_carry_the_intervals_and_hold_the_prediction():
    m = replace(M, intervals={"rag_static": (0.85, 0.94), "rag_dynamic.1": (0.9, 1.0), "rag_dynamic.30": (0.88, 1.0),
                              "rag_dynamic.365": (0.75, 0.93)})
    s = th.Scenario(dynamic_share=0.5, days_kept=30)
    low, high = th.band("RAG only", s, m)
    assert low < th.accuracy("RAG only", s, m) < high and high - low > 0.02
    assert th.band("RAG only", s, m) == (low, high)                      # seeded: the same band every time
    assert th.band("RAG only", s, M) == pytest.approx((th.accuracy("RAG only", s, M),) * 2)
    draws = un.terms(m, 2000).rag_dynamic
    assert np.all(np.sign(draws[1] - 0.97) == np.sign(draws[365] - 0.85))  # one curve's points move together
    assert np.all((draws[365] >= 0) & (draws[365] <= 1))


def test_money_adds_up_without_a_made_up_replay_factor():
    p = th.Prices(cpu_hour=3.6, gpu_hour=36.0, per_million_tokens=1.0, per_million_tokens_tuned=2.0, storage_gb_month=0)
    s = th.Scenario(dynamic_share=0.5, changes_per_day=100, retrain_every=1, days_kept=1, queries_per_day=1000,
                    static_facts=0)
    rag, hybrid, ft = (th.daily_cost(k, s, M, p) for k in ("RAG only", "hybrid", "fine-tuning only"))
    for c in (rag, hybrid, ft):
        assert c["total"] == pytest.approx(c["train"] + c["index"] + c["store"] + c["answer"])
    assert ft["train"] == pytest.approx(100 * 0.2 * 3.6 / 3600)          # the measured seconds, replay included
    assert th.daily_cost("fine-tuning only", s, replace(M, train_device="gpu"), p)["train"] == pytest.approx(10 * ft["train"])
    assert hybrid["index"] == pytest.approx(rag["index"])
    assert rag["answer"] == pytest.approx(1000 * (150 / 1e6 + 0.03 * 3.6 / 3600))
    assert hybrid["answer"] == pytest.approx(1000 * ((0.5 * 20 + 0.5 * 150) * 2 / 1e6 + (0.5 * 0.01 + 0.5 * 0.03) * 3.6 / 3600))
    weekly = replace(s, retrain_every=7, change_rate=0.1)                  # 1,000 facts, a tenth changing a day
    assert th.daily_cost("fine-tuning only", weekly, M, p)["train"] == pytest.approx(1000 * (1 - 0.9 ** 7) / 7 * 0.2 * 3.6 / 3600)


def test_the_store_costs_its_memory():
    m = replace(M, store_chunks={1: 100, 365: 1000}, store_mb={1: 1.0, 365: 10.0}, docs_per_fact=1.0)
    s = th.Scenario(changes_per_day=100, days_kept=10, static_facts=0)
    p = th.Prices(storage_gb_month=30.0)
    assert th.daily_cost("RAG only", s, m, p)["store"] == pytest.approx(1000 * 0.01 / 1024)
    assert th.daily_cost("fine-tuning only", s, m, p)["store"] == 0


def test_within_noise_the_cheaper_decides_beyond_it_the_more_accurate():
    wide = replace(M, rag_static=0.94, intervals={"rag_static": (0.8, 1.0), "closed_static": (0.8, 1.0)})
    s = th.Scenario(dynamic_share=0.0, changes_per_day=0, queries_per_day=10000)
    d = th.decide(s, wide)
    assert set(d.within_noise) >= {"fine-tuning only", "RAG only"} and d.choice == "fine-tuning only"
    sharp = replace(M, rag_static=0.5)
    assert th.decide(s, sharp).within_noise == ["fine-tuning only", "hybrid"]   # no intervals: only exact ties
    choice, why = th.recommend(s, wide)
    assert "within noise" in why and "base model alone" in why and "illustrative" in why


def test_the_shipped_presets_land_on_different_sides_for_their_stated_reasons():
    m = th.load_measurements(whose="shipped")
    d = {name: th.decide(s, m) for name, s in th.PRESETS.items()}
    assert len({x.choice for x in d.values()}) >= 3
    tutor = th.PRESETS["capital-cities tutor"]
    assert d["capital-cities tutor"].choice == "fine-tuning only" and th.learns_nothing(tutor)
    assert d["weather assistant"].choice == "RAG only" and "hybrid" in d["weather assistant"].within_noise
    assert d["stock and news desk"].choice == "RAG only" and "hybrid" in d["stock and news desk"].within_noise
    # new static knowledge: this reader learns new facts by fine-tuning far better than it reads their pages
    assert d["legal archive"].choice == "hybrid" and d["legal archive"].within_noise == ["hybrid"]
    assert d["customer support"].choice == "hybrid" and d["customer support"].within_noise == ["hybrid"]
    thresholds = [th.threshold(s, m) or 0.0 for s in th.PRESETS.values()]
    assert max(thresholds) - min(thresholds) >= 0.20  # issue 22's spread across presets
    assert th.threshold(th.PRESETS["legal archive"], m) > th.threshold(th.PRESETS["capital-cities tutor"], m)


def test_sensitivity_ranks_the_drivers_and_prices_move_no_accuracy():
    m = replace(M, intervals={"rag_static": (0.85, 0.94)})
    s = th.Scenario(days_kept=30, **ONE_RUN)
    rows = th.sensitivity(s, m)
    swings = [abs(high - low) for _, low, high in rows]
    assert swings == sorted(swings, reverse=True) and any("rag_static" in r[0] for r in rows)
    assert not any("queries" in r[0] or "price" in r[0] for r in rows)
    assert len(th.sensitivity(s, m, "margin")) == len(rows) + 1  # the scenario's own share moves a margin
    with pytest.raises(ValueError, match="threshold' or 'margin"):
        th.sensitivity(s, m, "cost")


def test_bad_scenarios_and_prices_are_refused():
    with pytest.raises(ValueError, match="proportion"):
        th.Scenario(dynamic_share=1.5)
    with pytest.raises(ValueError, match="proportion"):
        th.Scenario(static_known=-0.1)
    with pytest.raises(ValueError, match="change_rate"):
        th.Scenario(change_rate=0)
    with pytest.raises(ValueError, match="retrain_every"):
        th.Scenario(retrain_every=0)
    with pytest.raises(TypeError, match="replay"):
        th.Scenario(replay="yes")
    with pytest.raises(ValueError, match="cpu_hour"):
        th.Prices(cpu_hour=-1)
    with pytest.raises(ValueError, match="unknown strategy"):
        th.accuracy("prompting", th.Scenario(), M)


def test_prompt_tokens_are_counted_with_the_course_tokenizer():
    closed, with_passages = un.prompt_tokens()
    assert 5 < closed < with_passages and with_passages > 4 * closed  # four passages make a RAG prompt long


def test_explorer_handlers_update_the_readout():
    import time

    widget = explorer(M)
    first = widget.state["why"]
    start = time.perf_counter()
    widget.controls["dynamic_share"].value = 0.8
    redraw_s = time.perf_counter() - start
    assert widget.state["scenario"].dynamic_share == 0.8 and widget.state["why"] != first
    assert "80%" in widget.children[1].value
    widget.controls["preset"].value = "legal archive"
    assert widget.state["scenario"] == th.PRESETS["legal archive"]
    assert widget.controls["dynamic_share"].value == th.PRESETS["legal archive"].dynamic_share
    widget.controls["cpu_hour"].value = 9.0
    assert widget.state["prices"].cpu_hour == 9.0
    widget.controls["tornado"].value = "threshold"
    assert widget.figure.axes[2].get_xlabel() == "threshold (share)"
    print(f"redraw took {1000 * redraw_s:.0f} ms")


def test_explorer_switches_whose_measurements_it_uses():
    other = replace(M, rag_static=0.5, source="other")
    widget = explorer({"one": M, "other": other})
    assert widget.state["measured"] is M
    widget.controls["source"].value = "other"
    assert widget.state["measured"] is other and "other" in widget.children[0].children[1].value


def _copy_shipped(folder, *records):
    """The kit's shipped results of `records`, copied into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        (folder / record.path("shipped").name).write_bytes(record.path("shipped").read_bytes())


def test_measurements_come_from_results_or_the_shipped_copy(tmp_path):
    _copy_shipped(tmp_path / "shipped", ParametricResults, RagResults, FinetuneResults)
    m = th.load_measurements(tmp_path)
    f, r = FinetuneResults.read("shipped"), RagResults.read("shipped")
    assert "shipped" in m.source and "hybrid" not in m.source and m.hybrid_static is None and m.hybrid_dynamic is None
    assert m.rag_dynamic == r.rag_dynamic_by_days_kept and m.store_chunks == {d: g["chunks"] for d, g in r.growth.items()}
    assert m.ft_seconds_per_fact == pytest.approx(sum(w.ft_seconds for w in f.week) / sum(w.facts for w in f.week))
    assert m.ft_dynamic == pytest.approx(f.ft_new_day_acc) and m.ft_static == f.old_fact_acc_after_replay
    assert m.ft_static_no_replay == f.old_fact_acc_after_no_replay and m.ft_dynamic_no_replay == f.paraphrase_heldout_acc
    assert m.intervals["rag_static"] == r.interval("rag_static")
    low, high = m.intervals["ft_dynamic"]
    assert low < m.ft_dynamic < high                                    # the week's mean, from each day's interval
    assert (m.tokens_closed, m.tokens_rag) == un.prompt_tokens()
    mine = replace(ParametricResults.read("shipped"), closed_static=0.5)
    mine.save(tmp_path)
    assert "shipped" in th.load_measurements(tmp_path).source  # notebooks 01-04 count once all three have run
    _copy_shipped(tmp_path, RagResults, FinetuneResults)
    yours = th.load_measurements(tmp_path)
    assert "your measurements" in yours.source and yours.closed_static == 0.5
    assert th.load_measurements(tmp_path, whose="shipped").closed_static == 1.0
    with pytest.raises(FileNotFoundError, match="run notebooks 01-04"):
        th.load_measurements(tmp_path / "empty")


def test_the_hybrid_uses_notebook_06_when_it_has_run(tmp_path):
    _copy_shipped(tmp_path / "shipped", ParametricResults, RagResults, FinetuneResults, HybridResults)
    shipped = th.load_measurements(tmp_path)
    h = HybridResults.read("shipped")
    assert shipped.hybrid_static == h.by_type["hybrid"]["static"] and shipped.hybrid_dynamic == h.by_type["hybrid"]["dynamic"]
    assert shipped.hybrid_chunks == h.index["hybrid"]["chunks"] and shipped.source.endswith("hybrid: notebook 06, shipped")
    replace(h, by_type={**h.by_type, "hybrid": {"static": 0.99, "dynamic": 0.8}}).save(tmp_path)
    yours = th.load_measurements(tmp_path)
    assert yours.hybrid_dynamic == 0.8 and yours.source.endswith("hybrid: notebook 06, yours")
    assert th.load_measurements(tmp_path, whose="shipped").hybrid_dynamic == h.by_type["hybrid"]["dynamic"]


def test_the_new_static_run_is_read_with_its_intervals_and_its_owner(tmp_path):
    from ragft.course import bench_static

    _copy_shipped(tmp_path / "shipped", ParametricResults, RagResults, FinetuneResults)
    assert th.load_measurements(tmp_path).new_static_weights == {}  # no run: the stand-ins (see the test above)
    acc = lambda v, lo, hi: {"accuracy": {"value": v, "interval": [lo, hi], "n": 20}}  # noqa: E731
    old = {"old_before": {"value": 1.0, "interval": [0.97, 1.0], "n": 214}, "old_after": acc(0.9, 0.85, 0.95)["accuracy"]}
    run = {"by_amount": {"10": {"facts": 10, "weights": acc(0.9, 0.8, 1.0) | old | {"train_seconds": 5.0},
                                "store_raw_reader": acc(0.0, 0.0, 0.2), "store": acc(0.2, 0.1, 0.4)},
                         "100": {"facts": 100, "weights": acc(0.8, 0.7, 0.9) | old | {"train_seconds": 30.0},
                                 "store_raw_reader": acc(0.05, 0.0, 0.1), "store": acc(0.2, 0.1, 0.3)}}}
    bench_static.write(run, ship=True, results_dir=tmp_path)
    (tmp_path / bench_static.FILE).unlink()  # the kit's copy only
    m = th.load_measurements(tmp_path)
    assert m.new_static_weights == {10: 0.9, 100: 0.8} and m.new_static_store == {10: 0.0, 100: 0.05}  # stock reader
    assert m.intervals["new_static_weights.100"] == (0.7, 0.9) and m.new_static_seconds_per_fact == 0.3
    assert m.new_static_old_after == {10: 0.9, 100: 0.9} and m.new_static_old_before == 1.0
    assert m.whose["new_static_store"] == "shipped" and "new static knowledge" in m.source
    assert any(label.startswith("new_static_store") for label, *_ in th.sensitivity(th.Scenario(static_known=0.5), m))


def test_the_course_models_numbers_are_never_another_models_runs(tmp_path):
    records = (ParametricResults, RagResults, FinetuneResults, HybridResults)
    _copy_shipped(tmp_path / "shipped", *records)
    for record in records:  # 01-03 run with RAGFT_MODEL=smollm2 (04 and 06 did so before they kept the course model)
        replace(record.read("shipped"), model="smollm2").save(tmp_path)
    m = th.load_measurements(tmp_path)
    assert set(m.whose.values()) == {"shipped"}                         # the kit's course-model runs stand in
    assert "yours in parametric.json, rag.json, finetune.json were measured with another model" in m.source
    assert "hybrid: notebook 06, shipped" in m.source
    for record in records:  # a course model of your own (RAGFT_MODEL=course:PATH) is the course model's run
        replace(record.read("shipped"), model="course:/my/checkpoint").save(tmp_path)
    assert set(th.load_measurements(tmp_path).whose.values()) == {"yours"}


def test_every_unit_number_says_whose_it_is(tmp_path):
    from ragft.course.widgets import whose_numbers

    _copy_shipped(tmp_path / "shipped", ParametricResults, RagResults, FinetuneResults, HybridResults)
    replace(ParametricResults.read("shipped"), closed_static=0.5).save(tmp_path)  # notebook 01 run, 04 not yet
    m = th.load_measurements(tmp_path)
    assert set(m.whose.values()) == {"shipped"} and {"closed_static", "hybrid_dynamic", "store_chunks"} <= set(m.whose)
    table = whose_numbers(m, tmp_path)
    assert re.search(r"^closed_static +shipped  1\.0  \[0\.982, 1\.000\]$", table, re.M), table
    assert "notebook 01 are not used:" in table
    assert re.search(r"^tokens_rag +kit ", table, re.M), table
    _copy_shipped(tmp_path, RagResults, FinetuneResults)
    yours = th.load_measurements(tmp_path)
    assert yours.whose["closed_static"] == yours.whose["rag_dynamic"] == "yours"
    assert yours.whose["hybrid_static"] == "shipped"                     # notebook 06 not run
    assert "are not used" not in whose_numbers(yours, tmp_path)
    shown = explorer(yours).children[0].children[1].value
    assert "<b>shipped</b>: hybrid_static, hybrid_dynamic" in shown and "closed_static" in shown.split("<b>shipped</b>")[0]


def test_explorer_sliders_show_every_preset_and_the_default_exactly():
    """A browser snaps a slider to min + a multiple of its step: every default and preset value must be one."""
    widget = explorer(M)
    assert widget.controls["changes_per_day"].value == th.Scenario().changes_per_day == 68
    for name, preset in [("(custom)", th.Scenario())] + list(th.PRESETS.items()):
        for key, value in vars(preset).items():
            c = widget.controls[key]
            if key != "replay":
                steps = (value - c.min) / c.step
                assert abs(steps - round(steps)) < 1e-9, f"{name}: {key}={value} would show as a multiple of {c.step}"
            assert c.min <= value <= c.max if key != "replay" else True, f"{name}: {key}={value} is off its slider"
        if name != "(custom)":
            widget.controls["preset"].value = name
            assert widget.state["scenario"] == preset, name


def test_switches_trace_the_recommendation_along_the_share():
    m = th.load_measurements(whose="shipped")
    path = th.switches(th.PRESETS["capital-cities tutor"], m)
    assert path[0] == (0.0, "fine-tuning only") and len(path) > 1        # the base model alone only while all is static
    assert all(a[0] < b[0] and a[1] != b[1] for a, b in zip(path, path[1:]))


def _real_copy(folder, **changes):
    """The kit's shipped course records and real-model runs in `folder`/shipped, with `changes` to real_model.json."""
    import json

    from ragft import RESULTS_DIR

    _copy_shipped(folder / "shipped", ParametricResults, RagResults, FinetuneResults, HybridResults)
    for name in un.REAL_FILES:
        data = json.loads((RESULTS_DIR / "shipped" / name).read_text())
        if name == "real_model.json":
            data |= changes
        (folder / "shipped" / name).write_text(json.dumps(data))
    return folder


def test_the_real_models_unit_numbers_come_from_its_bench_runs(tmp_path):
    import json

    m = un.load_real_measurements(_real_copy(tmp_path))
    model = json.loads((tmp_path / "shipped" / "real_model.json").read_text())
    hybrid = json.loads((tmp_path / "shipped" / "real_hybrid.json").read_text())
    assert m.closed_static == model["real_world_probe"]["value"] == m.old_before
    assert m.ft_dynamic == model["lora_new_facts_heldout"]["value"]
    assert m.ft_static_no_replay == model["real_world_probe_after_lora_no_replay"]["value"]
    days = hybrid["days_kept"]
    assert m.rag_dynamic == {days: hybrid["by_type"]["RAG only"]["dynamic"]["value"]}
    assert m.rag_static == hybrid["by_type"]["RAG only"]["static"]["value"]
    assert m.hybrid_dynamic == hybrid["by_type"]["hybrid"]["dynamic"]["value"]
    assert m.new_static_weights == {hybrid["static_facts"]: hybrid["by_type"]["hybrid"]["static"]["value"]}
    assert m.intervals["rag_static"] == tuple(hybrid["by_type"]["RAG only"]["static"]["interval"])
    assert m.intervals[f"rag_dynamic.{days}"] == tuple(hybrid["by_type"]["RAG only"]["dynamic"]["interval"])
    assert m.ft_seconds_per_fact == model["lora_seconds"] / model["lora_facts"]
    assert m.query_seconds_rag[days] == hybrid["answer_seconds"]["RAG only"] / sum(hybrid["questions"].values())
    course = th.load_measurements(tmp_path)
    assert m.index_seconds_per_doc == course.index_seconds_per_doc  # the same retriever
    assert m.tokens_rag > course.tokens_rag and m.tokens_closed > course.tokens_closed  # its chat template, counted
    assert set(m.whose.values()) == {"shipped"} and "SmolLM2" in m.source
    for strategy in th.STRATEGIES:  # every formula reads it, bands included
        low, high = th.band(strategy, th.Scenario(), m, n=50)
        assert 0 <= low <= th.accuracy(strategy, th.Scenario(), m) <= high <= 1


def test_the_real_models_numbers_are_one_runs_never_half_of_each(tmp_path):
    import json

    folder = _real_copy(tmp_path)
    mine = json.loads((folder / "shipped" / "real_model.json").read_text()) | {"lora_facts": 6}
    (folder / "real_model.json").write_text(json.dumps(mine))      # yours for one part only: the kit's for both
    assert un.load_real_measurements(folder).whose["ft_dynamic"] == "shipped"
    (folder / "real_hybrid.json").write_bytes((folder / "shipped" / "real_hybrid.json").read_bytes())
    m = un.load_real_measurements(folder)
    assert m.whose["ft_dynamic"] == m.whose["hybrid_dynamic"] == "yours" and m.ft_seconds_per_fact == mine["lora_seconds"] / 6
    (folder / "shipped" / "real_hybrid.json").unlink()
    with pytest.raises(FileNotFoundError, match="make bench PART=real_hybrid"):
        un.load_real_measurements(folder, "shipped")


def test_a_reader_that_reads_worse_moves_the_threshold_right():
    """The shipped runs: SmolLM2 reads passages among look-alikes worse than the course model, so on its numbers RAG
    only overtakes fine-tuning only later for every preset (the notebook's and the lesson's claim, checked)."""
    from ragft.course.widgets import measurement_sources

    sources = measurement_sources()
    course, real = sources["course model: shipped only"], un.load_real_measurements(whose="shipped")
    assert "real model (SmolLM2): yours/shipped" in sources
    assert real.rag_static < course.rag_static and real.rag_dynamic_at(7) < course.rag_dynamic_at(7)
    for name, s in th.PRESETS.items():
        at = [1.0 if (t := th.threshold(s, m)) is None else t for m in (real, course)]
        assert at[0] > at[1], name
