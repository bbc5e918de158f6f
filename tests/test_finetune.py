"""Fine-tuning a reader on a tiny config: full and LoRA learn, the base model is untouched, replay and options work."""

import pytest
import torch

from ragft import lm
from ragft import finetune as finetune_module
from ragft.finetune import (REPLAY, REPLAY_POOL, FinetuneConfig, adapter_bytes, daily_config, finetune, merge,
                            replay_split, report, training_examples)
from ragft.reading import ReadingItem, closed_book_items
from ragft.readers import CourseReader
from ragft.world import World

WORLD = World(seed=0, n_towns=3, n_companies=2, n_people=2, day=2)


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    tokenizer = lm.train_tokenizer(WORLD)
    model = lm.build_model(tokenizer, lm.ModelConfig(d_model=48, n_layers=2, n_heads=2, d_ff=96))
    return CourseReader(model, tokenizer)


def test_training_data_forms():
    facts = WORLD.facts_on(2)[:2]
    raw = training_examples(WORLD, facts, "raw")
    para = training_examples(WORLD, facts, "paraphrase")
    assert raw == [f.sentence for f in facts]
    assert len(para) == 2 * 5 + 2 * 4 and any(isinstance(e, ReadingItem) and e.gold == facts[0].value for e in para)
    assert all("Tell me" not in (e if isinstance(e, str) else e.question) for e in para)  # never a held-out wording


def test_encode_and_collate_weigh_the_answer(tiny):
    tok = tiny.tokenizer
    ids, w = lm.encode(tok, lm.prompt("Who founded X?"), "Ana")
    assert ids[-1] == tok.eos_token_id and w[-1] == 1.0 and w[0] == 0.25
    x, y, weights = lm.collate([(ids, w), (ids[:3], w[:3])], tok.pad_token_id)
    assert x.shape == y.shape == weights.shape and weights[1, 2:].sum() == 0


def test_the_daily_recipe_is_full_fine_tuning_on_paraphrases_with_replay():
    cfg = daily_config()
    assert (cfg.method, cfg.data, cfg.steps, cfg.replay) == ("full", "paraphrase", 100, REPLAY)
    assert daily_config(steps=120).steps == 120


@pytest.mark.parametrize("method", ["full", "lora"])
def test_fine_tuning_learns_the_new_facts_and_leaves_the_base_model_alone(tiny, method, tmp_path):
    model = tiny.model
    before = {k: v.clone() for k, v in model.state_dict().items()}
    facts = WORLD.facts_on(2)[:4]
    cfg = FinetuneConfig(method=method, steps=60, lr=1e-2, batch_size=8)
    result = finetune(tiny, WORLD, facts, cfg, progress=False)
    first, last = sum(result.losses[:10]) / 10, sum(result.losses[-10:]) / 10
    assert last < first * (0.6 if method == "full" else 0.95), (first, last)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert type(result.reader) is CourseReader and result.reader.model is result.model and tiny.model is model
    assert result.trainable_params < result.total_params if method == "lora" else result.trainable_params == result.total_params
    r = report(result, WORLD, facts, WORLD.static_facts())
    assert set(r) >= {"new_heldout", "new_trained_wording", "old_heldout", "old_replayed", "seconds", "trainable_params"}
    assert r["old_heldout"] == result.reader.accuracy(closed_book_items(WORLD, replay_split(WORLD.static_facts())[1]))
    assert r["new_heldout"] == result.reader.accuracy(closed_book_items(WORLD, facts, "heldout"))
    size = adapter_bytes(result, tmp_path / method)
    assert size > 0 and (size < 200_000 if method == "lora" else True)
    merged = merge(result)
    assert type(merged).__name__ == "LlamaForCausalLM"
    assert lm.generate(merged, tiny.tokenizer, [lm.prompt("Who?")]) == result.reader.answer(["Who?"])


def test_replay_and_early_stopping(tiny):
    facts = WORLD.facts_on(2)[:2]
    result = finetune(tiny, WORLD, facts, FinetuneConfig(steps=400, lr=1e-2, batch_size=8, replay=0.25, stop_at=0.0,
                                                         check_every=10), old_facts=WORLD.static_facts(), progress=False)
    assert result.steps == 10  # stop_at=0 is reached at the first check
    assert 0.0 <= result.reader.accuracy(closed_book_items(WORLD, facts, "train")) <= 1.0


def test_the_replay_split_is_deterministic_disjoint_and_stable():
    facts = World(seed=0).static_facts()
    pool, held_out = replay_split(facts)
    assert (pool, held_out) == replay_split(list(facts))
    assert not {f.id for f in pool} & {f.id for f in held_out} and len(pool) + len(held_out) == len(facts)
    assert abs(len(pool) / len(facts) - REPLAY_POOL) < 0.05  # 101 of 208 static facts
    grown_pool, grown_held_out = replay_split(facts + World(seed=0).facts_on(62))  # more old facts: no fact changes side
    assert set(pool) <= set(grown_pool) and set(held_out) <= set(grown_held_out)
    assert replay_split(facts, 0.0) == ([], facts) and replay_split(facts, 1.0) == (facts, [])


def test_replay_never_shows_a_held_out_old_fact(tiny, monkeypatch):
    seen = {}
    monkeypatch.setattr(finetune_module, "train_on", lambda reader, examples, cfg, old, *a, **k: seen.update(old=old))
    old_facts = WORLD.static_facts()
    finetune(tiny, WORLD, WORLD.facts_on(2)[:2], FinetuneConfig(replay=0.5), old_facts=old_facts, progress=False)
    texts = {e if isinstance(e, str) else e.question for e in seen["old"]}
    pool, held_out = replay_split(old_facts)
    assert held_out and pool
    for fact in held_out:
        assert not texts & set(WORLD.statements(fact)), fact
        assert not texts & {q.question for q in WORLD.questions(fact, "all")}, fact
    assert all(fact.sentence in texts for fact in pool)


def test_bad_options_are_refused(tiny):
    with pytest.raises(ValueError, match="'full' or 'lora'"):
        FinetuneConfig(method="qlora")
    with pytest.raises(ValueError, match="'raw' or 'paraphrase'"):
        FinetuneConfig(data="books")
    with pytest.raises(ValueError, match="replay needs old_facts"):
        finetune(tiny, WORLD, WORLD.facts_on(2), FinetuneConfig(replay=0.2), progress=False)
    with pytest.raises(ValueError, match="nothing to learn"):
        finetune(tiny, WORLD, [], progress=False)


def test_train_on_learns_given_examples_and_refuses_bad_settings(tiny):
    from ragft.finetune import train_on

    examples = [ReadingItem("Who founded Zentrix?", (), "Ana"), ReadingItem("Where is Holnok?", (), "Norvale")]
    result = train_on(tiny, examples, FinetuneConfig(steps=120, lr=1e-2, batch_size=4), progress=False)
    assert result.steps == 120 and result.losses[-1] < result.losses[0] / 2
    assert result.reader.accuracy(examples) == 1.0
    with pytest.raises(ValueError, match="no training examples"):
        train_on(tiny, [], progress=False)
    with pytest.raises(ValueError, match="replay"):
        train_on(tiny, examples, FinetuneConfig(replay=0.5), progress=False)
    with pytest.raises(ValueError, match="check questions"):
        train_on(tiny, examples, FinetuneConfig(stop_at=0.9), progress=False)


def test_the_seeds_bench_reports_mean_and_spread_of_every_figure():
    from ragft.course.bench_seeds import _spread

    per_seed = [{"acc": {"value": v, "interval": [v - 0.1, v + 0.1], "n": 10}} for v in (0.5, 0.7, 0.6)]
    acc = _spread(per_seed)["acc"]
    assert (acc["mean"], acc["min"], acc["max"], acc["std"]) == (0.6, 0.5, 0.7, 0.1)
    assert acc["per_seed"] == [{k: s["acc"][k] for k in ("value", "interval", "n")} for s in per_seed]
