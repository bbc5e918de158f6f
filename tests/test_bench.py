"""The benchmark's fine-tuning parts: one shape for every accuracy, the replay rule as written, the sealed runs at
the settings tuned on the dev day."""

import pytest

from ragft import finetune
from ragft.course import bench, bench_sealed, bench_seeds
from ragft.evaluate import Difference, Estimate
from ragft.reading import closed_book


def test_every_accuracy_and_difference_is_stored_as_value_interval_n():
    assert bench_seeds.figure(Estimate(0.51234, 0.4, 0.6, 10)) == {"value": 0.5123, "interval": [0.4, 0.6], "n": 10}
    assert bench_seeds.figure(Difference(-0.1, -0.2, 0.0, 8)) == {"value": -0.1, "interval": [-0.2, 0.0], "n": 8}
    items = [closed_book(f"q{i}", "a", f"fact{i // 2}") for i in range(8)]  # 4 facts, 2 wordings each
    row = bench_seeds.score([True, True, False, False, True, True, True, False], items)
    assert set(row) == {"value", "interval", "n"} and row["value"] == 0.625 and row["n"] == 8
    assert 0 <= row["interval"][0] <= 0.625 <= row["interval"][1] <= 1
    probe = [closed_book(f"q{i}", "a") for i in range(30)]  # no facts (the real-world probe): one item, one cluster
    row = bench_seeds.score([True] * 24 + [False] * 6, probe)
    assert row["interval"][0] < 0.8 < row["interval"][1], row


def _rows(old_by_share: dict[str, float]) -> dict:
    return {s: {"old_heldout": {"mean": v}, "new_heldout": {"mean": 1 - v}} for s, v in old_by_share.items()}


def test_the_replay_rule_takes_the_smallest_share_within_tolerance_of_before():
    rows = _rows({"0": 0.6, "0.3": 0.95, "0.5": 0.975, "0.7": 0.99})
    assert bench_seeds.REPLAY_TOLERANCE == 0.03
    assert bench_seeds.choose_replay(rows, before=1.0) == 0.5
    assert bench_seeds.choose_replay(rows, before=0.97) == 0.3
    assert bench_seeds.choose_replay(rows, before=1.0, tolerance=0.5) == 0.0
    assert bench_seeds.choose_replay(_rows({"0.3": 0.8, "0.7": 0.9}), before=1.0) == 0.7  # none within: keeps the most


def test_the_sealed_runs_use_the_settings_fixed_on_the_dev_day():
    full, lora = bench_sealed._config("full", 1), bench_sealed._config("lora_replay", 0)
    assert (full.method, full.lr, full.replay, full.steps, full.seed, full.data) == (
        "full", finetune.FULL_LR, 0.0, bench_seeds.STEPS, 1, "paraphrase")
    assert (lora.method, lora.lr, lora.replay) == ("lora", finetune.LORA_LR, finetune.REPLAY)
    with pytest.raises(ValueError, match="choose from"):
        bench_sealed.finetune_figures(methods=("full", "qlora"))


def test_the_new_parts_are_registered():
    assert bench.PARTS["replay_sweep"] is bench_seeds.replay_sweep
    assert bench.PARTS["sealed_finetune"] is bench_sealed.finetune_figures
    assert bench.PARTS["sealed"] is bench_sealed.course_model


def test_the_sealed_fine_tuning_never_trains_on_what_it_asks(world):
    from ragft.reading import sealed_sets
    from ragft.world import sealed

    with sealed.unsealed():
        facts = world.facts_on(sealed.SEALED_DAYS[0])
    asked = {it.question for it in sealed_sets(world, ks=())["closed_book_unseen_day"] if it.fact in {f.id for f in facts}}
    examples = finetune.training_examples(world, facts, "paraphrase")
    trained = {e if isinstance(e, str) else e.question for e in examples}
    assert len(asked) == 3 * len(facts) and len(trained) > len(facts) and not asked & trained


def test_a_part_the_course_reads_goes_to_its_own_file_and_with_ship_to_the_kits(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "RESULTS_DIR", tmp_path)
    monkeypatch.setitem(bench.PARTS, "real_model", lambda: {"lora_seconds": 1.5})
    monkeypatch.setitem(bench.PARTS, "hybrid", lambda: {"acc": 0.5})
    bench.run(["real_model", "hybrid"])
    assert (tmp_path / "real_model.json").exists() and not (tmp_path / "hybrid.json").exists()
    assert not (tmp_path / "shipped").exists(), "without --ship the kit's results are left alone"
    bench.main(["real_model", "--ship"])
    import json
    assert json.loads((tmp_path / "shipped" / "real_model.json").read_text()) == {"lora_seconds": 1.5}
    assert json.loads((tmp_path / "benchmark.json").read_text())["hybrid"] == {"acc": 0.5}


def test_the_real_models_no_replay_run_differs_from_the_chosen_one_only_where_the_tuning_table_says():
    from ragft import smollm2

    chosen, bare = smollm2.lora_config(), smollm2.lora_config(replay=False)
    assert (chosen.replay, chosen.lr, chosen.steps) == (smollm2.LORA_REPLAY, smollm2.LORA_LR, smollm2.LORA_STEPS)
    assert (bare.replay, bare.lr, bare.steps) == (0.0, smollm2.NO_REPLAY_LR, smollm2.NO_REPLAY_STEPS)
    assert (bare.method, bare.data, bare.lora_r, bare.batch_size) == (chosen.method, chosen.data, chosen.lora_r,
                                                                       chosen.batch_size)


def test_the_real_model_parts_are_registered_and_the_hybrid_mixes_as_notebook_06():
    import numpy as np

    from ragft.course import bench_real

    assert bench.PARTS["real_hybrid"] is bench_real.hybrid and bench.FILES["real_hybrid"] == "real_hybrid.json"
    assert bench.PARTS["real_raft"] is bench_real.raft and bench.FILES["real_raft"] == "real_raft.json"
    assert bench.PARTS["real_oos"] is bench_real.oos and bench.FILES["real_oos"] == "real_oos.json"
    assert bench.PARTS["real_data"] is bench_real.data_forms and bench.FILES["real_data"] == "real_data.json"
    assert bench.PARTS["real_seeds"] is bench_real.lora_seeds and bench.FILES["real_seeds"] == "real_seeds.json"
    pools = {"static": [f"s{i}" for i in range(24)], "dynamic": [f"d{i}" for i in range(24)]}
    mix = bench_real.mix_at(0.3, pools)
    assert len(mix) == bench_real.MIX and sum(q.startswith("d") for q in mix) == 60
    assert mix == bench_real.mix_at(0.3, pools)       # the same draw every run
    assert mix[:60] == [pools["dynamic"][i] for i in np.random.default_rng(1).integers(24, size=60)]


def test_the_real_models_out_of_sample_scenario_predicts_from_its_unit_numbers_as_built():
    """real_oos's systems, as the decision model sees them: every static fact new, one LoRA run, a month of reports.
    Fine-tuning only and the hybrid then answer static questions at the weights' measured rate on new facts; RAG only
    at its store's; on today's questions fine-tuning only at its day-61 LoRA rate, the hybrid at its own reading."""
    from ragft import threshold as th
    from ragft.course import bench_real
    from ragft.unit_numbers import load_real_measurements
    from ragft.world import World

    world, m = World(seed=0, day=bench_real.OOS_DAY), load_real_measurements(whose="shipped")
    s = bench_real.oos_scenario(world, list(range(bench_real.FACTS)), 0.5)
    assert (s.static_known, s.static_facts, s.days_kept) == (0.0, bench_real.FACTS, bench_real.OOS_DAYS_KEPT)
    weights, store = m.new_static_weights[bench_real.FACTS], m.new_static_store[bench_real.FACTS]
    assert th.parts("fine-tuning only", s, th.terms(m)) == pytest.approx((weights, m.ft_dynamic))
    assert th.parts("RAG only", s, th.terms(m)) == pytest.approx((store, m.rag_dynamic_at(7)))
    assert th.parts("hybrid", s, th.terms(m)) == pytest.approx((weights, m.hybrid_dynamic))
    from ragft.smollm2 import LORA_DAY

    assert bench_real.OOS_DAY != LORA_DAY and bench_real.OOS_DAYS_KEPT != bench_real.DAYS_KEPT  # not where measured


def test_the_shipped_out_of_sample_verdicts_follow_their_rows():
    import json

    from ragft import RESULTS_DIR

    run = json.loads((RESULTS_DIR / "shipped" / "real_oos.json").read_text())
    rows = run["validation"]
    assert {r["strategy"] for r in rows} == {"fine-tuning only", "RAG only", "hybrid"} and len(rows) == 6
    for r in rows:
        low, high = r["measured"]["interval"]
        assert r["inside_interval"] == (low <= r["predicted"] <= high)
        assert r["predicted_band"][0] <= r["predicted"] <= r["predicted_band"][1]
    worst = max(abs(r["predicted"] - r["measured"]["value"]) for r in rows)
    assert run["oos_max_abs_error_points"] == round(100 * worst, 1)
    assert run["oos_within_5_points_or_interval"] == all(
        abs(r["predicted"] - r["measured"]["value"]) <= 0.05 or r["inside_interval"] for r in rows)


@pytest.mark.parametrize("model", ["course", "course:/some/checkpoint"])   # whatever the notebook's run recorded
@pytest.mark.parametrize("part, record", [("_finetune", "FinetuneResults"), ("_hybrid", "HybridResults"),
                                          ("_threshold", "ThresholdResults")])
def test_the_notebook_parts_name_the_model_that_measured_their_figures(monkeypatch, part, record, model):
    cls = getattr(bench, record)
    shipped = cls.read("shipped")
    shipped.model = model
    monkeypatch.setattr(bench, "notebook_figures", lambda prefixes: {})  # the run itself is not repeated here
    monkeypatch.setattr(cls, "read", classmethod(lambda c, whose="shipped", results_dir=None: shipped))
    assert getattr(bench, part)()["model"] == model


def test_real_seeds_trains_each_seed_and_keeps_each_runs_verdict(monkeypatch):
    """lora_seeds: one lora_figures per training seed, the seed reaching the LoRA config; the spread and each run's
    within-noise verdict per recipe. SmolLM2 is stood in for by a reader that is right on a seed-given share."""
    from ragft import finetune, smollm2
    from ragft.course import bench_real
    from ragft.evaluate import Estimate

    class Stub:
        def __init__(self, right: int):
            self.right = right

        def correct(self, items):
            return [i < self.right for i in range(len(items))]

        def score(self, items, seed=0):
            return Estimate(self.right / 24, 0.0, 1.0, 24)

    seen = []

    def learn(reader, world, facts, cfg, progress=False):
        seen.append((cfg.seed, cfg.replay))
        right = 24 - 10 * cfg.seed if cfg.replay else 3   # seed 2 with replay: 4 of 30 right; without: 3
        return finetune.FinetuneResult(reader=Stub(right), config=cfg, seconds=1.0, steps=cfg.steps)

    monkeypatch.setattr(smollm2, "learn_facts", learn)
    monkeypatch.setattr("ragft.readers.load_reader", lambda setting: Stub(24))
    out = bench_real.lora_seeds((0, 2))
    replay = smollm2.LORA_REPLAY      # each seed: the recipe, without replay, then the recipe on the sealed day
    assert seen == [(0, replay), (0, 0.0), (0, replay), (2, replay), (2, 0.0), (2, replay)]
    assert out["seeds"] == [0, 2] and out["lora_steps"] == smollm2.LORA_STEPS
    assert [r["value"] for r in out["spread"]["lora_new_facts_heldout"]["per_seed"]] == [1.0, 0.1667]
    assert out["within_noise"] == {"replay": [True, False], "no_replay": [False, False]}
    assert out["spread"]["real_world_probe_change"]["min"] == -0.6667
    assert out["sealed"]["within_noise"] == [True, False] and out["sealed"]["lora_seconds"] == [1.0, 1.0]
    assert [r["value"] for r in out["sealed"]["spread"]["sealed_new_facts"]["per_seed"]] == [1.0, 0.1667]


def test_the_sealed_lora_check_trains_and_asks_the_sealed_days_facts_in_sealed_wordings_only(monkeypatch):
    """sealed_lora: the recipe with replay on the first LORA_FACTS facts of the first sealed day, asked in the
    sealed wordings only (none of the train or held-out ones), before and after."""
    from ragft import finetune, smollm2
    from ragft.course import bench_real
    from ragft.evaluate import Estimate
    from ragft.reading import closed_book_items
    from ragft.world import World, sealed

    trained, scored = [], []

    class Stub:
        def correct(self, items):
            return [True] * len(items)

        def score(self, items, seed=0):
            scored.append(items)
            return Estimate(0.5, 0.25, 0.75, len(items))

    def learn(reader, world, facts, cfg, progress=False):
        trained.append((list(facts), cfg))
        return finetune.FinetuneResult(reader=Stub(), config=cfg, seconds=2.0, steps=cfg.steps)

    monkeypatch.setattr(smollm2, "learn_facts", learn)
    out = bench_real.sealed_lora(Stub(), train_seed=3)
    (facts, cfg), = trained
    assert len(facts) == smollm2.LORA_FACTS and {f.day for f in facts} == {sealed.SEALED_DAYS[0]}
    assert (cfg.seed, cfg.replay, cfg.lr, cfg.steps) == (3, smollm2.LORA_REPLAY, smollm2.LORA_LR, smollm2.LORA_STEPS)
    before, after = scored
    assert before == after and {it.fact for it in after} == {f.id for f in facts}
    with sealed.unsealed():
        dev = {it.question for split in ("train", "heldout") for it in closed_book_items(World(seed=0), facts, split)}
    assert len(after) == 3 * len(facts) and not {it.question for it in after} & dev
    assert out["sealed_new_facts"]["n"] == len(after) and out["seconds"] == 2.0
    assert out["real_world_probe_change_sealed_lora"]["within_noise"]


def test_the_shipped_real_seeds_seed_0_is_the_real_model_run_again():
    """Training is deterministic on one machine: seed 0 of make bench PART=real_seeds reproduces every LoRA figure
    that make bench PART=real_model shipped, in another process, on another day."""
    import json

    from ragft import RESULTS_DIR

    seeds = json.loads((RESULTS_DIR / "shipped" / "real_seeds.json").read_text())
    model = json.loads((RESULTS_DIR / "shipped" / "real_model.json").read_text())
    assert seeds["seeds"][0] == 0 and seeds["lora_steps"] == model["lora_steps"]
    for key, figures in seeds["spread"].items():
        assert figures["per_seed"][0] == {k: model[key][k] for k in ("value", "interval", "n")}, key
    assert [seeds["within_noise"][r][0] for r in ("replay", "no_replay")] == [
        model["real_world_probe_change"]["within_noise"], model["real_world_probe_change_no_replay"]["within_noise"]]
