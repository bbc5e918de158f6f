"""The "Does it transfer?" table (ragft.course.transfer): current in the README and the syllabus, and its verdicts
follow the stored intervals, not the prose."""

import json
import shutil

from ragft import ROOT
from ragft.course import phrasing, transfer


def test_the_tables_in_the_readme_and_the_syllabus_are_written_from_the_shipped_results():
    table = transfer.table()
    for name in transfer.FILES:
        text = (ROOT / name).read_text()
        assert f"{transfer.START}\n{table}\n{transfer.END}" in text, f"{name}: run python -m ragft.course.transfer"


def test_every_row_has_a_figure_for_each_model_and_a_verdict():
    for conclusion, course, real, verdict in transfer.rows():
        assert conclusion and course and real and verdict
        timed = conclusion.startswith("A daily update costs")   # seconds, one run each: no accuracy
        assert ("s a day" if timed else "%") in course, conclusion
        assert ("min (extrapolated)" if timed else "%") in real or real == transfer.NOT_YET, conclusion


def test_a_difference_whose_interval_holds_zero_is_called_within_noise(tmp_path):
    shutil.copytree(ROOT / "results" / "shipped", tmp_path / "results" / "shipped")
    path = tmp_path / "results" / "shipped" / "retrieval.json"
    data = json.loads(path.read_text())
    one = data["real_model"]["1"]
    one.update(difference=-0.1, difference_low=-0.3, difference_high=0.1)
    path.write_text(json.dumps(data))
    rag_row = next(r for r in transfer.rows(tmp_path) if r[0].startswith("RAG answers"))
    assert rag_row[3].endswith("within noise") and "−10 points [−30, +10]" in rag_row[3]
    shipped = json.loads((ROOT / "results" / "shipped" / "retrieval.json").read_text())["real_model"]["1"]
    beyond = not shipped["difference_low"] <= 0 <= shipped["difference_high"]
    row = next(r for r in transfer.rows() if r[0].startswith("RAG answers"))
    assert row[3].endswith("beyond noise" if beyond else "within noise")


def _bench_copy(tmp_path, **changes):
    shutil.copytree(ROOT / "results" / "shipped", tmp_path / "results" / "shipped")
    path = tmp_path / "results" / "shipped" / "real_model.json"
    data = json.loads(path.read_text())
    for key, value in changes.items():
        data[key].update(value)
    path.write_text(json.dumps(data))
    return tmp_path


def _replay_row(root):
    return next(r for r in transfer.rows(root) if r[0].startswith("Replay keeps"))


def test_without_the_seeds_the_replay_verdict_follows_real_models_one_run(tmp_path):
    def one_run(folder, **changes):
        root = _bench_copy(folder, **changes)
        (root / "results" / "shipped" / "real_seeds.json").unlink()
        return root

    row = _replay_row(one_run(tmp_path / "a", real_world_probe_change={
        "value": -0.2, "interval": [-0.3, -0.1], "within_noise": False}))
    assert row[3].startswith("no:") and "training seeds" not in row[2]
    row = _replay_row(one_run(tmp_path / "b", real_world_probe_change_no_replay={
        "value": -0.05, "interval": [-0.15, 0.05], "within_noise": True}))
    assert row[3] == "not shown: without replay the probe does not fall beyond noise"
    assert "−5 points [−15, +5]" in row[2]


def _seeds_copy(tmp_path, replay: list[tuple[float, bool]], no_replay: list[tuple[float, bool]]):
    """The shipped results with real_seeds.json's runs replaced by (probe change, within noise) pairs per recipe."""
    shutil.copytree(ROOT / "results" / "shipped", tmp_path / "results" / "shipped")
    path = tmp_path / "results" / "shipped" / "real_seeds.json"
    data = json.loads(path.read_text())
    for recipe, name, runs in (("replay", "", replay), ("no_replay", "_no_replay", no_replay)):
        data["spread"][f"real_world_probe_change{name}"]["per_seed"] = [
            {"value": v, "interval": [v - 0.1, v + 0.1] if kept else [v - 0.1, v / 2], "n": 30} for v, kept in runs]
        data["within_noise"][recipe] = [kept for _, kept in runs]
    path.write_text(json.dumps(data))
    return tmp_path


def test_the_replay_verdict_holds_only_when_it_holds_in_every_training_run(tmp_path):
    lost = [(-0.7, False), (-0.6, False), (-0.65, False)]
    row = _replay_row(_seeds_copy(tmp_path / "a", [(0.03, True), (-0.23, False), (-0.07, True)], lost))
    assert row[2].endswith("Training seeds 0, 1, 2: with replay −23 points [−33, −12] to +3 points [−7, +13], a fall "
                           "beyond noise in 1 of 3; without −70 points [−80, −35] to −60 points [−70, −30], a fall "
                           "beyond noise in 3 of 3")   # the lowest run and the highest, each with its interval
    assert row[3] == ("in part: without replay the real model loses its own knowledge beyond noise in every training "
                      "run (3 seeds); with replay it loses less on average (−9 points against −65), and its probe "
                      "still falls beyond noise in 1 of 3")
    row = _replay_row(_seeds_copy(tmp_path / "b", [(0.03, True), (-0.03, True), (0.0, True)], lost))
    assert row[3].startswith("yes") and row[3].endswith("in every training run (3 seeds)")
    row = _replay_row(_seeds_copy(tmp_path / "c", [(0.25, False), (-0.03, True), (0.0, True)], lost))
    assert row[3].startswith("yes") and "a fall beyond noise in 0 of 3" in row[2]   # a rise is no loss
    row = _replay_row(_seeds_copy(tmp_path / "d", [(-0.9, False), (-0.9, False), (0.0, True)], [(-0.5, False)] * 3))
    assert "it loses as much or more on average (−60 points against −50)" in row[3] and row[3].endswith("2 of 3")
    row = _replay_row(_seeds_copy(tmp_path / "e", [(-0.3, False), (-0.23, False), (-0.2, False)], lost))
    assert row[3].startswith("no:")
    row = _replay_row(_seeds_copy(tmp_path / "f", [(0.03, True)] * 3, [(-0.7, False), (-0.1, True), (-0.7, False)]))
    assert row[3] == ("not shown: without replay the probe falls beyond noise in only 2 of 3 training runs "
                      "(with replay in 0)")


def test_the_shipped_replay_row_counts_the_runs_of_real_seeds():
    seeds = json.loads((ROOT / "results" / "shipped" / "real_seeds.json").read_text())
    runs = seeds["spread"]["real_world_probe_change"]["per_seed"]
    falls = sum(not kept and r["value"] < 0 for r, kept in zip(runs, seeds["within_noise"]["replay"]))
    assert not any(seeds["within_noise"]["no_replay"])
    row = _replay_row(ROOT)
    assert f"beyond noise in {falls} of {len(runs)}" in row[2]
    assert row[3].startswith("yes" if falls == 0 else "in part" if falls < len(runs) else "no:")


def test_a_fall_among_look_alikes_counts_only_when_the_intervals_part(tmp_path):
    root = _bench_copy(tmp_path, open_book_k0={"value": 0.5, "interval": [0.3, 0.7]},
                       open_book_k4={"value": 0.4, "interval": [0.2, 0.6]})
    row = next(r for r in transfer.rows(root) if r[0].startswith("Look-alike passages hurt reading: the gold"))
    assert "intervals overlap" in row[3] and not row[3].startswith("yes")
    assert phrasing.apart({"interval": [0.6, 0.9]}, {"interval": [0.1, 0.5]})
    assert not phrasing.apart({"interval": [0.4, 0.9]}, {"interval": [0.1, 0.5]})


def _hybrid_copy(tmp_path, rag_only: dict | None, ft_only: dict | None):
    """The shipped results with a made-up results/shipped/real_hybrid.json (None: the file left out)."""
    shutil.copytree(ROOT / "results" / "shipped", tmp_path / "results" / "shipped")
    path = tmp_path / "results" / "shipped" / "real_hybrid.json"
    path.unlink(missing_ok=True)
    if rag_only is not None:
        fig = {"value": 0.5, "interval": [0.3, 0.7], "n": 200}
        path.write_text(json.dumps({"at_default": {"hybrid": fig, "RAG only": fig, "fine-tuning only": fig},
                                    "hybrid_minus": {"RAG only": rag_only, "fine-tuning only": ft_only},
                                    "static_facts": 12, "today_facts": 12}))
    return tmp_path


def test_the_hybrid_row_follows_the_real_models_paired_differences(tmp_path):
    row = lambda root: next(r for r in transfer.rows(root) if r[0].startswith("The hybrid beats"))  # noqa: E731
    assert row(_hybrid_copy(tmp_path / "a", None, None))[2] == transfer.NOT_YET
    beats = {"value": 0.2, "interval": [0.1, 0.3], "n": 200, "within_noise": False}
    tie = {"value": 0.02, "interval": [-0.05, 0.1], "n": 200, "within_noise": True}
    loses = {"value": -0.2, "interval": [-0.3, -0.1], "n": 200, "within_noise": False}
    mixed = row(_hybrid_copy(tmp_path / "b", tie, beats))
    assert mixed[3].startswith("in part") and "SmolLM2 it is within noise of RAG only and beats fine-tuning only" in mixed[3]
    assert "hybrid − RAG only +2 points [−5, +10]" in mixed[2]
    assert row(_hybrid_copy(tmp_path / "c", loses, tie))[3].startswith("no:")


def test_the_raft_row_follows_the_real_models_paired_change(tmp_path):
    shutil.copytree(ROOT / "results" / "shipped", tmp_path / "results" / "shipped")
    path = tmp_path / "results" / "shipped" / "real_raft.json"
    fig = lambda v, low, high: {"value": v, "interval": [low, high], "n": 40}  # noqa: E731
    path.write_text(json.dumps({"open_book_k4": {"before": fig(0.2, 0.1, 0.3), "after": fig(0.8, 0.7, 0.9),
                                                 "change": {**fig(0.6, 0.45, 0.75), "within_noise": False}},
                                "raft_steps": 40, "raft_examples": 600}))
    row = next(r for r in transfer.rows(tmp_path) if r[0].startswith("RAFT"))
    shipped = json.loads((ROOT / "results" / "shipped" / "hybrid.json").read_text())["raft_by_distractors"]
    course_gains = shipped["RAFT reader"]["4"] > shipped["base reader"]["4"]
    assert row[3].startswith("yes" if course_gains else "no, the opposite: SmolLM2 gains")
    assert "+60 points [+45, +75]" in row[2]
    path.write_text(json.dumps({"open_book_k4": {"before": fig(0.2, 0.1, 0.3), "after": fig(0.25, 0.1, 0.4),
                                                 "change": {**fig(0.05, -0.05, 0.15), "within_noise": True}},
                                "raft_steps": 40, "raft_examples": 600}))
    row = next(r for r in transfer.rows(tmp_path) if r[0].startswith("RAFT"))
    assert "SmolLM2 does not move" in row[3]


def test_the_threshold_row_moves_only_where_the_two_bands_part(tmp_path):
    shutil.copytree(ROOT / "results" / "shipped", tmp_path / "results" / "shipped")
    path = tmp_path / "results" / "shipped" / "threshold.json"
    data = json.loads(path.read_text())
    row = lambda: next(r for r in transfer.rows(tmp_path) if r[0].startswith("Where RAG only overtakes"))  # noqa: E731
    data["presets_real"] = {name: {**p, "threshold_band": [min(1.0, p["threshold_band"][1] + 0.1), 1.0],
                                   "threshold": min(1.0, p["threshold_band"][1] + 0.2)}
                            for name, p in data["presets"].items()}
    path.write_text(json.dumps(data))
    moved = row()
    assert moved[3].startswith(f"no: the threshold moves with the reader, beyond noise in {len(data['presets'])} of")
    assert "far worse" in moved[3]
    data["presets_real"] = data["presets"]  # the same bands: nothing moved
    path.write_text(json.dumps(data))
    assert row()[3].startswith("yes")
    data["presets_real"] = {name: {**p, "threshold": None if i < 2 else 0.3 + 0.1 * i}
                            for i, (name, p) in enumerate(data["presets"].items())}
    path.write_text(json.dumps(data))
    assert row()[2].startswith("50–70% dynamic (never, in 2: fine-tuning only stays ahead); choices: ")
    del data["presets_real"]
    path.write_text(json.dumps(data))
    assert row()[2] == transfer.NOT_YET


def test_the_out_of_sample_row_comes_true_only_where_every_prediction_does(tmp_path):
    shutil.copytree(ROOT / "results" / "shipped", tmp_path / "results" / "shipped")
    path = tmp_path / "results" / "shipped" / "real_oos.json"
    row = lambda: next(r for r in transfer.rows(tmp_path) if r[0].startswith("The decision model predicts"))  # noqa: E731
    fig = lambda v: {"value": v, "interval": [v - 0.1, v + 0.1], "n": 200}  # noqa: E731
    close = [{"share": 0.25, "strategy": "hybrid", "predicted": 0.8, "measured": fig(0.82), "inside_interval": True}]
    path.write_text(json.dumps({"validation": close}))
    assert row()[3].startswith("yes") and "largest error 2 points (hybrid at 25% dynamic" in row()[2]
    far = close + [{"share": 0.75, "strategy": "RAG only", "predicted": 0.3, "measured": fig(0.6), "inside_interval": False}]
    path.write_text(json.dumps({"validation": far}))
    assert row()[3].startswith("no: it comes true on the course model only") and "1 of 2 predictions" in row()[2]
    assert row()[3].endswith("it misses RAG only at 75% dynamic)")
    both = far + [{"share": 0.25, "strategy": "RAG only", "predicted": 0.3, "measured": fig(0.6), "inside_interval": False},
                  {"share": 0.25, "strategy": "hybrid", "predicted": 0.3, "measured": fig(0.5), "inside_interval": False}]
    path.write_text(json.dumps({"validation": both}))
    assert row()[3].endswith("it misses RAG only at 75% and 25% dynamic; hybrid at 25% dynamic)")
    path.unlink()
    assert row()[2] == transfer.NOT_YET


def _data_copy(tmp_path, change: dict | None):
    """The shipped results with a made-up results/shipped/real_data.json (None: the file left out)."""
    shutil.copytree(ROOT / "results" / "shipped", tmp_path / "results" / "shipped")
    path = tmp_path / "results" / "shipped" / "real_data.json"
    path.unlink(missing_ok=True)
    if change is not None:
        form = {"heldout": {"value": 0.5, "interval": [0.3, 0.7], "n": 24}, "seconds": 300.0, "steps": 48}
        path.write_text(json.dumps({"facts": 12, "day": 61, "raw": {**form, "examples": 12},
                                    "paraphrase": {**form, "examples": 108}, "paraphrase_minus_raw": change}))
    return tmp_path


def test_the_data_form_row_follows_the_real_models_paired_difference(tmp_path):
    data_row = lambda root: next(r for r in transfer.rows(root) if r[0].startswith("A new fact learned"))  # noqa: E731
    course_gains = "both gain" in data_row(_data_copy(tmp_path / "a", {"value": 0.3, "interval": [0.1, 0.5],
                                                                       "within_noise": False}))[3]
    assert course_gains  # the shipped course model: raw 19% against paraphrases 78%, intervals apart
    row = data_row(_data_copy(tmp_path / "b", {"value": 0.25, "interval": [-0.08, 0.54], "within_noise": True}))
    assert row[3].startswith("not shown on the real model") and "on 24 questions" in row[3]
    assert "from raw statements alone it answers 50% [30–70%], n 24, within noise" in row[3]   # _data_copy's raw
    assert "+25 points [−8, +54]" in row[2] and "12 vs 108 examples" in row[2]
    assert data_row(_data_copy(tmp_path / "c", None))[2] == transfer.NOT_YET


def test_the_new_facts_row_adds_the_sealed_day_and_counts_its_runs_apart(tmp_path):
    """real_seeds' sealed check (the recipe on a sealed day's facts, asked in the sealed wordings) joins the row: its
    range over runs, and in how many runs its intervals before and after part."""
    def sealed_copy(folder, after: list[tuple[float, float, float]]):
        shutil.copytree(ROOT / "results" / "shipped", folder / "results" / "shipped")
        path = folder / "results" / "shipped" / "real_seeds.json"
        data = json.loads(path.read_text())
        zero = {"value": 0.0, "interval": [0.0, 0.1], "n": 36}
        data["spread"]["lora_new_facts_heldout"]["per_seed"] = [{"value": 0.9, "interval": [0.8, 1.0], "n": 24}] * 3
        data["sealed"] = {"day": 9999, "within_noise": [True] * len(after), "lora_seconds": [1.0] * len(after),
                          "spread": {"sealed_new_facts_before": {"per_seed": [zero] * len(after)},
                                     "sealed_new_facts": {"per_seed": [{"value": v, "interval": [lo, hi], "n": 36}
                                                                       for v, lo, hi in after]}}}
        path.write_text(json.dumps(data))
        return next(r for r in transfer.rows(folder) if r[0].startswith("Fine-tuning on paraphrases"))

    every = sealed_copy(tmp_path / "a", [(0.5, 0.3, 0.7), (0.9, 0.8, 1.0), (0.6, 0.4, 0.8)])
    assert "; the same recipe on a sealed day's 12 facts (sealed wordings, n 36): 50% [30–70%] to 90% [80–100%]" in every[2]
    assert every[3] == ("yes: beyond noise (the intervals before and after part) in every training run (3 seeds); "
                        "on the sealed day they part in every run (3)")
    some = sealed_copy(tmp_path / "b", [(0.05, 0.0, 0.2), (0.9, 0.8, 1.0), (0.6, 0.4, 0.8)])
    assert some[3].startswith("yes: beyond noise") and some[3].endswith("; on the sealed day they part in 2 of 3 runs")
    two = sealed_copy(tmp_path / "c", [(0.05, 0.0, 0.2), (0.9, 0.8, 1.0)])        # fewer sealed runs than seeds
    assert two[3].endswith("; on the sealed day they part in 1 of 2 runs") and "5% [0–20%] to 90% [80–100%]" in two[2]
    assert "sealed" not in _replay_row(tmp_path / "b")[2]


def test_the_reading_row_is_judged_on_make_benchs_forty_questions(tmp_path):
    """A model reads a fact it never learned when its gold-passage-alone interval (make bench, n 40) lies above its
    closed-book interval on today's facts (notebook 01: 0% [0-39%] for both); SmolLM2 reads 'less well' only when
    the two models' intervals part; without make bench, notebook 01's own figures are judged."""
    def reads(folder, **k0):
        root = _bench_copy(folder, **k0)
        return next(r for r in transfer.rows(root) if r[0].startswith("Given the passage"))

    shipped = reads(tmp_path / "a")   # 78% [64-90%] against 100% [90-100%]: the intervals part by 0.6 points
    assert "make bench 78% [64–90%], n 40" in shipped[2] and "make bench 100% [90–100%], n 40" in shipped[1]
    assert shipped[3] == ("yes, on both models (make bench: each above its closed-book answers on today's facts, "
                          "intervals apart); SmolLM2 less well than the course model, beyond noise (make bench: the "
                          "intervals part)")
    alike = reads(tmp_path / "b", open_book_k0={"value": 0.95, "interval": [0.85, 1.0]})
    assert alike[3] == ("yes, on both models (make bench: each above its closed-book answers on today's facts, "
                        "intervals apart)")
    blind = reads(tmp_path / "c", open_book_k0={"value": 0.2, "interval": [0.1, 0.35]})
    assert blind[3] == "only in part: SmolLM2's reading is not apart from its closed-book answers"
    course_blind = reads(tmp_path / "d", course_model_open_book_k0={"value": 0.2, "interval": [0.1, 0.35]})
    assert course_blind[3] == "only in part: the course model's reading is not apart from its closed-book answers"
    neither = reads(tmp_path / "e", open_book_k0={"value": 0.2, "interval": [0.1, 0.35]},
                    course_model_open_book_k0={"value": 0.3, "interval": [0.2, 0.38]})
    assert neither[3] == "not shown: neither model's reading is apart from its closed-book answers"
    (tmp_path / "e" / "results" / "shipped" / "real_model.json").unlink()   # notebook 01's n 8: 100% [68-100%]
    alone = next(r for r in transfer.rows(tmp_path / "e") if r[0].startswith("Given the passage"))
    assert alone[1:] == ("100% [68–100%], n 8", "100% [68–100%], n 8", "yes, on both models (notebook 01: each above "
                         "its closed-book answers on today's facts, intervals apart)")


def _cost(folder, ft_seconds: float, index_seconds: float, lora_seconds: list[float] | None):
    """The daily-cost row over made-up timings: every day of the week at ft_seconds / index_seconds (68 facts), and
    real_seeds' LoRA runs on 12 facts (None: real_seeds.json left out, real_model's one run of 300 s)."""
    shutil.copytree(ROOT / "results" / "shipped", folder / "results" / "shipped")
    shipped = folder / "results" / "shipped"
    data = json.loads((shipped / "finetune.json").read_text())
    for day in data["week"]:
        day.update(ft_seconds=ft_seconds, index_seconds=index_seconds, facts=68)
    data["daily_update_cost_ratio"] = ft_seconds / index_seconds
    (shipped / "finetune.json").write_text(json.dumps(data))
    bench = json.loads((shipped / "real_model.json").read_text())
    bench.update(lora_seconds=300.0, lora_facts=12)
    (shipped / "real_model.json").write_text(json.dumps(bench))
    if lora_seconds is None:
        (shipped / "real_seeds.json").unlink()
    else:
        seeds = json.loads((shipped / "real_seeds.json").read_text())
        seeds.update(lora_facts=12, lora_seconds={"replay": lora_seconds, "no_replay": lora_seconds})
        (shipped / "real_seeds.json").write_text(json.dumps(seeds))
    return next(r for r in transfer.rows(folder) if r[0].startswith("A daily update costs"))


def test_the_daily_cost_row_scales_each_lora_run_to_a_days_facts_and_judges_each_model(tmp_path):
    """A day of fine-tuning against the index update, per model; the conclusion holds for a model at FAR times."""
    row = _cost(tmp_path / "a", 8.0, 0.25, [240.0, 300.0])   # 240 s / 12 facts x 68 = 1,360 s: 23 min; 300 s: 28
    assert row[1] == "full fine-tuning 8.0 s a day against 0.25 s to index its reports (32×; mean of 7 days, 68 facts a day)"
    assert row[2] == ("LoRA training 240–300 s for 12 facts (2 runs); at the same passes a day's 68 facts would take "
                      "23–28 min (extrapolated), against the same 0.25 s index update (the index does not depend on "
                      "the reader)")
    assert row[3] == ("yes, and more so on the real model: a day of LoRA on the real model takes 5,440× the index "
                      "update, the course model's 32×")
    one = _cost(tmp_path / "b", 8.0, 0.25, None)             # real_model's one run: 300 s
    assert "LoRA training 300 s for 12 facts (1 run); at the same passes a day's 68 facts would take 28 min" in one[2]
    cheap = _cost(tmp_path / "c", 2.0, 0.25, [0.4])            # 8x and 9x the index update: not 'far more'
    assert cheap[3] == "no: a day of LoRA on the real model takes 9× the index update, the course model's 8×"
    course_far = _cost(tmp_path / "d", 8.0, 0.25, [0.4])
    assert course_far[3].startswith("for the course model only: ")
